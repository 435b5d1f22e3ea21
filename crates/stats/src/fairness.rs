//! Group fairness of a binary classifier, as Fairlearn computes it
//! (`method="between_groups"`, positive label 1).

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::dataset::{Column, ColumnRoles, Dataset, Limits, MISSING_CODE, canonical_number};
use crate::error::StatsError;
use crate::outcome::{self, MISSING};

/// Rates of one group of a sensitive column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupMetrics {
    /// The group's value.
    pub group: String,
    /// Rows of the group (with a prediction and a label).
    pub count: usize,
    /// Share of the group predicted 1.
    pub selection_rate: Option<f64>,
    /// True positive rate (recall on label 1); `None` without label-1 rows.
    pub tpr: Option<f64>,
    /// False positive rate; `None` without label-0 rows.
    pub fpr: Option<f64>,
    /// Share predicted correctly.
    pub accuracy: Option<f64>,
}

/// The between-group metrics; `None` where no two rates are defined to compare.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct FairnessMetrics {
    /// max − min selection rate.
    pub demographic_parity_difference: Option<f64>,
    /// min / max selection rate.
    pub demographic_parity_ratio: Option<f64>,
    /// Same as the demographic parity ratio (the four-fifths rule flags < 0.8).
    pub disparate_impact: Option<f64>,
    /// max − min true positive rate.
    pub equal_opportunity_difference: Option<f64>,
    /// min / max true positive rate.
    pub equal_opportunity_ratio: Option<f64>,
    /// max(TPR difference, FPR difference).
    pub equalized_odds_difference: Option<f64>,
    /// min(TPR ratio, FPR ratio).
    pub equalized_odds_ratio: Option<f64>,
}

/// Fairness over the groups of one sensitive column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SensitiveFairness {
    /// The sensitive column.
    pub column: String,
    /// Per group, in sorted group order.
    pub groups: Vec<GroupMetrics>,
    /// Between-group metrics.
    pub metrics: FairnessMetrics,
    /// Undefined rates and why.
    pub warnings: Vec<String>,
}

/// Fairness of every sensitive column, and the worst of each metric over them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FairnessReport {
    /// Per sensitive column.
    pub columns: Vec<SensitiveFairness>,
    /// The worst value over the columns: the largest difference, the smallest ratio.
    pub worst: FairnessMetrics,
}

/// Fairness of the prediction against the label per sensitive column; `Ok(None)` when
/// the roles name no sensitive column. Rows whose prediction, label or sensitive value
/// is missing are left out. A sensitive column may have at most the default
/// [`Limits::max_groups`] groups; [`evaluate_with_max_groups`] takes another limit.
pub fn evaluate(
    dataset: &Dataset,
    roles: &ColumnRoles,
) -> Result<Option<FairnessReport>, StatsError> {
    evaluate_with_max_groups(dataset, roles, Limits::default().max_groups)
}

/// [`evaluate`] with at most `max_groups` groups (distinct present values) per sensitive
/// column: a report with one entry per group (and per undefined rate) of a column of
/// millions of distinct values would be too large to keep, and is no fairness measure.
/// Checked before any group is labelled; more is [`StatsError::TooManyGroups`].
pub fn evaluate_with_max_groups(
    dataset: &Dataset,
    roles: &ColumnRoles,
    max_groups: usize,
) -> Result<Option<FairnessReport>, StatsError> {
    if roles.sensitive.is_empty() {
        return Ok(None);
    }
    let (pname, pcol) = outcome::column(dataset, roles.prediction.as_deref(), "prediction")?;
    let (lname, lcol) = outcome::column(dataset, roles.label.as_deref(), "label")?;
    let prediction = outcome::binary(pname, pcol)?;
    let label = outcome::binary(lname, lcol)?;
    let columns = roles
        .sensitive
        .iter()
        .map(|name| {
            let (_, column) = outcome::column(dataset, Some(name), "sensitive")?;
            sensitive(name, column, &prediction, &label, max_groups)
        })
        .collect::<Result<Vec<_>, StatsError>>()?;
    let worst = worst(columns.iter().map(|c| &c.metrics));
    Ok(Some(FairnessReport { columns, worst }))
}

/// Confusion counts of one group.
#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    n: u64,
    predicted_positive: u64,
    tp: u64,
    positives: u64,
    fp: u64,
    negatives: u64,
    correct: u64,
}

