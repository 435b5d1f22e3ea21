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
