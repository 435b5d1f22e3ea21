//! The whole evaluation on the 10,000-row reference pair (`reference_10k.csv` vs
//! `current_10k.csv`), checked against `reference_values_10k.json` (Evidently, Fairlearn,
//! scikit-learn) and a hand computation of SPEC §2's risk score.
//!
//! The files live in `testdata/reference/` in the repository, or wherever
//! `DRIFTGUARD_REFERENCE_DIR` points.

use driftguard_core::{RiskTier, Task};
use driftguard_governance::{
    EvaluationInput, EvaluationOptions, EvaluationResult, MetricKind, PolicyDraft, RiskSettings,
    Severity, Status, evaluate,
};
use driftguard_stats::testing::{read_reference as read, reference_roles};
use driftguard_stats::{Dataset, ParseOptions};
use serde_json::Value;

fn run() -> (EvaluationResult, Value) {
    let options = ParseOptions::default();
    let parse = |name| Dataset::from_csv(&read(name), &options).expect("the reference CSVs parse");
    let (reference, current) = (parse("reference_10k.csv"), parse("current_10k.csv"));
    let expected = serde_json::from_slice(&read("reference_values_10k.json"))
        .expect("reference_values_10k.json is JSON");
    let roles = reference_roles();
    let policies = [PolicyDraft::default_policy().into_policy(
        driftguard_core::PolicyId(1),
        None,
        driftguard_core::now(),
    )];
    let result = evaluate(&EvaluationInput {
        reference: (&reference).into(),
        current: &current,
        roles: &roles,
        task: Task::BinaryClassification,
        risk_tier: RiskTier::High,
        options: &EvaluationOptions::default(),
        policies: &policies,
        settings: &RiskSettings::default(),
        max_groups: driftguard_stats::Limits::default().max_groups,
    })
    .expect("the reference pair evaluates");
    (result, expected)
}

#[track_caller]
fn number(v: &Value, path: &str) -> f64 {
    v.pointer(path)
        .and_then(Value::as_f64)
        .unwrap_or_else(|| panic!("{path} is not a number in reference_values_10k.json"))
}

#[track_caller]
fn assert_close(got: f64, want: f64, what: &str) {
    assert!(
        (got - want).abs() <= 1e-9 * want.abs().max(1.0),
        "{what}: got {got}, want {want}"
    );
}

#[test]
fn the_reference_pair_evaluates_as_the_spec_says() {
    let (result, expected) = run();
    let metrics = &result.metrics;

    // Drift: 8 of the 20 feature columns, as Evidently finds.
    assert_eq!(
        (result.drift.drifted_columns, result.drift.total_columns),
        (8, 20)
    );
    assert_eq!(metrics["drift.share"], 0.4);
    let evidently = number(&expected, "/evidently_default_dataset_drift/share");
    assert_close(result.drift.share, evidently, "Evidently's share");

    // Fairness: Fairlearn's values on the current data (disparate impact = the demographic
    // parity ratio).
    let fairlearn = |name: &str| number(&expected, &format!("/fairness/current/{name}"));
    for (metric, source) in [
        (
            "demographic_parity_difference",
            "demographic_parity_difference",
        ),
        ("demographic_parity_ratio", "demographic_parity_ratio"),
        ("disparate_impact", "demographic_parity_ratio"),
        (
            "equal_opportunity_difference",
            "equal_opportunity_difference",
        ),
        ("equalized_odds_difference", "equalized_odds_difference"),
        ("equalized_odds_ratio", "equalized_odds_ratio"),
    ] {
        assert_close(
            metrics[&format!("fairness.{metric}")],
            fairlearn(source),
            metric,
        );
    }

    // Performance: scikit-learn's numbers, the reference file as the baseline.
    let sklearn =
        |side: &str, name: &str| number(&expected, &format!("/performance/{side}/overall/{name}"));
    let names = ["accuracy", "precision", "recall", "f1", "roc_auc"];
    for name in names {
        let (base, now) = (sklearn("reference", name), sklearn("current", name));
        assert_close(metrics[&format!("performance.{name}")], now, name);
        assert_close(
            metrics[&format!("performance.{name}_drop")],
            base - now,
            name,
        );
    }

    // Risk by hand (SPEC §2), tier high (× 1.0), all three components present.
    let drift_severity = (0.4_f64 / 0.5).min(1.0);
    let fairness_severity = [
        fairlearn("demographic_parity_difference") / 0.1,
        fairlearn("equalized_odds_difference") / 0.1,
        (1.0 - fairlearn("demographic_parity_ratio")) / 0.2,
    ]
    .into_iter()
    .fold(0.0, f64::max)
    .min(1.0);
    let largest_relative_drop = names
        .iter()
        .map(|n| (sklearn("reference", n) - sklearn("current", n)) / sklearn("reference", n))
        .fold(0.0, f64::max);
    let performance_severity = (largest_relative_drop / 0.1).min(1.0);
    let hand =
        100.0 * (0.4 * drift_severity + 0.35 * fairness_severity + 0.25 * performance_severity);
    // The current model is better on every metric, and unfair beyond every fairness scale.
    assert_eq!((fairness_severity, performance_severity), (1.0, 0.0));
    assert_close(result.risk.score, hand, "risk score");
    assert_close(result.risk.score, 67.0, "risk score");
    assert_eq!(metrics["risk.score"], result.risk.score);
    let components = result.risk.components;
    let drift = components.drift.expect("drift component");
    assert_close(drift.contribution, 32.0, "drift contribution");
    assert_close(drift.weight, 0.4, "drift weight");
    let fairness = components.fairness.expect("fairness component");
    assert_close(fairness.contribution, 35.0, "fairness contribution");
    let performance = components.performance.expect("performance component");
    assert_eq!(performance.contribution, 0.0);

    // Default policy: disparate impact 0.59 < 0.8 blocks; drift share 0.4 ≥ 0.25 and
    // equalized odds 0.19 > 0.1 warn; accuracy improved and 67 ≤ 70 hold.
    let judgement = &result.judgement;
    let violated: Vec<(&str, Severity, MetricKind)> = judgement
        .violations
        .iter()
        .map(|v| (v.metric.as_str(), v.severity, v.kind))
        .collect();
    assert_eq!(
        violated,
        [
            ("drift.share", Severity::Warn, MetricKind::Drift),
            (
                "fairness.disparate_impact",
                Severity::Block,
                MetricKind::Fairness
            ),
            (
                "fairness.equalized_odds_difference",
                Severity::Warn,
                MetricKind::Fairness
            ),
        ]
    );
    assert_eq!(judgement.status, Status::Fail);
    assert!(judgement.skipped_rules.is_empty());

    let json = serde_json::to_value(&result).expect("serialises");
    assert_eq!(json["status"], "fail");
    assert_eq!(json["drift"]["columns"].as_array().map(Vec::len), Some(20));
    assert_eq!(json["fairness"]["columns"][0]["column"], "group");
}
