//! Model performance as scikit-learn defines it: binary classification (accuracy,
//! precision, recall, f1, ROC AUC) and regression (MAE, RMSE, R²), plus the drop from a
//! reference baseline.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::dataset::{ColumnRoles, Dataset};
use crate::error::StatsError;
use crate::outcome;
use crate::prepared::Reference;
use crate::sort::sorted_present;
use crate::special::{mean_and_m2, np_sum, sum_by};

/// What the model does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Task {
    /// Predicts 0/1 (with an optional score column holding P(1)).
    BinaryClassification,
    /// Predicts a number.
    Regression,
}

impl Task {
    /// The name used in JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BinaryClassification => "binary_classification",
            Self::Regression => "regression",
        }
    }
}

impl fmt::Display for Task {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Task {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "binary_classification" | "classification" | "binary" => Ok(Self::BinaryClassification),
            "regression" => Ok(Self::Regression),
            other => Err(format!(
                "unknown task `{other}` (expected `binary_classification` or `regression`)"
            )),
        }
    }
}

/// Metrics of one dataset; those that do not apply to the task, or are undefined, are
/// `None`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PerformanceMetrics {
    /// The task.
    pub task: Task,
    /// Rows with both a prediction and a label.
    pub rows: usize,
    /// Share of correct predictions.
    pub accuracy: Option<f64>,
    /// tp / (tp + fp), 0 when nothing is predicted positive.
    pub precision: Option<f64>,
    /// tp / (tp + fn), 0 without positives.
    pub recall: Option<f64>,
    /// 2tp / (2tp + fp + fn), 0 when that is 0/0.
    pub f1: Option<f64>,
    /// Area under the ROC curve of the score column; `None` without a score column or
    /// when the labels hold a single class.
    pub roc_auc: Option<f64>,
    /// Mean absolute error.
    pub mae: Option<f64>,
    /// Root mean squared error.
    pub rmse: Option<f64>,
    /// Coefficient of determination (1 for a perfect fit of a constant label, 0 for an
    /// imperfect one, as scikit-learn).
    pub r2: Option<f64>,
}

impl PerformanceMetrics {
    fn empty(task: Task, rows: usize) -> Self {
        Self {
            task,
            rows,
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

    /// The defined metrics by name (`accuracy`, `roc_auc`, `rmse`, …).
    pub fn to_map(&self) -> BTreeMap<&'static str, f64> {
        [
            ("accuracy", self.accuracy),
            ("precision", self.precision),
            ("recall", self.recall),
            ("f1", self.f1),
            ("roc_auc", self.roc_auc),
            ("mae", self.mae),
            ("rmse", self.rmse),
            ("r2", self.r2),
        ]
        .into_iter()
        .filter_map(|(name, value)| Some((name, value?)))
        .collect()
    }
}

/// Baseline (reference) against current metrics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PerformanceComparison {
    /// Metrics on the reference data.
    pub baseline: PerformanceMetrics,
    /// Metrics on the current data.
    pub current: PerformanceMetrics,
    /// `baseline − current` for every metric defined on both sides, by metric name.
    pub drop: BTreeMap<String, f64>,
}

/// Metrics of the prediction (and score) against the label of `dataset`. Rows missing
/// the prediction or the label are left out.
pub fn evaluate(
    dataset: &Dataset,
    task: Task,
    roles: &ColumnRoles,
) -> Result<PerformanceMetrics, StatsError> {
    let (pname, pcol) = outcome::column(dataset, roles.prediction.as_deref(), "prediction")?;
    let (lname, lcol) = outcome::column(dataset, roles.label.as_deref(), "label")?;
    match task {
        Task::BinaryClassification => {
            let prediction = outcome::binary(pname, pcol)?;
            let label = outcome::binary(lname, lcol)?;
            let mut metrics = classification(&prediction, &label);
            if let Some(score) = roles.score.as_deref() {
                let (sname, scol) = outcome::column(dataset, Some(score), "score")?;
                let score = outcome::numbers(sname, scol)?;
                metrics.roc_auc = roc_auc(&score, &label);
            }
            Ok(metrics)
        }
        Task::Regression => {
            let prediction = outcome::numbers(pname, pcol)?;
            let label = outcome::numbers(lname, lcol)?;
            Ok(regression(&prediction, &label))
        }
    }
}

/// Metrics on `reference` (the baseline) and `current`, and the drop between them. A
/// prepared reference's baseline is worked out once ([`Reference::performance`]).
pub fn compare<'a>(
    reference: impl Into<Reference<'a>>,
    current: &Dataset,
    task: Task,
    roles: &ColumnRoles,
) -> Result<PerformanceComparison, StatsError> {
    let reference = reference.into();
    // Independent passes (each with a sort for ROC AUC): run them side by side.
    let (baseline, current) = rayon::join(
        || reference.performance(task, roles),
        || evaluate(current, task, roles),
    );
    let (baseline, current) = (baseline?, current?);
    let now = current.to_map();
    let drop = baseline
        .to_map()
        .into_iter()
        .filter_map(|(name, base)| Some((name.to_owned(), base - now.get(name)?)))
        .collect();
    Ok(PerformanceComparison {
        baseline,
        current,
        drop,
    })
}

