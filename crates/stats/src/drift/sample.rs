//! One column of both datasets, prepared once for every method: numeric columns as sorted
//! present values, categorical ones as counts over the union of categories. A prepared
//! reference column ([`crate::prepared`]) brings its side already sorted or counted.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::{Bins, DriftMethod, Outcome, SideSummary, distance, ks, proportions, summary};
use crate::binning;
use crate::dataset::{Categorical, Column, ColumnKind, MISSING_CODE};
use crate::prepared::{PreparedValues, ReferenceColumn};
use crate::sort::sorted_present;

/// Numeric columns with more distinct reference values than this are binned by width.
const MAX_VALUE_BINS: usize = 20;

pub(crate) enum Sample<'a> {
    Numeric {
        reference: Cow<'a, [f64]>,
        current: Vec<f64>,
        rows: (usize, usize),
    },
    Categorical {
        labels: Vec<String>,
        reference: Vec<u64>,
        current: Vec<u64>,
        rows: (usize, usize),
    },
}

/// The reference side as numbers: sorted already (prepared), or still to sort.
enum ReferenceNumbers<'a> {
    Sorted(&'a [f64]),
    Unsorted(Cow<'a, [f64]>),
}

impl<'a> ReferenceNumbers<'a> {
    fn sorted(self) -> Cow<'a, [f64]> {
        match self {
            Self::Sorted(values) => Cow::Borrowed(values),
            Self::Unsorted(values) => Cow::Owned(sorted_present(&values)),
        }
    }
}

/// Counts per bin of both sides, with what the bins are.
pub(crate) struct Binned {
    edges: Option<Vec<f64>>,
    labels: Option<Vec<String>>,
    reference: Vec<u64>,
    current: Vec<u64>,
}

impl<'a> Sample<'a> {
    /// Numeric when both sides are numeric, or one is and the other's categories are all
    /// numbers (a side with few values is inferred categorical); categorical otherwise.
    pub(crate) fn new(reference: ReferenceColumn<'a>, current: &Column) -> Self {
        let rows = (reference.rows(), current.len());
        match (
            reference_numbers(reference, current.kind()),
            as_numbers(current, reference.kind()),
        ) {
            (Some(r), Some(c)) => {
                // Two sorts per column: letting them run apart evens out the last columns.
                let (reference, current) = rayon::join(|| r.sorted(), || sorted_present(&c));
                Self::Numeric {
                    reference,
                    current,
                    rows,
                }
            }
            _ => {
                let (r, c) = (reference_label_counts(reference), label_counts(current));
                let mut union: BTreeMap<String, (u64, u64)> = BTreeMap::new();
                for (label, n) in r {
                    union.entry(label).or_default().0 += n;
                }
                for (label, n) in c {
                    union.entry(label).or_default().1 += n;
                }
                let mut labels = Vec::with_capacity(union.len());
                let (mut reference, mut current) = (Vec::new(), Vec::new());
                for (label, (a, b)) in union {
                    labels.push(label);
                    reference.push(a);
                    current.push(b);
                }
                Self::Categorical {
                    labels,
                    reference,
                    current,
                    rows,
                }
            }
        }
    }

    pub(crate) fn kind(&self) -> ColumnKind {
        match self {
            Self::Numeric { .. } => ColumnKind::Numeric,
            Self::Categorical { .. } => ColumnKind::Categorical,
        }
    }

    /// Number of present values of each side.
    pub(crate) fn present(&self) -> (usize, usize) {
        match self {
            Self::Numeric {
                reference, current, ..
            } => (reference.len(), current.len()),
            Self::Categorical {
                reference, current, ..
            } => (sum(reference), sum(current)),
        }
    }

