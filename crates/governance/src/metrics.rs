//! The metric catalogue: the flat names a policy rule may test (SPEC §2), and their validation.

use std::str::FromStr;

use driftguard_core::FieldError;
use driftguard_stats::drift::DriftMethod;
use serde::{Deserialize, Serialize};

/// Dataset-level drift metrics (besides the per-column ones).
pub const DRIFT_METRICS: [&str; 5] = [
    "share",
    "max_psi",
    "max_wasserstein",
    "max_jensenshannon",
    "min_ks_pvalue",
];

/// The between-group fairness metrics, worst over the sensitive columns.
pub const FAIRNESS_METRICS: [&str; 6] = [
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "disparate_impact",
    "equal_opportunity_difference",
    "equalized_odds_difference",
    "equalized_odds_ratio",
];

/// The performance metrics; each also has a `<metric>_drop` (baseline − current).
pub const PERFORMANCE_METRICS: [&str; 8] = [
    "accuracy",
    "precision",
    "recall",
    "f1",
    "roc_auc",
    "mae",
    "rmse",
    "r2",
];

/// Prefix of the per-column drift metrics, `drift.column.<name>.<method>`.
pub const DRIFT_COLUMN_PREFIX: &str = "drift.column.";

/// The name of the risk score metric.
pub const RISK_SCORE: &str = "risk.score";

/// Which part of an evaluation a metric (and so a violation) belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricKind {
    /// `drift.*`
    Drift,
    /// `fairness.*`
    Fairness,
    /// `performance.*`
    Performance,
    /// `risk.*`
    Risk,
    /// Not a metric: a deploy found no evaluation to judge (SPEC §2, deployments).
    NoEvaluation,
}

impl MetricKind {
    /// The name used in JSON and in the `governance_violations_total{type}` label.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Drift => "drift",
            Self::Fairness => "fairness",
            Self::Performance => "performance",
            Self::Risk => "risk",
            Self::NoEvaluation => "no_evaluation",
        }
    }
}

/// Checks that `name` is in the catalogue and says which part of an evaluation it belongs to;
/// the error is a message for a person.
pub fn validate_metric(name: &str) -> Result<MetricKind, String> {
    let unknown = || {
        format!(
            "unknown metric `{name}`: expected drift.share, drift.max_psi, \
             drift.max_wasserstein, drift.max_jensenshannon, drift.min_ks_pvalue, \
             drift.column.<column>.<method>, fairness.<metric>, performance.<metric>, \
             performance.<metric>_drop or risk.score"
        )
    };
    let (group, rest) = name.split_once('.').ok_or_else(unknown)?;
    let known = match group {
        "drift" if name.starts_with(DRIFT_COLUMN_PREFIX) => {
            return column_metric(&name[DRIFT_COLUMN_PREFIX.len()..]).map(|_| MetricKind::Drift);
        }
        "drift" => DRIFT_METRICS.contains(&rest).then_some(MetricKind::Drift),
        "fairness" => FAIRNESS_METRICS
            .contains(&rest)
            .then_some(MetricKind::Fairness),
        "performance" => {
            let base = rest.strip_suffix("_drop").unwrap_or(rest);
            PERFORMANCE_METRICS
                .contains(&base)
                .then_some(MetricKind::Performance)
        }
        "risk" => (name == RISK_SCORE).then_some(MetricKind::Risk),
        _ => None,
    };
    known.ok_or_else(unknown)
}

/// Every fixed name of the catalogue: all but the per-column drift metrics
/// (`drift.column.<column>.<method>`).
pub fn fixed_metric_names() -> Vec<String> {
    DRIFT_METRICS
        .iter()
        .map(|m| format!("drift.{m}"))
        .chain(FAIRNESS_METRICS.iter().map(|m| format!("fairness.{m}")))
        .chain(
            PERFORMANCE_METRICS
                .iter()
                .flat_map(|m| [format!("performance.{m}"), format!("performance.{m}_drop")]),
        )
        .chain([RISK_SCORE.to_owned()])
        .collect()
}

/// Validates the metric of rule number `index` of a policy, as a field error
/// `rules[<index>].metric`.
pub fn validate_rule_metric(index: usize, name: &str) -> Result<MetricKind, FieldError> {
    validate_metric(name)
        .map_err(|message| FieldError::new(format!("rules[{index}].metric"), message))
}

/// The name of a column's drift metric.
pub fn column_metric_name(column: &str, method: DriftMethod) -> String {
    format!("{DRIFT_COLUMN_PREFIX}{column}.{method}")
}

/// The column and method of a `drift.column.<column>.<method>` name; `None` for any other
/// name, valid or not.
pub fn parse_column_metric(name: &str) -> Option<(&str, DriftMethod)> {
    column_metric(name.strip_prefix(DRIFT_COLUMN_PREFIX)?).ok()
}

/// Splits `<column>.<method>`; the method is after the last dot, so that column names may
/// hold dots.
fn column_metric(rest: &str) -> Result<(&str, DriftMethod), String> {
    let (column, method) = rest
        .rsplit_once('.')
        .filter(|(column, _)| !column.is_empty())
        .ok_or_else(|| {
            format!("`{DRIFT_COLUMN_PREFIX}{rest}` must name a column and a method: drift.column.<column>.<method>")
        })?;
    let method = DriftMethod::from_str(method)
        .map_err(|e| format!("in `{DRIFT_COLUMN_PREFIX}{rest}`: {e}"))?;
    Ok((column, method))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalogue_name_is_valid() {
        let names = fixed_metric_names();
        for name in names {
            assert!(validate_metric(&name).is_ok(), "{name}");
        }
    }

    #[test]
    fn kinds_follow_the_prefix() {
        let kind = |name| validate_metric(name).ok();
        assert_eq!(kind("drift.share"), Some(MetricKind::Drift));
        assert_eq!(kind("drift.column.age.psi"), Some(MetricKind::Drift));
        assert_eq!(
            kind("fairness.disparate_impact"),
            Some(MetricKind::Fairness)
        );
        assert_eq!(
            kind("performance.accuracy_drop"),
            Some(MetricKind::Performance)
        );
        assert_eq!(kind("risk.score"), Some(MetricKind::Risk));
        assert_eq!(MetricKind::NoEvaluation.as_str(), "no_evaluation");
    }

    #[test]
    fn column_metrics_take_the_method_after_the_last_dot() {
        for method in DriftMethod::ALL {
            let name = column_metric_name("a.b", method);
            assert_eq!(validate_metric(&name), Ok(MetricKind::Drift), "{name}");
        }
        assert_eq!(
            parse_column_metric("drift.column.a.b.kl_div"),
            Some(("a.b", DriftMethod::KlDiv))
        );
        assert_eq!(parse_column_metric("drift.share"), None);
        assert!(validate_metric("drift.column.age").is_err());
        assert!(validate_metric("drift.column..psi").is_err());
        assert!(validate_metric("drift.column.age.cosine").is_err());
    }

    #[test]
    fn unknown_names_are_rejected() {
        for name in [
            "",
            "drift",
            "drift.max_ks",
            "fairness.accuracy",
            "performance.accuracy_dropped",
            "performance._drop",
            "risk.level",
            "latency.p99",
        ] {
            assert!(validate_metric(name).is_err(), "{name}");
        }
    }

    #[test]
    fn rule_errors_name_the_rule() {
        let error = validate_rule_metric(2, "drift.nope").expect_err("unknown metric");
        assert_eq!(error.field, "rules[2].metric");
        assert!(error.message.contains("drift.nope"), "{}", error.message);
    }
}