fn ratio(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

fn sensitive(
    name: &str,
    column: &Column,
    prediction: &[u8],
    label: &[u8],
    max_groups: usize,
) -> Result<SensitiveFairness, StatsError> {
    let too_many = |found: usize| StatsError::TooManyGroups {
        column: name.to_owned(),
        found,
        limit: max_groups,
    };
    let (groups, codes) = group_codes(column, max_groups).map_err(too_many)?;
    let mut counts = vec![Counts::default(); groups.len()];
    for ((&g, &p), &y) in codes.iter().zip(prediction).zip(label) {
        if g == MISSING_CODE || p == MISSING || y == MISSING {
            continue;
        }
        let c = &mut counts[g as usize];
        c.n += 1;
        c.predicted_positive += u64::from(p);
        c.correct += u64::from(p == y);
        if y == 1 {
            c.positives += 1;
            c.tp += u64::from(p);
        } else {
            c.negatives += 1;
            c.fp += u64::from(p);
        }
    }
    let mut warnings = Vec::new();
    let groups: Vec<GroupMetrics> = groups
        .into_iter()
        .zip(&counts)
        .filter(|(_, c)| c.n > 0)
        .map(|(group, c)| {
            if c.positives == 0 {
                warnings.push(format!(
                    "{name}={group}: no rows with label 1, true positive rate undefined"
                ));
            }
            if c.negatives == 0 {
                warnings.push(format!(
                    "{name}={group}: no rows with label 0, false positive rate undefined"
                ));
            }
            GroupMetrics {
                count: c.n as usize,
                selection_rate: ratio(c.predicted_positive, c.n),
                tpr: ratio(c.tp, c.positives),
                fpr: ratio(c.fp, c.negatives),
                accuracy: ratio(c.correct, c.n),
                group,
            }
        })
        .collect();
    let spread =
        |rate: fn(&GroupMetrics) -> Option<f64>| Spread::of(groups.iter().filter_map(rate));
    let selection = spread(|g| g.selection_rate);
    let tpr = spread(|g| g.tpr);
    let fpr = spread(|g| g.fpr);
    let metrics = FairnessMetrics {
        demographic_parity_difference: selection.difference(),
        demographic_parity_ratio: selection.ratio(),
        disparate_impact: selection.ratio(),
        equal_opportunity_difference: tpr.difference(),
        equal_opportunity_ratio: tpr.ratio(),
        equalized_odds_difference: combine(tpr.difference(), fpr.difference(), f64::max),
        equalized_odds_ratio: combine(tpr.ratio(), fpr.ratio(), f64::min),
    };
    if groups.len() < 2 {
        warnings.push(format!("{name}: fewer than two groups, nothing to compare"));
    }
    Ok(SensitiveFairness {
        column: name.to_owned(),
        groups,
        metrics,
        warnings,
    })
}

/// The group labels (sorted) and each row's group index; the number of groups when it is
/// more than `max_groups`.
fn group_codes(column: &Column, max_groups: usize) -> Result<(Vec<String>, Cow<'_, [u32]>), usize> {
    match column {
        Column::Categorical(c) => {
            let groups = c.categories().len();
            if groups > max_groups {
                return Err(groups);
            }
            Ok((c.categories().to_vec(), c.codes().into()))
        }
        Column::Numeric(values) => {
            let mut distinct: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
            distinct.sort_by(f64::total_cmp);
            distinct.dedup();
            if distinct.len() > max_groups {
                return Err(distinct.len());
            }
            let codes = values
                .iter()
                .map(|v| {
                    distinct
                        .binary_search_by(|d| d.total_cmp(v))
                        .map_or(MISSING_CODE, |i| i as u32)
                })
                .collect();
            Ok((
                distinct.into_iter().map(canonical_number).collect(),
                Cow::Owned(codes),
            ))
        }
    }
}

/// Smallest and largest of some defined rates.
#[derive(Debug, Clone, Copy)]
struct Spread {
    min: f64,
    max: f64,
    any: bool,
}

impl Spread {
    fn of(rates: impl Iterator<Item = f64>) -> Self {
        rates.fold(
            Self {
                min: f64::INFINITY,
                max: f64::NEG_INFINITY,
                any: false,
            },
            |s, r| Self {
                min: s.min.min(r),
                max: s.max.max(r),
                any: true,
            },
        )
    }

    fn difference(self) -> Option<f64> {
        self.any.then_some(self.max - self.min)
    }

    /// min / max; undefined when every rate is 0.
    fn ratio(self) -> Option<f64> {
        (self.any && self.max > 0.0).then(|| self.min / self.max)
    }
}

/// Combines two optional values with `f`, or keeps the one that is defined.
fn combine(a: Option<f64>, b: Option<f64>, f: fn(f64, f64) -> f64) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(f(a, b)),
        (a, b) => a.or(b),
    }
}

/// The worst of each metric over several sensitive columns.
fn worst<'a>(metrics: impl Iterator<Item = &'a FairnessMetrics>) -> FairnessMetrics {
    metrics.fold(FairnessMetrics::default(), |w, m| {
        let hi = |a, b| combine(a, b, f64::max);
        let lo = |a, b| combine(a, b, f64::min);
        FairnessMetrics {
            demographic_parity_difference: hi(
                w.demographic_parity_difference,
                m.demographic_parity_difference,
            ),
            demographic_parity_ratio: lo(w.demographic_parity_ratio, m.demographic_parity_ratio),
            disparate_impact: lo(w.disparate_impact, m.disparate_impact),
            equal_opportunity_difference: hi(
                w.equal_opportunity_difference,
                m.equal_opportunity_difference,
            ),
            equal_opportunity_ratio: lo(w.equal_opportunity_ratio, m.equal_opportunity_ratio),
            equalized_odds_difference: hi(w.equalized_odds_difference, m.equalized_odds_difference),
            equalized_odds_ratio: lo(w.equalized_odds_ratio, m.equalized_odds_ratio),
        }
    })
}
