//! Summary statistics of one side of a column, shown beside its drift result.

use serde::{Deserialize, Serialize};

use crate::special::mean_and_m2;

/// How many categories a summary lists.
const TOP_CATEGORIES: usize = 10;

/// Quantiles with numpy's default linear interpolation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Quantiles {
    /// 5th percentile.
    pub p05: f64,
    /// First quartile.
    pub p25: f64,
    /// Median.
    pub p50: f64,
    /// Third quartile.
    pub p75: f64,
    /// 95th percentile.
    pub p95: f64,
}

/// A category and how often it occurs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryCount {
    /// The label.
    pub value: String,
    /// Number of rows.
    pub count: u64,
    /// Share of the present values.
    pub share: f64,
}

/// One side (reference or current) of a column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SideSummary {
    /// Number of rows.
    pub rows: usize,
    /// Number of present (non-missing) values.
    pub count: usize,
    /// Number of missing values.
    pub missing: usize,
    /// `missing / rows` (0 without rows).
    pub missing_share: f64,
    /// Number of distinct present values.
    pub distinct: usize,
    /// Mean (numeric columns with a value).
    pub mean: Option<f64>,
    /// Sample standard deviation, ddof = 1 (numeric columns with two values or more).
    pub std: Option<f64>,
    /// Smallest value (numeric).
    pub min: Option<f64>,
    /// Largest value (numeric).
    pub max: Option<f64>,
    /// Quantiles (numeric).
    pub quantiles: Option<Quantiles>,
    /// The most frequent categories, most frequent first (categorical).
    pub top_categories: Option<Vec<CategoryCount>>,
}

impl SideSummary {
    fn counts(rows: usize, count: usize, distinct: usize) -> Self {
        let missing = rows.saturating_sub(count);
        Self {
            rows,
            count,
            missing,
            missing_share: if rows == 0 {
                0.0
            } else {
                missing as f64 / rows as f64
            },
            distinct,
            mean: None,
            std: None,
            min: None,
            max: None,
            quantiles: None,
            top_categories: None,
        }
    }
}

/// Summary of a numeric side from its sorted present values.
pub(crate) fn numeric(sorted: &[f64], rows: usize) -> SideSummary {
    let distinct = 1 + sorted.windows(2).filter(|w| w[0] != w[1]).count();
    let mut summary = SideSummary::counts(rows, sorted.len(), distinct.min(sorted.len()));
    let (Some(&min), Some(&max)) = (sorted.first(), sorted.last()) else {
        return summary;
    };
    let (mean, m2) = mean_and_m2(sorted);
    if sorted.len() > 1 {
        summary.std = Some((m2 / (sorted.len() - 1) as f64).sqrt());
    }
    summary.mean = Some(mean);
    summary.min = Some(min);
    summary.max = Some(max);
    summary.quantiles = Some(Quantiles {
        p05: quantile(sorted, 0.05),
        p25: quantile(sorted, 0.25),
        p50: quantile(sorted, 0.5),
        p75: quantile(sorted, 0.75),
        p95: quantile(sorted, 0.95),
    });
    summary
}

/// numpy's linear-interpolation quantile of sorted, non-empty data.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    let frac = pos - lo as f64;
    sorted[lo] + (sorted[hi] - sorted[lo]) * frac
}

/// Summary of a categorical side from its counts over `labels`.
pub(crate) fn categorical(labels: &[String], counts: &[u64], rows: usize) -> SideSummary {
    let count = counts.iter().sum::<u64>() as usize;
    let distinct = counts.iter().filter(|&&c| c > 0).count();
    let mut summary = SideSummary::counts(rows, count, distinct);
    let mut order: Vec<usize> = (0..labels.len()).filter(|&i| counts[i] > 0).collect();
    // Most frequent first; ties keep label order (the sort is stable).
    order.sort_by(|&a, &b| counts[b].cmp(&counts[a]));
    summary.top_categories = Some(
        order
            .into_iter()
            .take(TOP_CATEGORIES)
            .map(|i| CategoryCount {
                value: labels[i].clone(),
                count: counts[i],
                share: counts[i] as f64 / count as f64,
            })
            .collect(),
    );
    summary
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_summary_by_hand() {
        let s = numeric(&[1.0, 2.0, 3.0, 4.0], 5);
        assert_eq!((s.rows, s.count, s.missing, s.distinct), (5, 4, 1, 4));
        assert_eq!(s.missing_share, 0.2);
        assert_eq!(s.mean, Some(2.5));
        assert!((s.std.unwrap_or_default() - 1.290_994_448_735_805_6).abs() < 1e-15);
        let q = s.quantiles.expect("quantiles");
        assert_eq!((q.p25, q.p50, q.p75), (1.75, 2.5, 3.25));
        let empty = numeric(&[], 3);
        assert_eq!((empty.count, empty.missing, empty.mean), (0, 3, None));
    }

    #[test]
    fn categorical_summary_orders_by_count() {
        let labels = ["a".to_owned(), "b".to_owned(), "c".to_owned()];
        let s = categorical(&labels, &[1, 3, 0], 4);
        let top = s.top_categories.expect("top");
        assert_eq!(top[0].value, "b");
        assert_eq!(top.len(), 2);
        assert_eq!(s.distinct, 2);
    }
}
