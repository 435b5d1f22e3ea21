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

#[test]
fn json_is_the_evaluation_body() {
    let mut args = vec![
        "--reference",
        "reference_10k.csv",
        "--current",
        "current_10k.csv",
        "--format",
        "json",
    ];
    args.extend(ROLES);
    let output = check(&args);
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
