//! Data drift between a reference and a current dataset, per feature column, with
//! Evidently's default method choice, binning and thresholds.

mod distance;
mod kolmogorov;
mod ks;

pub use ks::MAX_EXACT_WORK_PER_COMPARISON;
mod proportions;
mod sample;
mod summary;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::dataset::{ColumnKind, ColumnRoles, Dataset};
use crate::error::StatsError;
use crate::prepared::Reference;
pub use kolmogorov::kstwo_sf;
use sample::Sample;
pub use summary::{CategoryCount, Quantiles, SideSummary};

/// A drift test or distance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DriftMethod {
    /// Two-sample Kolmogorov–Smirnov test (p-value), numeric columns.
    Ks,
    /// Population stability index.
    Psi,
    /// Wasserstein distance normed by the reference standard deviation, numeric columns.
    Wasserstein,
    /// Jensen–Shannon distance (natural log).
    Jensenshannon,
    /// Chi-square goodness-of-fit test (p-value).
    Chisquare,
    /// Two-proportion z-test (p-value).
    Ztest,
    /// Kullback–Leibler divergence of reference from current.
    KlDiv,
    /// Hellinger distance.
    Hellinger,
}

impl DriftMethod {
    /// All methods.
    pub const ALL: [Self; 8] = [
        Self::Ks,
        Self::Psi,
        Self::Wasserstein,
        Self::Jensenshannon,
        Self::Chisquare,
        Self::Ztest,
        Self::KlDiv,
        Self::Hellinger,
    ];

    /// The name used in JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ks => "ks",
            Self::Psi => "psi",
            Self::Wasserstein => "wasserstein",
            Self::Jensenshannon => "jensenshannon",
            Self::Chisquare => "chisquare",
            Self::Ztest => "ztest",
            Self::KlDiv => "kl_div",
            Self::Hellinger => "hellinger",
        }
    }

    /// True when the score is a p-value (small = drift); false for distances.
    pub fn is_p_value(self) -> bool {
        matches!(self, Self::Ks | Self::Chisquare | Self::Ztest)
    }

    /// Evidently's default threshold: 0.05 for p-values, 0.1 for distances.
    pub fn default_threshold(self) -> f64 {
        if self.is_p_value() { 0.05 } else { 0.1 }
    }

    /// Evidently's decision: `ks` drifts when p ≤ threshold, the other tests when
    /// p < threshold, distances when the value ≥ threshold.
    pub fn drifted(self, score: f64, threshold: f64) -> bool {
        match self {
            Self::Ks => score <= threshold,
            Self::Chisquare | Self::Ztest => score < threshold,
            _ => score >= threshold,
        }
    }
}

impl fmt::Display for DriftMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DriftMethod {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|m| m.as_str() == wanted)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|m| m.as_str()).collect();
                format!(
                    "unknown drift method `{s}` (expected one of {})",
                    names.join(", ")
                )
            })
    }
}

/// Method and threshold for one column.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ColumnDriftOptions {
    /// The method; `None` = the global one, else Evidently's default.
    pub method: Option<DriftMethod>,
    /// The threshold; `None` = the global one, else the method's default.
    pub threshold: Option<f64>,
}

/// How to compare two datasets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DriftOptions {
    /// Method for every column without its own; `None` = Evidently's default choice.
    pub method: Option<DriftMethod>,
    /// Method for numeric columns without their own (overrides `method` for them).
    pub numeric_method: Option<DriftMethod>,
    /// Method for categorical columns without their own (overrides `method` for them).
    pub categorical_method: Option<DriftMethod>,
    /// Threshold for every column without its own; `None` = the method's default.
    pub threshold: Option<f64>,
    /// Per-column overrides by column name.
    pub columns: BTreeMap<String, ColumnDriftOptions>,
    /// The dataset drifts when the share of drifted columns is at least this (0.5).
    pub share_threshold: f64,
    /// Most exact Kolmogorov–Smirnov steps the comparison may take over all its columns
    /// (default [`MAX_EXACT_WORK_PER_COMPARISON`], about 2–4 s of one core); past it the
    /// comparison is refused with [`StatsError::TooMuchExactWork`].
    pub exact_ks_budget: u64,
}

