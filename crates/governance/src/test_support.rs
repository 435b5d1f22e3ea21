//! Builders of statistics results and stored policies for the unit tests.

use driftguard_core::{PolicyId, Timestamp};
use driftguard_stats::ColumnKind;
use driftguard_stats::drift::{ColumnDrift, DriftMethod, DriftReport, SideSummary};
use driftguard_stats::performance::{PerformanceMetrics, Task};

use crate::policy::{Policy, PolicyDraft};

fn side() -> SideSummary {
    SideSummary {
        rows: 10,
        count: 10,
        missing: 0,
        missing_share: 0.0,
        distinct: 10,
        mean: None,
        std: None,
        min: None,
        max: None,
        quantiles: None,
        top_categories: None,
    }
}

/// A tested column with this method and score.
pub(crate) fn drift_column(
    name: &str,
    method: DriftMethod,
    score: f64,
    drifted: bool,
) -> ColumnDrift {
    ColumnDrift {
        column: name.to_owned(),
        kind: ColumnKind::Numeric,
        method: Some(method),
        statistic: Some(score),
        score: Some(score),
        threshold: Some(method.default_threshold()),
        drifted,
        reason: None,
        reference: side(),
        current: side(),
        bins: None,
    }
}

/// A report over these columns, with Evidently's share threshold.
pub(crate) fn drift_report(columns: Vec<ColumnDrift>) -> DriftReport {
    let drifted_columns = columns.iter().filter(|c| c.drifted).count();
    let total_columns = columns.len();
    let share = drifted_columns as f64 / total_columns.max(1) as f64;
    DriftReport {
        columns,
        drifted_columns,
        total_columns,
        share,
        share_threshold: 0.5,
        dataset_drifted: share >= 0.5,
    }
}

fn metrics(task: Task) -> PerformanceMetrics {
    PerformanceMetrics {
        task,
        rows: 100,
        accuracy: None,
        precision: None,
        recall: None,
        f1: None,
        roc_auc: None,
        mae: None,
        rmse: None,
        r2: None,
    }
}

/// Classification metrics with only this accuracy.
pub(crate) fn classification(accuracy: f64) -> PerformanceMetrics {
    PerformanceMetrics {
        accuracy: Some(accuracy),
        ..metrics(Task::BinaryClassification)
    }
}

/// Regression metrics with only these errors.
pub(crate) fn regression(mae: f64, rmse: f64) -> PerformanceMetrics {
    PerformanceMetrics {
        mae: Some(mae),
        rmse: Some(rmse),
        ..metrics(Task::Regression)
    }
}

/// A stored, active policy made of `draft`, at this version.
pub(crate) fn policy(id: i64, version: i32, draft: PolicyDraft) -> Policy {
    Policy {
        version,
        ..draft.into_policy(PolicyId(id), None, Timestamp::default())
    }
}
