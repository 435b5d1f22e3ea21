//! `driftguard check` as a CI pipeline runs it: the real binary on the reference data pair.
//! Failing data exits 1, clean data 0, bad input 2; `--format json` is the API's evaluation.

use std::path::PathBuf;
use std::process::{Command, Output};

fn reference_dir() -> PathBuf {
    let dir = driftguard_stats::testing::reference_dir();
    assert!(
        dir.join("reference_10k.csv").is_file(),
        "reference data not found at {} (set DRIFTGUARD_REFERENCE_DIR)",
        dir.display()
    );
    dir
}

fn check(args: &[&str]) -> Output {
    let dir = reference_dir();
    let mut command = Command::new(env!("CARGO_BIN_EXE_driftguard"));
    command.arg("check").current_dir(&dir).args(args);
    command.output().expect("run driftguard check")
}

const ROLES: [&str; 8] = [
    "--label",
    "label",
    "--prediction",
    "prediction",
    "--score",
    "score",
    "--sensitive",
    "group",
];

#[test]
fn drifted_unfair_data_fails_with_exit_1() {
    let mut args = vec![
        "--reference",
        "reference_10k.csv",
        "--current",
        "current_10k.csv",
    ];
    args.extend(ROLES);
    let output = check(&args);
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("status: FAIL"), "{text}");
    assert!(text.contains("fairness.disparate_impact"), "{text}");
    assert!(text.contains("8 of 20 columns drifted"), "{text}");
}

/// The drifted, unfair pair with every column role, printed in `format`.
fn check_failing_pair(format: &str) -> Output {
    let mut args = vec![
        "--reference",
        "reference_10k.csv",
        "--current",
        "current_10k.csv",
        "--format",
        format,
    ];
    args.extend(ROLES);
    check(&args)
}

#[test]
fn json_is_the_evaluation_body() {
    let output = check_failing_pair("json");
    assert_eq!(output.status.code(), Some(1));
    let body: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(body["status"], "fail");
    assert_eq!(body["drift"]["drifted_columns"], 8);
    assert_eq!(body["drift"]["total_columns"], 20);
    for key in [
        "fairness",
        "performance",
        "risk",
        "metrics",
        "violations",
        "skipped_rules",
        "policy_versions",
    ] {
        assert!(body.get(key).is_some(), "missing {key}");
    }
}

#[test]
fn clean_data_passes_with_exit_0() {
    let output = check(&[
        "--reference",
        "reference_10k.csv",
        "--current",
        "reference_10k.csv",
    ]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(text.contains("status: PASS"), "{text}");
    assert!(
        text.contains("0 of 20 columns drifted") || text.contains("of 24 columns"),
        "{text}"
    );
}

#[test]
fn warnings_fail_only_when_asked() {
    // Drift on the current data with no fairness columns: drift.share 0.4 warns (< 0.25 rule).
    let base = [
        "--reference",
        "reference_10k.csv",
        "--current",
        "current_10k.csv",
        "--ignore",
        "group",
    ];
    let output = check(&base);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("status: WARN"), "{text}");
    assert_eq!(output.status.code(), Some(0), "{text}");
    let mut strict = base.to_vec();
    strict.extend(["--fail-on", "warn"]);
    assert_eq!(check(&strict).status.code(), Some(1));
}

