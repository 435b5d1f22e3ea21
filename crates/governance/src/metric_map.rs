//! The flat map of every policy metric an evaluation produced, built from the statistics
//! results; rules are judged against it, and it is stored with the evaluation.

use std::collections::BTreeMap;

use driftguard_stats::drift::{ColumnDrift, DriftMethod, DriftReport};
use driftguard_stats::fairness::FairnessMetrics;
use driftguard_stats::performance::PerformanceMetrics;

use crate::metrics::{RISK_SCORE, column_metric_name};

/// Metric name → observed value. Holds only finite values: a metric that could not be
/// computed is absent, so that rules on it are skipped (or violated when required).
pub type MetricMap = BTreeMap<String, f64>;

/// The performance numbers the map takes: current metrics and, with a baseline, the drops.
#[derive(Debug, Clone, Copy)]
pub struct PerformanceInput<'a> {
    /// Metrics on the current data.
    pub current: &'a PerformanceMetrics,
    /// `baseline − current` by metric name, when the reference had labels and predictions.
    pub drop: Option<&'a BTreeMap<String, f64>>,
}

/// Builds the metric map of an evaluation.
///
/// - `drift.share` (when there is a feature column), `drift.column.<col>.<method>` = the
///   column's score for every tested column of the report and of `extra_columns` (columns
///   re-tested with another method a policy asked for), `drift.max_psi` / `_wasserstein` /
///   `_jensenshannon` = the largest score over the report's columns tested with that method
///   (absent when none was), `drift.min_ks_pvalue` = the smallest ks p-value;
/// - `fairness.<metric>`: the worst value over the sensitive columns;
/// - `performance.<metric>` and `performance.<metric>_drop`;
/// - `risk.score`.
pub fn build_metric_map(
    drift: &DriftReport,
    extra_columns: &[ColumnDrift],
    fairness: Option<&FairnessMetrics>,
    performance: Option<PerformanceInput<'_>>,
    risk_score: f64,
) -> MetricMap {
    let mut map = MetricMap::new();
    drift_metrics(drift, &mut map);
    for (column, method, score) in tested(extra_columns) {
        insert(&mut map, column_metric_name(column, method), score);
    }
    if let Some(f) = fairness {
        let values = [
            (
                "demographic_parity_difference",
                f.demographic_parity_difference,
            ),
            ("demographic_parity_ratio", f.demographic_parity_ratio),
            ("disparate_impact", f.disparate_impact),
            (
                "equal_opportunity_difference",
                f.equal_opportunity_difference,
            ),
            ("equalized_odds_difference", f.equalized_odds_difference),
            ("equalized_odds_ratio", f.equalized_odds_ratio),
        ];
        for (name, value) in values {
            if let Some(value) = value {
                insert(&mut map, format!("fairness.{name}"), value);
            }
        }
    }
    if let Some(p) = performance {
        for (name, value) in p.current.to_map() {
            insert(&mut map, format!("performance.{name}"), value);
        }
        for (name, value) in p.drop.into_iter().flatten() {
            insert(&mut map, format!("performance.{name}_drop"), *value);
        }
    }
    insert(&mut map, RISK_SCORE.to_owned(), risk_score);
    map
}