    /// The side without any present value, if any.
    pub(crate) fn empty_side(&self) -> Option<&'static str> {
        match self.present() {
            (0, _) => Some("reference"),
            (_, 0) => Some("current"),
            _ => None,
        }
    }

    /// Distinct present values over both sides, counted up to `limit`.
    pub(crate) fn distinct(&self, limit: usize) -> usize {
        match self {
            Self::Numeric {
                reference, current, ..
            } => distinct_up_to(reference, current, limit),
            Self::Categorical { labels, .. } => labels.len(),
        }
    }

    pub(crate) fn summaries(&self) -> (SideSummary, SideSummary) {
        match self {
            Self::Numeric {
                reference,
                current,
                rows,
            } => (
                summary::numeric(reference, rows.0),
                summary::numeric(current, rows.1),
            ),
            Self::Categorical {
                labels,
                reference,
                current,
                rows,
            } => (
                summary::categorical(labels, reference, rows.0),
                summary::categorical(labels, current, rows.1),
            ),
        }
    }

    /// Counts per distinct value of the union, for the tests on values.
    fn value_bins(&self) -> Binned {
        match self {
            Self::Numeric {
                reference, current, ..
            } => {
                let keys = union_values(reference, current);
                Binned {
                    edges: None,
                    reference: binning::counts_at(reference, &keys),
                    current: binning::counts_at(current, &keys),
                    labels: Some(keys.iter().map(|&v| number_label(v)).collect()),
                }
            }
            Self::Categorical {
                labels,
                reference,
                current,
                ..
            } => Binned {
                edges: None,
                labels: Some(labels.clone()),
                reference: reference.clone(),
                current: current.clone(),
            },
        }
    }

    /// Evidently's bins: width bins (Sturges over the union) for numeric columns with
    /// more than 20 distinct reference values, else one bin per value.
    pub(crate) fn binned(&self) -> Binned {
        match self {
            Self::Numeric {
                reference, current, ..
            } if distinct_up_to(reference, &[], MAX_VALUE_BINS + 1) > MAX_VALUE_BINS => {
                let edges = union_edges(reference, current, reference.len() + current.len());
                Binned {
                    reference: binning::histogram(reference, &edges),
                    current: binning::histogram(current, &edges),
                    edges: Some(edges),
                    labels: None,
                }
            }
            _ => self.value_bins(),
        }
    }

    /// Applies `method`; `None` when it does not apply to this kind of column. An exact KS
    /// p-value takes its steps from `budget`.
    pub(crate) fn run(
        &self,
        method: DriftMethod,
        binned: &Binned,
        budget: &ks::ExactBudget,
    ) -> Result<Option<Outcome>, ks::OverBudget> {
        let (n_ref, n_cur) = self.present();
        let shares = || {
            (
                binning::shares(&binned.reference, n_ref),
                binning::shares(&binned.current, n_cur),
            )
        };
        let distance = |value: f64| Outcome {
            statistic: value,
            score: value,
        };
        Ok(Some(match (method, self) {
            (
                DriftMethod::Ks,
                Self::Numeric {
                    reference, current, ..
                },
            ) => {
                let (statistic, score) = ks::ks_2samp_within(reference, current, budget)?;
                Outcome { statistic, score }
            }
            (
                DriftMethod::Wasserstein,
                Self::Numeric {
                    reference, current, ..
                },
            ) => distance(distance::wasserstein_normed(reference, current)),
            (DriftMethod::Ks | DriftMethod::Wasserstein, Self::Categorical { .. }) => {
                return Ok(None);
            }
            (DriftMethod::Psi, _) => {
                let (r, c) = shares();
                distance(distance::psi(&r, &c))
            }
            (DriftMethod::Jensenshannon, _) => {
                let (r, c) = shares();
                distance(distance::jensen_shannon(&r, &c))
            }
            (DriftMethod::KlDiv, _) => {
                let (r, c) = shares();
                distance(distance::kl_div(&r, &c))
            }
            (
                DriftMethod::Hellinger,
                Self::Numeric {
                    reference, current, ..
                },
            ) => distance(distance::hellinger_numeric(reference, current)),
            (
                DriftMethod::Hellinger,
                Self::Categorical {
                    reference, current, ..
                },
            ) => distance(distance::hellinger(
                &binning::shares(reference, n_ref),
                &binning::shares(current, n_cur),
            )),
            (DriftMethod::Chisquare, _) => {
                let values = self.value_bins();
                let (statistic, score) = proportions::chisquare(&values.reference, &values.current);
                Outcome { statistic, score }
            }
            (DriftMethod::Ztest, _) => {
                let values = self.value_bins();
                let (statistic, score) = proportions::ztest(&values.reference, &values.current);
                Outcome { statistic, score }
            }
        }))
    }
}

impl Binned {
    /// The shares shown in plots.
    pub(crate) fn into_bins(self, n_ref: usize, n_cur: usize) -> Bins {
        Bins {
            reference: binning::shares(&self.reference, n_ref),
            current: binning::shares(&self.current, n_cur),
            edges: self.edges,
            labels: self.labels,
        }
    }
}

fn sum(counts: &[u64]) -> usize {
    counts.iter().sum::<u64>() as usize
}

/// Sturges edges over the union of two sorted samples, for `size` values.
pub(crate) fn union_edges(a: &[f64], b: &[f64], size: usize) -> Vec<f64> {
    let min = a
        .first()
        .copied()
        .into_iter()
        .chain(b.first().copied())
        .fold(f64::INFINITY, f64::min);
    let max = a
        .last()
        .copied()
        .into_iter()
        .chain(b.last().copied())
        .fold(f64::NEG_INFINITY, f64::max);
    binning::sturges_edges(min, max, size)
}

/// Distinct values of the union of two sorted samples, ascending.
pub(crate) fn union_values(a: &[f64], b: &[f64]) -> Vec<f64> {
    let mut out = Vec::new();
    merge_distinct(a, b, |v| {
        out.push(v);
        true
    });
    out
}

