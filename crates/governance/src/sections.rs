//! The fairness and performance sections of an evaluation, shaped as SPEC §3 "Bodies" names
//! them, and the drift report's wire form (`bins.categories` where the statistics engine
//! says `labels`).

use std::collections::BTreeMap;

use driftguard_core::Task;
use driftguard_stats::fairness::{FairnessMetrics, FairnessReport, GroupMetrics};
use driftguard_stats::performance::PerformanceMetrics;
use serde::{Deserialize, Serialize};

/// Fairness of one sensitive column: its groups and the between-group metrics beside them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FairnessColumn {
    /// The sensitive column.
    pub column: String,
    /// Per group, in sorted group order.
    pub groups: Vec<GroupMetrics>,
    /// The between-group metrics, flattened into the column's object.
    #[serde(flatten)]
    pub metrics: FairnessMetrics,
    /// Undefined rates and why.
    pub warnings: Vec<String>,
}

/// Fairness of every sensitive column, with the worst of each metric flattened beside them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FairnessSection {
    /// Per sensitive column.
    pub columns: Vec<FairnessColumn>,
    /// The worst value over the columns (largest difference, smallest ratio): the policy
    /// metrics `fairness.<metric>`.
    #[serde(flatten)]
    pub worst: FairnessMetrics,
}

impl From<FairnessReport> for FairnessSection {
    fn from(report: FairnessReport) -> Self {
        Self {
            columns: report
                .columns
                .into_iter()
                .map(|c| FairnessColumn {
                    column: c.column,
                    groups: c.groups,
                    metrics: c.metrics,
                    warnings: c.warnings,
                })
                .collect(),
            worst: report.worst,
        }
    }
}

/// Performance on the current data and, when the reference has labels and predictions, the
/// baseline on the reference and the drop `baseline − current` per metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PerformanceSection {
    /// The model's task.
    pub task: Task,
    /// Metrics on the current data.
    pub current: PerformanceMetrics,
    /// Metrics on the reference data.
    pub baseline: Option<PerformanceMetrics>,
    /// `baseline − current` for every metric defined on both sides.
    pub drop: Option<BTreeMap<String, f64>>,
}

/// `#[serde(with)]` for a `DriftReport`: each column's `bins.labels` travels as
/// `bins.categories`, and the one of `edges` / `categories` that does not apply is left out.
pub mod drift_wire {
    use driftguard_stats::drift::DriftReport;
    use serde::de::Error as _;
    use serde::ser::Error as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use serde_json::Value;

    /// Writes the report with SPEC's bin names.
    pub fn serialize<S: Serializer>(
        report: &DriftReport,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let mut value = serde_json::to_value(report).map_err(S::Error::custom)?;
        for bins in bins_of(&mut value) {
            if let Some(labels) = bins.remove("labels") {
                bins.insert("categories".to_owned(), labels);
            }
            bins.retain(|key, v| !(matches!(key.as_str(), "edges" | "categories") && v.is_null()));
        }
        value.serialize(serializer)
    }

    /// Reads a report written by [`serialize`].
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<DriftReport, D::Error> {
        let mut value = Value::deserialize(deserializer)?;
        for bins in bins_of(&mut value) {
            let labels = bins.remove("categories").unwrap_or(Value::Null);
            bins.insert("labels".to_owned(), labels);
            bins.entry("edges").or_insert(Value::Null);
        }
        serde_json::from_value(value).map_err(D::Error::custom)
    }

    /// The `bins` object of every column that has one.
    fn bins_of(report: &mut Value) -> impl Iterator<Item = &mut serde_json::Map<String, Value>> {
        report
            .get_mut("columns")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
            .filter_map(|column| column.get_mut("bins")?.as_object_mut())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{drift_column, drift_report};
    use driftguard_stats::drift::{Bins, DriftMethod, DriftReport};

    #[derive(Serialize, Deserialize)]
    struct Wrapper(#[serde(with = "drift_wire")] DriftReport);

    #[test]
    fn bins_travel_as_edges_or_categories_and_read_back() {
        let mut categorical = drift_column("city", DriftMethod::Jensenshannon, 0.2, true);
        categorical.bins = Some(Bins {
            edges: None,
            labels: Some(vec!["Oslo".into(), "Rome".into()]),
            reference: vec![0.5, 0.5],
            current: vec![0.9, 0.1],
        });
        let mut numeric = drift_column("age", DriftMethod::Wasserstein, 0.05, false);
        numeric.bins = Some(Bins {
            edges: Some(vec![0.0, 1.0, 2.0]),
            labels: None,
            reference: vec![0.5, 0.5],
            current: vec![0.4, 0.6],
        });
        let report = drift_report(vec![
            categorical,
            numeric,
            drift_column("x", DriftMethod::Ks, 0.5, false),
        ]);
        let json = serde_json::to_value(Wrapper(report.clone())).expect("serialises");
        let bins = &json["columns"][0]["bins"];
        assert_eq!(bins["categories"], serde_json::json!(["Oslo", "Rome"]));
        assert!(bins.get("edges").is_none() && bins.get("labels").is_none());
        let bins = &json["columns"][1]["bins"];
        assert_eq!(bins["edges"], serde_json::json!([0.0, 1.0, 2.0]));
        assert!(bins.get("categories").is_none());
        assert!(json["columns"][2]["bins"].is_null());
        let back: Wrapper = serde_json::from_value(json).expect("reads back");
        assert_eq!(back.0, report);
    }

    #[test]
    fn fairness_metrics_sit_beside_the_columns() {
        let metrics = FairnessMetrics {
            disparate_impact: Some(0.75),
            ..FairnessMetrics::default()
        };
        let section = FairnessSection {
            columns: vec![FairnessColumn {
                column: "group".into(),
                groups: vec![],
                metrics,
                warnings: vec![],
            }],
            worst: metrics,
        };
        let json = serde_json::to_value(&section).expect("serialises");
        assert_eq!(json["disparate_impact"], 0.75);
        assert_eq!(json["columns"][0]["disparate_impact"], 0.75);
        assert!(json["columns"][0].get("metrics").is_none());
        let back: FairnessSection = serde_json::from_value(json).expect("reads back");
        assert_eq!(back, section);
    }
}