/// A dataset-level drift metric: its name, the method whose column scores it takes, and how
/// it picks among them (the direction that means more drift).
type Extreme = (&'static str, DriftMethod, fn(f64, f64) -> f64);

const EXTREMES: [Extreme; 4] = [
    ("drift.max_psi", DriftMethod::Psi, f64::max),
    ("drift.max_wasserstein", DriftMethod::Wasserstein, f64::max),
    (
        "drift.max_jensenshannon",
        DriftMethod::Jensenshannon,
        f64::max,
    ),
    ("drift.min_ks_pvalue", DriftMethod::Ks, f64::min),
];

fn drift_metrics(drift: &DriftReport, map: &mut MetricMap) {
    if drift.total_columns > 0 {
        insert(map, "drift.share".to_owned(), drift.share);
    }
    for (column, method, score) in tested(&drift.columns) {
        insert(map, column_metric_name(column, method), score);
        for (name, _, pick) in EXTREMES.iter().filter(|(_, m, _)| *m == method) {
            let value = map.get(*name).map_or(score, |&seen| pick(seen, score));
            map.insert((*name).to_owned(), value);
        }
    }
}

/// The tested columns with a finite score.
fn tested(columns: &[ColumnDrift]) -> impl Iterator<Item = (&str, DriftMethod, f64)> {
    columns
        .iter()
        .filter_map(|c| Some((c.column.as_str(), c.method?, c.score?)))
        .filter(|(_, _, score)| score.is_finite())
}

fn insert(map: &mut MetricMap, name: String, value: f64) {
    if value.is_finite() {
        map.insert(name, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{drift_column, drift_report};

    #[test]
    fn drift_extremes_use_only_their_method() {
        let report = drift_report(vec![
            drift_column("a", DriftMethod::Psi, 0.3, true),
            drift_column("b", DriftMethod::Psi, 0.05, false),
            drift_column("c", DriftMethod::Ks, 0.2, false),
            drift_column("d", DriftMethod::Ks, 0.01, true),
            drift_column("e", DriftMethod::Chisquare, 0.5, false),
        ]);
        let map = build_metric_map(
            &report,
            &[drift_column("a", DriftMethod::Ks, 0.001, true)],
            None,
            None,
            12.5,
        );
        assert_eq!(map["drift.share"], 0.4);
        assert_eq!(map["drift.max_psi"], 0.3);
        assert_eq!(map["drift.min_ks_pvalue"], 0.01);
        assert!(!map.contains_key("drift.max_wasserstein"));
        assert!(!map.contains_key("drift.max_jensenshannon"));
        assert_eq!(map["drift.column.e.chisquare"], 0.5);
        assert_eq!(map["drift.column.a.psi"], 0.3);
        // A re-tested column adds its own metric, not to the dataset-level extremes.
        assert_eq!(map["drift.column.a.ks"], 0.001);
        assert_eq!(map["risk.score"], 12.5);
        assert!(!map.keys().any(|k| k.starts_with("fairness.")));
    }

    #[test]
    fn no_feature_column_no_share() {
        let map = build_metric_map(&drift_report(vec![]), &[], None, None, 0.0);
        assert_eq!(map.keys().collect::<Vec<_>>(), ["risk.score"]);
    }

    #[test]
    fn fairness_and_performance_are_flattened_without_undefined_values() {
        let fairness = FairnessMetrics {
            disparate_impact: Some(0.7),
            equalized_odds_difference: Some(0.12),
            equal_opportunity_ratio: Some(0.9),
            ..FairnessMetrics::default()
        };
        let current = crate::test_support::classification(0.8);
        let drop = BTreeMap::from([("accuracy".to_owned(), 0.05), ("f1".to_owned(), f64::NAN)]);
        let performance = PerformanceInput {
            current: &current,
            drop: Some(&drop),
        };
        let map = build_metric_map(
            &drift_report(vec![]),
            &[],
            Some(&fairness),
            Some(performance),
            1.0,
        );
        assert_eq!(map["fairness.disparate_impact"], 0.7);
        assert_eq!(map["fairness.equalized_odds_difference"], 0.12);
        assert!(!map.contains_key("fairness.demographic_parity_difference"));
        // Not in the catalogue, so not in the map.
        assert!(!map.contains_key("fairness.equal_opportunity_ratio"));
        assert_eq!(map["performance.accuracy"], 0.8);
        assert_eq!(map["performance.accuracy_drop"], 0.05);
        assert!(!map.contains_key("performance.f1_drop"));
        assert!(!map.contains_key("performance.mae"));
    }
}