/// Number of distinct values of the union of two sorted samples, counting stops at `limit`.
fn distinct_up_to(a: &[f64], b: &[f64], limit: usize) -> usize {
    let mut n = 0;
    merge_distinct(a, b, |_| {
        n += 1;
        n < limit
    });
    n
}

/// Calls `f` once per distinct value of the union of two sorted samples, in order, while
/// it returns true.
fn merge_distinct(a: &[f64], b: &[f64], mut f: impl FnMut(f64) -> bool) {
    let (mut i, mut j) = (0, 0);
    let mut last: Option<f64> = None;
    while i < a.len() || j < b.len() {
        let v = match (a.get(i), b.get(j)) {
            (Some(&x), Some(&y)) if x <= y => {
                i += 1;
                x
            }
            (_, Some(&y)) => {
                j += 1;
                y
            }
            (Some(&x), None) => {
                i += 1;
                x
            }
            (None, None) => break,
        };
        if last != Some(v) {
            last = Some(v);
            if !f(v) {
                return;
            }
        }
    }
}

/// The column as numbers: a numeric column, or a categorical one whose categories are all
/// numbers when the `other` side is numeric.
fn as_numbers(column: &Column, other: ColumnKind) -> Option<Cow<'_, [f64]>> {
    match (column, other) {
        (Column::Numeric(v), _) => Some(v.into()),
        (Column::Categorical(c), ColumnKind::Numeric) => {
            let values = category_numbers(c.categories())?;
            Some(
                c.codes()
                    .iter()
                    .map(|&code| values.get(code as usize).copied().unwrap_or(f64::NAN))
                    .collect::<Vec<_>>()
                    .into(),
            )
        }
        (Column::Categorical(_), ColumnKind::Categorical) => None,
    }
}

/// The reference column as numbers, as [`as_numbers`] reads a dataset's; a prepared numeric
/// column is sorted already, and a prepared categorical one gives each category's number as
/// often as its count (the same values, so the same once sorted).
fn reference_numbers(
    column: ReferenceColumn<'_>,
    other: ColumnKind,
) -> Option<ReferenceNumbers<'_>> {
    let prepared = match column {
        ReferenceColumn::Raw(column) => {
            return as_numbers(column, other).map(ReferenceNumbers::Unsorted);
        }
        ReferenceColumn::Prepared(prepared) => prepared,
    };
    match (prepared.values(), other) {
        (PreparedValues::Numeric(sorted), _) => Some(ReferenceNumbers::Sorted(sorted)),
        (PreparedValues::Categorical { categories, counts }, ColumnKind::Numeric) => {
            let values = category_numbers(categories)?;
            let mut numbers = Vec::with_capacity(prepared.rows());
            for (&value, &n) in values.iter().zip(counts) {
                numbers.extend(std::iter::repeat_n(value, n as usize));
            }
            Some(ReferenceNumbers::Unsorted(numbers.into()))
        }
        (PreparedValues::Categorical { .. }, ColumnKind::Categorical) => None,
    }
}

/// Every category as a finite number, or `None` when one is not.
fn category_numbers(categories: &[String]) -> Option<Vec<f64>> {
    categories
        .iter()
        .map(|s| s.parse::<f64>().ok().filter(|v| v.is_finite()))
        .collect()
}

/// Label of a numeric value used as a category (the dataset reader's spelling).
fn number_label(v: f64) -> String {
    crate::dataset::canonical_number(v)
}

/// Present labels with their counts.
fn label_counts(column: &Column) -> Vec<(String, u64)> {
    match column {
        Column::Numeric(v) => number_counts(&sorted_present(v)),
        Column::Categorical(c) => category_counts(c),
    }
}

/// [`label_counts`] of a reference column; a prepared one has them counted (or sorted).
fn reference_label_counts(column: ReferenceColumn<'_>) -> Vec<(String, u64)> {
    let prepared = match column {
        ReferenceColumn::Raw(column) => return label_counts(column),
        ReferenceColumn::Prepared(prepared) => prepared,
    };
    match prepared.values() {
        PreparedValues::Numeric(sorted) => number_counts(sorted),
        PreparedValues::Categorical { categories, counts } => categories
            .iter()
            .zip(counts)
            .filter(|&(_, &n)| n > 0)
            .map(|(label, &n)| (label.clone(), n))
            .collect(),
    }
}

/// Labels of the distinct values of sorted present numbers, with their counts.
fn number_counts(sorted: &[f64]) -> Vec<(String, u64)> {
    binning::value_counts(sorted)
        .into_iter()
        .map(|(v, n)| (number_label(v), n))
        .collect()
}

fn category_counts(c: &Categorical) -> Vec<(String, u64)> {
    let mut counts = vec![0u64; c.categories().len()];
    for &code in c.codes() {
        if code != MISSING_CODE
            && let Some(n) = counts.get_mut(code as usize)
        {
            *n += 1;
        }
    }
    c.categories()
        .iter()
        .cloned()
        .zip(counts)
        .filter(|&(_, n)| n > 0)
        .collect()
}