impl Default for DriftOptions {
    fn default() -> Self {
        Self {
            method: None,
            numeric_method: None,
            categorical_method: None,
            threshold: None,
            columns: BTreeMap::new(),
            share_threshold: 0.5,
            exact_ks_budget: MAX_EXACT_WORK_PER_COMPARISON,
        }
    }
}

/// Binned shares of both sides, for plots (and the binned methods).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bins {
    /// Bin edges (numeric columns binned by width); `None` when bins are values.
    pub edges: Option<Vec<f64>>,
    /// One label per bin when bins are values (categories, or the few values of a
    /// numeric column); `None` with edges.
    pub labels: Option<Vec<String>>,
    /// Share of the reference's present values in each bin.
    pub reference: Vec<f64>,
    /// Share of the current's present values in each bin.
    pub current: Vec<f64>,
}

/// Drift of one column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnDrift {
    /// Column name.
    pub column: String,
    /// Kind the column was compared as.
    pub kind: ColumnKind,
    /// The method applied; `None` when the column could not be tested.
    pub method: Option<DriftMethod>,
    /// The test statistic (KS D, chi-square, z) or, for distances, the distance; `None`
    /// when untested or infinite (chi-square with a value the reference never had).
    pub statistic: Option<f64>,
    /// The value compared with the threshold: a p-value or a distance.
    pub score: Option<f64>,
    /// The threshold applied.
    pub threshold: Option<f64>,
    /// Whether the column drifted.
    pub drifted: bool,
    /// Why there is no test, when there is none.
    pub reason: Option<String>,
    /// The reference side.
    pub reference: SideSummary,
    /// The current side.
    pub current: SideSummary,
    /// Binned shares for plots; `None` when a side has no present value.
    pub bins: Option<Bins>,
}

/// Drift of a dataset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriftReport {
    /// Per feature column, in file order.
    pub columns: Vec<ColumnDrift>,
    /// Number of drifted columns.
    pub drifted_columns: usize,
    /// Number of feature columns.
    pub total_columns: usize,
    /// `drifted_columns / total_columns` (0 when there is no column).
    pub share: f64,
    /// The share at which the dataset drifts.
    pub share_threshold: f64,
    /// `share >= share_threshold` (and at least one column).
    pub dataset_drifted: bool,
}

/// Compares every feature column of `reference` (a [`Dataset`] or a
/// [`PreparedReference`](crate::PreparedReference)) with the same column of `current`; a
/// prepared reference gives the same report to the last bit as the dataset it was prepared
/// from.
///
/// Features are the reference's columns without a role; each must exist in `current`.
/// Missing values (and ±inf) are dropped from each side separately; a column with no
/// present value on a side is reported untested and not drifted.
pub fn compare<'a>(
    reference: impl Into<Reference<'a>>,
    current: &Dataset,
    roles: &ColumnRoles,
    options: &DriftOptions,
) -> Result<DriftReport, StatsError> {
    let reference = reference.into();
    validate(options)?;
    let features = roles.features(reference.names());
    let pairs = features
        .iter()
        .map(|&name| {
            let missing = |side| StatsError::MissingColumn {
                column: name.to_owned(),
                side,
            };
            let r = reference.column(name).ok_or_else(|| missing("reference"))?;
            let c = current.column(name).ok_or_else(|| missing("current"))?;
            Ok((name, r, c))
        })
        .collect::<Result<Vec<_>, StatsError>>()?;
    for name in options.columns.keys() {
        if !features.contains(&name.as_str()) {
            return Err(StatsError::MissingColumn {
                column: name.clone(),
                side: "reference",
            });
        }
    }

    let budget = ks::ExactBudget::new(options.exact_ks_budget);
    let columns: Vec<ColumnDrift> = pairs
        .into_par_iter()
        .map(|(name, r, c)| {
            let sample = Sample::new(r, c);
            let own = options.columns.get(name).copied().unwrap_or_default();
            let by_kind = match sample.kind() {
                ColumnKind::Numeric => options.numeric_method,
                ColumnKind::Categorical => options.categorical_method,
            };
            let method = own.method.or(by_kind).or(options.method);
            let threshold = own.threshold.or(options.threshold);
            column_drift(name, sample, method, threshold, &budget)
        })
        .collect::<Result<_, _>>()
        .map_err(|ks::OverBudget| StatsError::TooMuchExactWork {
            limit: options.exact_ks_budget,
        })?;

    let drifted_columns = columns.iter().filter(|c| c.drifted).count();
    let total_columns = columns.len();
    let share = if total_columns == 0 {
        0.0
    } else {
        drifted_columns as f64 / total_columns as f64
    };
    Ok(DriftReport {
        columns,
        drifted_columns,
        total_columns,
        share,
        share_threshold: options.share_threshold,
        dataset_drifted: total_columns > 0 && share >= options.share_threshold,
    })
}