fn classification(prediction: &[u8], label: &[u8]) -> PerformanceMetrics {
    let (mut tp, mut fp, mut fn_, mut tn) = (0u64, 0u64, 0u64, 0u64);
    for (&p, &y) in prediction.iter().zip(label) {
        match (p, y) {
            (1, 1) => tp += 1,
            (1, 0) => fp += 1,
            (0, 1) => fn_ += 1,
            (0, 0) => tn += 1,
            _ => {}
        }
    }
    let rows = tp + fp + fn_ + tn;
    let mut metrics = PerformanceMetrics::empty(Task::BinaryClassification, rows as usize);
    if rows == 0 {
        return metrics;
    }
    let zero_division = |num: u64, den: u64| {
        if den == 0 {
            0.0
        } else {
            num as f64 / den as f64
        }
    };
    metrics.accuracy = Some((tp + tn) as f64 / rows as f64);
    metrics.precision = Some(zero_division(tp, tp + fp));
    metrics.recall = Some(zero_division(tp, tp + fn_));
    metrics.f1 = Some(zero_division(2 * tp, 2 * tp + fp + fn_));
    metrics
}

/// scikit-learn's `roc_auc_score`: trapezoids over the distinct score thresholds.
fn roc_auc(score: &[f64], label: &[u8]) -> Option<f64> {
    let pick = |class: u8| -> Vec<f64> {
        let values: Vec<f64> = score
            .iter()
            .zip(label)
            .map(|(&s, &y)| if y == class { s } else { f64::NAN })
            .collect();
        sorted_present(&values)
    };
    let (pos, neg) = (pick(1), pick(0));
    if pos.is_empty() || neg.is_empty() {
        return None;
    }
    // Walk thresholds from the highest score down; each distinct score adds a point
    // (fpr, tpr) and a trapezoid under the curve.
    let (np, nn) = (pos.len() as f64, neg.len() as f64);
    let (mut i, mut j) = (pos.len(), neg.len());
    let (mut fpr, mut tpr) = (0.0, 0.0);
    let mut areas = Vec::new();
    while i > 0 || j > 0 {
        let t = match (
            i.checked_sub(1).map(|k| pos[k]),
            j.checked_sub(1).map(|k| neg[k]),
        ) {
            (Some(a), Some(b)) => a.max(b),
            (Some(a), None) => a,
            (None, Some(b)) => b,
            (None, None) => break,
        };
        while i > 0 && pos[i - 1] >= t {
            i -= 1;
        }
        while j > 0 && neg[j - 1] >= t {
            j -= 1;
        }
        let (f, r) = ((neg.len() - j) as f64 / nn, (pos.len() - i) as f64 / np);
        areas.push((f - fpr) * (r + tpr) / 2.0);
        (fpr, tpr) = (f, r);
    }
    Some(np_sum(&areas))
}

fn regression(prediction: &[f64], label: &[f64]) -> PerformanceMetrics {
    let (labels, errors): (Vec<f64>, Vec<f64>) = prediction
        .iter()
        .zip(label)
        .filter(|(p, y)| !p.is_nan() && !y.is_nan())
        .map(|(&p, &y)| (y, y - p))
        .unzip();
    let mut metrics = PerformanceMetrics::empty(Task::Regression, labels.len());
    if labels.is_empty() {
        return metrics;
    }
    let n = labels.len() as f64;
    let squares = sum_by(&errors, |e| e * e);
    metrics.mae = Some(sum_by(&errors, f64::abs) / n);
    metrics.rmse = Some((squares / n).sqrt());
    if labels.len() >= 2 {
        let (_, spread) = mean_and_m2(&labels);
        metrics.r2 = Some(match (squares == 0.0, spread == 0.0) {
            (_, false) => 1.0 - squares / spread,
            (true, true) => 1.0,
            (false, true) => 0.0,
        });
    }
    metrics
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roc_auc_with_ties_like_sklearn() {
        // roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) = 0.75
        assert_eq!(roc_auc(&[0.1, 0.4, 0.35, 0.8], &[0, 0, 1, 1]), Some(0.75));
        // roc_auc_score([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9]) = 0.875 (a tie counts half)
        assert_eq!(roc_auc(&[0.5, 0.5, 0.2, 0.9], &[0, 1, 0, 1]), Some(0.875));
        assert_eq!(roc_auc(&[0.5, 0.6], &[1, 1]), None);
    }

    #[test]
    fn classification_with_zero_division() {
        let m = classification(&[0, 0, 0], &[0, 1, 0]);
        assert_eq!(m.precision, Some(0.0));
        assert_eq!(m.recall, Some(0.0));
        assert_eq!(m.f1, Some(0.0));
        assert_eq!(m.accuracy, Some(2.0 / 3.0));
    }

    #[test]
    fn r2_edge_cases_like_sklearn() {
        assert_eq!(regression(&[1.0, 1.0], &[1.0, 1.0]).r2, Some(1.0));
        assert_eq!(regression(&[1.0, 2.0], &[1.0, 1.0]).r2, Some(0.0));
        assert_eq!(regression(&[1.0], &[2.0]).r2, None);
        let m = regression(&[2.5, 0.0, 2.0, 8.0], &[3.0, -0.5, 2.0, 7.0]);
        // sklearn: mae 0.5, rmse 0.6123724356957945, r2 0.9486081370449679
        assert_eq!(m.mae, Some(0.5));
        assert!((m.rmse.unwrap_or_default() - 0.612_372_435_695_794_5).abs() < 1e-15);
        assert!((m.r2.unwrap_or_default() - 0.948_608_137_044_967_9).abs() < 1e-15);
    }
}