#[test]
fn bad_input_exits_2() {
    for args in [
        vec!["--reference", "missing.csv", "--current", "current_10k.csv"],
        vec!["--reference", "reference_10k.csv"],
        vec![
            "--reference",
            "reference_10k.csv",
            "--current",
            "current_10k.csv",
            "--risk-tier",
            "extreme",
        ],
        vec![
            "--reference",
            "reference_10k.csv",
            "--current",
            "current_10k.csv",
            "--label",
            "no_such_column",
            "--prediction",
            "prediction",
        ],
        vec!["--reference", "gen.py", "--current", "current_10k.csv"],
    ] {
        let output = check(&args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// A small clean pair in a temporary folder: `rows` rows of a numeric and a text column.
fn small_pair(rows: usize) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut text = String::from("x,city\n");
    for i in 0..rows {
        let city = ["Oslo", "Rome", "Lima"][i % 3];
        text.push_str(&format!("{},{city}\n", i % 97));
    }
    let (reference, current) = (dir.path().join("ref.csv"), dir.path().join("cur.csv"));
    std::fs::write(&reference, &text).expect("write");
    std::fs::write(&current, &text).expect("write");
    (dir, reference, current)
}

fn check_paths(reference: &std::path::Path, current: &std::path::Path, extra: &[&str]) -> Output {
    let (reference, current) = (reference.to_str(), current.to_str());
    let mut args = vec!["--reference", reference.expect("UTF-8"), "--current"];
    args.push(current.expect("UTF-8"));
    args.extend(extra);
    check(&args)
}

#[test]
fn the_size_and_row_flags_refuse_only_a_file_over_them() {
    let (_dir, reference, current) = small_pair(300);
    let size = std::fs::metadata(&reference)
        .expect("size")
        .len()
        .to_string();
    let smaller = (std::fs::metadata(&reference).expect("size").len() - 1).to_string();
    for (flags, refused) in [
        (vec![], None),
        (vec!["--max-bytes", size.as_str()], None),
        (vec!["--max-rows", "300"], None),
        (
            vec!["--max-bytes", smaller.as_str()],
            Some("larger than the limit"),
        ),
        (vec!["--max-rows", "299"], Some("more than 299 rows")),
    ] {
        let output = check_paths(&reference, &current, &flags);
        let (stdout, stderr) = (
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
        );
        match refused {
            None => {
                assert_eq!(output.status.code(), Some(0), "{flags:?}: {stderr}");
                assert!(stdout.contains("status: PASS"), "{flags:?}: {stdout}");
            }
            Some(message) => {
                assert_eq!(output.status.code(), Some(2), "{flags:?}: {stdout}");
                assert!(stderr.contains("ref.csv"), "{flags:?}: {stderr}");
                assert!(stderr.contains(message), "{flags:?}: {stderr}");
            }
        }
    }
}

#[test]
fn a_broken_file_is_an_error_naming_file_and_line_not_a_panic() {
    let (dir, reference, _) = small_pair(300);
    let broken = dir.path().join("broken.csv");
    std::fs::write(&broken, "x,city\n1,Oslo\n2\n").expect("write");
    let unreadable = dir.path().join("no-such.csv");
    for (current, message) in [
        (&broken, "line 3"),
        (&unreadable, "no-such.csv"),
        (&dir.path().to_path_buf(), "reading"),
    ] {
        let output = check_paths(&reference, current, &[]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(message), "{message}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn json_files_are_read_within_their_bound() {
    let dir = tempfile::tempdir().expect("temp dir");
    let records: Vec<String> = (0..200)
        .map(|i| {
            format!(
                r#"{{"x": {}, "city": "{}"}}"#,
                i % 89,
                ["Oslo", "Rome"][i % 2]
            )
        })
        .collect();
    let path = dir.path().join("data.json");
    std::fs::write(&path, format!("[{}]", records.join(","))).expect("write");
    let output = check_paths(&path, &path, &[]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("0 of 2 columns drifted"), "{stdout}");
    let output = check_paths(&path, &path, &["--max-bytes", "100"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("limit of 100 bytes"), "{stderr}");
}

/// The JUnit report's test cases as (name, outcome, failure or skip message, failure type).
fn junit_cases(xml: &str) -> Vec<(String, &'static str, String, String)> {
    let doc = roxmltree::Document::parse(xml).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let cases: Vec<_> = root
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .map(|case| {
            let name = case.attribute("name").expect("a name").to_owned();
            let child = case.children().find(|c| c.is_element());
            let (outcome, message, kind) = match child {
                None => ("passed", String::new(), String::new()),
                Some(c) => (
                    if c.has_tag_name("failure") {
                        "failure"
                    } else {
                        assert!(c.has_tag_name("skipped"), "{xml}");
                        "skipped"
                    },
                    c.attribute("message").unwrap_or_default().to_owned(),
                    c.attribute("type").unwrap_or_default().to_owned(),
                ),
            };
            (name, outcome, message, kind)
        })
        .collect();
    // The counts on every suite, and on the whole run, are those of its test cases.
    for suite in root
        .descendants()
        .filter(|n| n.has_tag_name("testsuite") || n.has_tag_name("testsuites"))
    {
        let count = |tag: &str| {
            suite
                .descendants()
                .filter(|n| n.has_tag_name(tag))
                .count()
                .to_string()
        };
        assert_eq!(suite.attribute("tests"), Some(count("testcase").as_str()));
        assert_eq!(suite.attribute("failures"), Some(count("failure").as_str()));
        assert_eq!(suite.attribute("skipped"), Some(count("skipped").as_str()));
    }
    cases
}

#[test]
fn junit_makes_every_rule_a_test_case_and_violations_failures() {
    let output = check_failing_pair("junit");
    assert_eq!(output.status.code(), Some(1));
    let xml = String::from_utf8(output.stdout).expect("UTF-8");
    let cases = junit_cases(&xml);
    // The default policy's six rules, in order.
    let names: Vec<_> = cases.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(
        names,
        [
            "drift.share < 0.5 [block]",
            "drift.share < 0.25 [warn]",
            "fairness.disparate_impact >= 0.8 [block]",
            "fairness.equalized_odds_difference <= 0.1 [warn]",
            "performance.accuracy_drop <= 0.05 [warn]",
            "risk.score <= 70 [block]",
        ]
    );
    let (_, outcome, message, kind) = &cases[2];
    assert_eq!((*outcome, kind.as_str()), ("failure", "block"), "{xml}");
    assert!(
        message.contains("observed 0.")
            && message.contains("needs fairness.disparate_impact >= 0.8"),
        "{message}"
    );
    let doc = roxmltree::Document::parse(&xml).expect("XML");
    let status = doc
        .descendants()
        .find(|n| n.has_tag_name("property") && n.attribute("name") == Some("status"))
        .and_then(|n| n.attribute("value"));
    assert_eq!(status, Some("fail"));
    let details = doc
        .descendants()
        .find(|n| n.has_tag_name("failure"))
        .and_then(|n| n.text())
        .unwrap_or_default();
    assert!(
        details.contains("threshold: ") && details.contains("observed: "),
        "{details}"
    );
}

#[test]
fn junit_skips_rules_whose_metric_is_absent() {
    let (_dir, reference, current) = small_pair(300);
    let output = check_paths(&reference, &current, &["--format", "junit"]);
    assert_eq!(output.status.code(), Some(0));
    let xml = String::from_utf8(output.stdout).expect("UTF-8");
    let outcomes: Vec<_> = junit_cases(&xml)
        .into_iter()
        .map(|(name, outcome, message, _)| (name, outcome, message))
        .collect();
    let skipped: Vec<_> = outcomes.iter().filter(|c| c.1 == "skipped").collect();
    assert_eq!(skipped.len(), 3, "{xml}");
    assert!(
        skipped
            .iter()
            .all(|c| c.2 == "metric not produced by this evaluation")
    );
    assert!(outcomes.iter().all(|c| c.1 != "failure"), "{xml}");
}

#[test]
fn junit_escapes_names_that_are_user_input() {
    let dir = tempfile::tempdir().expect("temp dir");
    // A column name with every XML markup character and a control character, which XML
    // cannot carry even escaped.
    let column = "a<b>&\"c'\u{1}]]>";
    let mut text = format!("\"{}\",z\n", column.replace('"', "\"\""));
    for i in 0..200 {
        text.push_str(&format!("{},{}\n", i % 50, ["p", "q"][i % 2]));
    }
    let data = dir.path().join("data.csv");
    std::fs::write(&data, text).expect("write");
    let policy = dir.path().join("policy.json");
    let rule = serde_json::json!({"name": "strict <&> \"policy\"", "rules": [
        {"metric": format!("drift.column.{column}.psi"), "op": "<", "threshold": 0,
         "severity": "block"}]});
    std::fs::write(&policy, rule.to_string()).expect("write");
    let policy = policy.to_str().expect("UTF-8");
    let output = check_paths(&data, &data, &["--format", "junit", "--policy", policy]);
    let xml = String::from_utf8(output.stdout).expect("UTF-8");
    assert_eq!(output.status.code(), Some(1), "{xml}");
    let cases = junit_cases(&xml);
    let shown = column.replace('\u{1}', "\u{fffd}");
    assert_eq!(cases.len(), 1, "{xml}");
    assert_eq!(cases[0].0, format!("drift.column.{shown}.psi < 0 [block]"));
    assert_eq!(cases[0].1, "failure");
    let doc = roxmltree::Document::parse(&xml).expect("XML");
    let suite = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuite"))
        .and_then(|n| n.attribute("name"));
    assert_eq!(suite, Some("policy strict <&> \"policy\" (version 1)"));
}

#[test]
fn one_run_writes_the_json_and_junit_reports_beside_the_printed_one() {
    let (dir, reference, current) = small_pair(300);
    let (json, junit) = (dir.path().join("eval.json"), dir.path().join("report.xml"));
    let json_arg = format!("json={}", json.display());
    let junit_arg = format!("JUnit={}", junit.display());
    let output = check_paths(
        &reference,
        &current,
        &["--report", &json_arg, "--report", &junit_arg],
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("status: PASS"), "{stdout}");
    let body: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json).expect("the JSON report")).expect("JSON");
    assert_eq!(body["status"], "pass");
    let xml = std::fs::read_to_string(&junit).expect("the JUnit report");
    assert_eq!(junit_cases(&xml).len(), 6);
    for bad in ["junit", "xml=out.xml", "junit="] {
        let output = check_paths(&reference, &current, &["--report", bad]);
        assert_eq!(output.status.code(), Some(2), "{bad}");
    }
}

#[path = "../../../crates/app/tests/support/parquet.rs"]
mod parquet_support;

/// The `--format json` body of a check of the pair as `reference` and `current`.
fn json_body(reference: &std::path::Path, current: &std::path::Path) -> serde_json::Value {
    let mut extra = vec!["--format", "json"];
    extra.extend(ROLES);
    let output = check_paths(reference, current, &extra);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON")
}

#[test]
fn parquet_files_give_the_numbers_of_their_csv() {
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = |name: &str| reference_dir().join(name);
    let parquet = |name: &str| {
        let path = dir.path().join(name).with_extension("parquet");
        let bytes = std::fs::read(csv(name)).expect("the fixture");
        let written =
            parquet_support::parquet_of_csv(&bytes, parquet::basic::Compression::SNAPPY, true);
        std::fs::write(&path, written).expect("write");
        path
    };
    let from_csv = json_body(&csv("reference_10k.csv"), &csv("current_10k.csv"));
    let from_parquet = json_body(&parquet("reference_10k.csv"), &parquet("current_10k.csv"));
    assert_eq!(from_parquet["metrics"], from_csv["metrics"]);
    assert_eq!(from_parquet["drift"], from_csv["drift"]);
    assert_eq!(from_parquet["risk"], from_csv["risk"]);

    let not_parquet = dir.path().join("broken.parquet");
    std::fs::write(&not_parquet, "x,y\n1,2\n").expect("write");
    let output = check_paths(&not_parquet, &csv("current_10k.csv"), &ROLES);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("not a readable Parquet file"), "{stderr}");
}