fn validate(options: &DriftOptions) -> Result<(), StatsError> {
    let bad = |target: &str, value: f64| StatsError::InvalidThreshold {
        target: target.to_owned(),
        value,
    };
    if !(0.0..=1.0).contains(&options.share_threshold) {
        return Err(bad("share", options.share_threshold));
    }
    let thresholds = options
        .columns
        .iter()
        .filter_map(|(name, o)| Some((name.as_str(), o.threshold?)))
        .chain(options.threshold.map(|t| ("all columns", t)));
    for (target, t) in thresholds {
        if !t.is_finite() || t < 0.0 {
            return Err(bad(target, t));
        }
    }
    Ok(())
}

/// Evidently's default method for a column: `reference` = present reference values (it
/// picks the test after dropping missing values), `distinct` = distinct present values
/// of both sides (counting up to 6 is enough).
fn default_method(kind: ColumnKind, reference: usize, distinct: usize) -> DriftMethod {
    match (reference <= 1000, kind) {
        (true, ColumnKind::Numeric) if distinct > 5 => DriftMethod::Ks,
        (true, ColumnKind::Numeric) if distinct >= 3 => DriftMethod::Chisquare,
        (true, ColumnKind::Categorical) if distinct > 2 => DriftMethod::Chisquare,
        (true, _) => DriftMethod::Ztest,
        (false, ColumnKind::Numeric) if distinct > 5 => DriftMethod::Wasserstein,
        (false, _) => DriftMethod::Jensenshannon,
    }
}

/// Outcome of one method on one column.
pub(crate) struct Outcome {
    pub(crate) statistic: f64,
    pub(crate) score: f64,
}

fn column_drift(
    name: &str,
    sample: Sample<'_>,
    method: Option<DriftMethod>,
    threshold: Option<f64>,
    budget: &ks::ExactBudget,
) -> Result<ColumnDrift, ks::OverBudget> {
    let kind = sample.kind();
    let (reference, current) = sample.summaries();
    let mut result = ColumnDrift {
        column: name.to_owned(),
        kind,
        method: None,
        statistic: None,
        score: None,
        threshold: None,
        drifted: false,
        reason: None,
        reference,
        current,
        bins: None,
    };
    if let Some(side) = sample.empty_side() {
        result.reason = Some(format!("no present value in the {side} data"));
        return Ok(result);
    }
    let present = sample.present().0;
    let method = method.unwrap_or_else(|| default_method(kind, present, sample.distinct(6)));
    let threshold = threshold.unwrap_or_else(|| method.default_threshold());
    let binned = sample.binned();
    let outcome = sample.run(method, &binned, budget)?;
    let (n_ref, n_cur) = sample.present();
    result.bins = Some(binned.into_bins(n_ref, n_cur));
    match outcome {
        Some(Outcome { statistic, score }) => {
            result.method = Some(method);
            // An infinite chi-square (a value new to the reference) has no JSON number.
            result.statistic = Some(statistic).filter(|s| s.is_finite());
            result.score = Some(score);
            result.threshold = Some(threshold);
            result.drifted = method.drifted(score, threshold);
        }
        None => {
            result.reason = Some(format!(
                "method `{method}` does not apply to a {kind} column"
            ));
        }
    }
    Ok(result)
}
