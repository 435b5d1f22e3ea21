//! A reference dataset prepared once for every evaluation against it: per column what drift
//! reads of the reference side (a numeric column's present values sorted, a categorical
//! column's count per category), and the columns some computation reads row by row
//! (performance's prediction, label and score; a simulation's draw). Drift over a prepared
//! reference neither parses nor sorts it, and gives the same numbers to the last bit as drift
//! over the dataset it was prepared from: it reads the very values that dataset's own
//! comparison would have prepared.

use rayon::prelude::*;

use crate::baselines::Baselines;
use crate::dataset::{Column, ColumnKind, ColumnRoles, Dataset, strings_bytes};
use crate::error::StatsError;
use crate::performance::{self, PerformanceMetrics, Task};
use crate::sort::{is_sorted_present, sorted_present};

/// What drift reads of one reference column.
#[derive(Debug, Clone, PartialEq)]
pub enum PreparedValues {
    /// The present values (missing ones dropped), ascending in `f64::total_cmp` order.
    Numeric(Vec<f64>),
    /// Every category of the column, in the column's order, with its number of rows.
    Categorical {
        /// The categories.
        categories: Vec<String>,
        /// One count per category (0 for a category no row holds).
        counts: Vec<u64>,
    },
}

/// One reference column prepared for drift.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedColumn {
    rows: usize,
    values: PreparedValues,
}

/// Why prepared values are not usable (read back damaged, or built wrong).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PreparedError {
    /// A numeric column's values are not its present values in ascending order.
    #[error("the sorted values are not ascending, or hold a missing value")]
    NotSorted,
    /// More present values than rows.
    #[error("{present} present values in {rows} rows")]
    TooManyValues {
        /// Present values.
        present: u64,
        /// Rows.
        rows: usize,
    },
    /// A categorical column's categories and counts differ in number.
    #[error("{categories} categories but {counts} counts")]
    CountMismatch {
        /// Categories.
        categories: usize,
        /// Counts.
        counts: usize,
    },
    /// Columns of one reference differ in their number of rows, or a row-order column
    /// differs from its prepared column.
    #[error("column `{column}` has {found} rows where the reference has {expected}")]
    RowsMismatch {
        /// The column.
        column: String,
        /// The reference's rows.
        expected: usize,
        /// The column's rows.
        found: usize,
    },
    /// A row-order column is not among the prepared columns, or of another kind.
    #[error("row-order column `{column}` is not a {kind} column of the prepared reference")]
    UnknownColumn {
        /// The column.
        column: String,
        /// Its kind.
        kind: ColumnKind,
    },
}

impl PreparedColumn {
    /// Prepares a column: sorts a numeric one's present values, counts a categorical one's
    /// categories.
    pub fn of(column: &Column) -> Self {
        let values = match column {
            Column::Numeric(values) => PreparedValues::Numeric(sorted_present(values)),
            Column::Categorical(c) => {
                let mut counts = vec![0u64; c.categories().len()];
                // A missing value's code is past the end of the categories.
                for &code in c.codes() {
                    if let Some(n) = counts.get_mut(code as usize) {
                        *n += 1;
                    }
                }
                PreparedValues::Categorical {
                    categories: c.categories().to_vec(),
                    counts,
                }
            }
        };
        Self {
            rows: column.len(),
            values,
        }
    }

    /// A numeric column of `rows` rows whose present values, sorted, are `sorted`.
    pub fn numeric(rows: usize, sorted: Vec<f64>) -> Result<Self, PreparedError> {
        if sorted.len() > rows {
            return Err(PreparedError::TooManyValues {
                present: sorted.len() as u64,
                rows,
            });
        }
        if !is_sorted_present(&sorted) {
            return Err(PreparedError::NotSorted);
        }
        Ok(Self {
            rows,
            values: PreparedValues::Numeric(sorted),
        })
    }

    /// A categorical column of `rows` rows holding each of `categories` as often as `counts`
    /// says.
    pub fn categorical(
        rows: usize,
        categories: Vec<String>,
        counts: Vec<u64>,
    ) -> Result<Self, PreparedError> {
        if categories.len() != counts.len() {
            return Err(PreparedError::CountMismatch {
                categories: categories.len(),
                counts: counts.len(),
            });
        }
        let present = counts
            .iter()
            .try_fold(0u64, |sum, &n| sum.checked_add(n))
            .unwrap_or(u64::MAX);
        if present > rows as u64 {
            return Err(PreparedError::TooManyValues { present, rows });
        }
        Ok(Self {
            rows,
            values: PreparedValues::Categorical { categories, counts },
        })
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The column's kind.
    pub fn kind(&self) -> ColumnKind {
        match self.values {
            PreparedValues::Numeric(_) => ColumnKind::Numeric,
            PreparedValues::Categorical { .. } => ColumnKind::Categorical,
        }
    }

    /// What drift reads.
    pub fn values(&self) -> &PreparedValues {
        &self.values
    }
}

/// A reference dataset prepared for drift, with the columns kept in row order and the
/// baseline performance of each choice of outcome columns once worked out.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedReference {
    names: Vec<String>,
    columns: Vec<PreparedColumn>,
    rows: usize,
    ordered: Dataset,
    baselines: Baselines,
}

impl PreparedReference {
    /// Prepares every column of `dataset` (side by side on rayon's pool) and keeps the
    /// dataset as the row-order columns.
    pub fn of(dataset: Dataset) -> Self {
        let columns: Vec<(&str, &Column)> = dataset.iter().collect();
        let columns = columns
            .into_par_iter()
            .map(|(_, column)| PreparedColumn::of(column))
            .collect();
        Self {
            names: dataset.names().to_vec(),
            columns,
            rows: dataset.rows(),
            ordered: dataset,
            baselines: Baselines::default(),
        }
    }

    /// Prepared columns, in file order, with the row-order columns read back with them (any
    /// of them, possibly none). Every column must have the same rows, and each row-order
    /// column must be a prepared column of its kind.
    pub fn new(
        columns: Vec<(String, PreparedColumn)>,
        ordered: Dataset,
    ) -> Result<Self, PreparedError> {
        let rows = columns.first().map_or(0, |(_, c)| c.rows());
        let (names, columns): (Vec<String>, Vec<PreparedColumn>) = columns.into_iter().unzip();
        let mismatch = |column: &str, found| PreparedError::RowsMismatch {
            column: column.to_owned(),
            expected: rows,
            found,
        };
        if let Some((name, column)) = names.iter().zip(&columns).find(|(_, c)| c.rows() != rows) {
            return Err(mismatch(name, column.rows()));
        }
        let prepared = Self {
            names,
            columns,
            rows,
            ordered,
            baselines: Baselines::default(),
        };
        for (name, column) in prepared.ordered.iter() {
            if prepared.column(name).map(PreparedColumn::kind) != Some(column.kind()) {
                return Err(PreparedError::UnknownColumn {
                    column: name.to_owned(),
                    kind: column.kind(),
                });
            }
            if column.len() != rows {
                return Err(mismatch(name, column.len()));
            }
        }
        Ok(prepared)
    }

    /// Column names in file order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The prepared column with this name.
    pub fn column(&self, name: &str) -> Option<&PreparedColumn> {
        let index = self.names.iter().position(|n| n == name)?;
        self.columns.get(index)
    }

    /// Names and prepared columns in file order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &PreparedColumn)> {
        self.names.iter().map(String::as_str).zip(&self.columns)
    }

    /// The columns kept in row order.
    pub fn ordered(&self) -> &Dataset {
        &self.ordered
    }

    /// The bytes it takes on the heap (the prepared values and the row-order columns): what
    /// keeping it in memory between evaluations costs.
    pub fn heap_bytes(&self) -> usize {
        let prepared: usize = self
            .columns
            .iter()
            .map(|c| match &c.values {
                PreparedValues::Numeric(sorted) => size_of_val(sorted.as_slice()),
                PreparedValues::Categorical { categories, counts } => {
                    strings_bytes(categories) + size_of_val(counts.as_slice())
                }
            })
            .sum();
        let ordered: usize = self.ordered.iter().map(|(_, c)| c.heap_bytes()).sum();
        strings_bytes(&self.names) + prepared + ordered
    }
}

/// The reference side of an evaluation: a dataset, whose columns drift prepares as it
/// reaches them, or a reference prepared beforehand.
#[derive(Debug, Clone, Copy)]
pub enum Reference<'a> {
    /// A dataset.
    Dataset(&'a Dataset),
    /// A prepared reference.
    Prepared(&'a PreparedReference),
}

/// One column of a [`Reference`].
#[derive(Debug, Clone, Copy)]
pub(crate) enum ReferenceColumn<'a> {
    /// A dataset's column.
    Raw(&'a Column),
    /// A prepared column.
    Prepared(&'a PreparedColumn),
}

impl<'a> Reference<'a> {
    /// Column names in file order.
    pub fn names(&self) -> &'a [String] {
        match self {
            Self::Dataset(d) => d.names(),
            Self::Prepared(p) => p.names(),
        }
    }

    /// The kind of the column with this name.
    pub fn kind(&self, name: &str) -> Option<ColumnKind> {
        match self {
            Self::Dataset(d) => d.column(name).map(Column::kind),
            Self::Prepared(p) => p.column(name).map(PreparedColumn::kind),
        }
    }

    /// True when the reference has a column of this name.
    pub fn has_column(&self, name: &str) -> bool {
        self.kind(name).is_some()
    }

    /// The columns kept in row order: all of a dataset's.
    pub fn ordered(&self) -> &'a Dataset {
        match self {
            Self::Dataset(d) => d,
            Self::Prepared(p) => p.ordered(),
        }
    }

    /// The performance of the prediction (and score) against the label in the row-order
    /// columns: worked out once for a prepared reference, each time for a dataset.
    pub fn performance(
        &self,
        task: Task,
        roles: &ColumnRoles,
    ) -> Result<PerformanceMetrics, StatsError> {
        match self {
            Self::Dataset(d) => performance::evaluate(d, task, roles),
            Self::Prepared(p) => p.baselines.of(&p.ordered, task, roles),
        }
    }

    pub(crate) fn column(&self, name: &str) -> Option<ReferenceColumn<'a>> {
        match self {
            Self::Dataset(d) => d.column(name).map(ReferenceColumn::Raw),
            Self::Prepared(p) => p.column(name).map(ReferenceColumn::Prepared),
        }
    }
}

impl<'a> From<&'a Dataset> for Reference<'a> {
    fn from(dataset: &'a Dataset) -> Self {
        Self::Dataset(dataset)
    }
}

impl<'a> From<&'a PreparedReference> for Reference<'a> {
    fn from(prepared: &'a PreparedReference) -> Self {
        Self::Prepared(prepared)
    }
}

impl ReferenceColumn<'_> {
    pub(crate) fn rows(&self) -> usize {
        match self {
            Self::Raw(c) => c.len(),
            Self::Prepared(p) => p.rows(),
        }
    }

    pub(crate) fn kind(&self) -> ColumnKind {
        match self {
            Self::Raw(c) => c.kind(),
            Self::Prepared(p) => p.kind(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Categorical;

    fn dataset() -> Dataset {
        let labels = [Some("b"), None, Some("a"), Some("b")];
        Dataset::from_columns(vec![
            ("x".into(), Column::Numeric(vec![2.0, f64::NAN, -1.0, 0.5])),
            (
                "c".into(),
                Column::Categorical(Categorical::from_labels(&labels)),
            ),
        ])
        .expect("valid")
    }

    /// What keeping a prepared reference costs, counted by hand: the names, the sorted
    /// values and the counts with their categories, and the row-order columns.
    #[test]
    fn heap_bytes_count_every_value_kept() {
        let string = |len: usize| size_of::<String>() + len;
        let names = string(1) * 2;
        let prepared = 3 * 8 + (string(1) * 2 + 2 * 8);
        let ordered = 4 * 8 + (4 * 4 + string(1) * 2);
        assert_eq!(
            PreparedReference::of(dataset()).heap_bytes(),
            names + prepared + ordered
        );
    }

    #[test]
    fn preparing_sorts_numbers_and_counts_categories() {
        let prepared = PreparedReference::of(dataset());
        assert_eq!(prepared.rows(), 4);
        let x = prepared.column("x").expect("x");
        assert_eq!(x.values(), &PreparedValues::Numeric(vec![-1.0, 0.5, 2.0]));
        let c = prepared.column("c").expect("c");
        assert_eq!(
            c.values(),
            &PreparedValues::Categorical {
                categories: vec!["a".into(), "b".into()],
                counts: vec![1, 2],
            }
        );
        // The dataset kept as it is (its NaN compares unequal, so the labels are compared).
        assert_eq!(prepared.ordered().names(), dataset().names());
        assert_eq!(prepared.ordered().column("c"), dataset().column("c"));
    }

    #[test]
    fn values_read_back_are_checked() {
        assert_eq!(
            PreparedColumn::numeric(3, vec![1.0, 0.0]),
            Err(PreparedError::NotSorted)
        );
        assert_eq!(
            PreparedColumn::numeric(3, vec![0.0, f64::NAN]),
            Err(PreparedError::NotSorted)
        );
        assert!(matches!(
            PreparedColumn::numeric(1, vec![0.0, 1.0]),
            Err(PreparedError::TooManyValues { .. })
        ));
        assert!(matches!(
            PreparedColumn::categorical(9, vec!["a".into()], vec![]),
            Err(PreparedError::CountMismatch { .. })
        ));
        assert!(matches!(
            PreparedColumn::categorical(9, vec!["a".into(), "b".into()], vec![u64::MAX, 1]),
            Err(PreparedError::TooManyValues { .. })
        ));
        let x = PreparedColumn::numeric(3, vec![0.0]).expect("valid");
        let short = PreparedColumn::numeric(2, vec![0.0]).expect("valid");
        let columns = vec![("x".to_owned(), x.clone()), ("y".to_owned(), short)];
        assert!(matches!(
            PreparedReference::new(columns, Dataset::from_columns(vec![]).expect("empty")),
            Err(PreparedError::RowsMismatch { .. })
        ));
        let ordered = Dataset::from_columns(vec![(
            "x".into(),
            Column::Categorical(Categorical::from_labels(&[Some("a"), None, None])),
        )])
        .expect("valid");
        assert!(matches!(
            PreparedReference::new(vec![("x".to_owned(), x)], ordered),
            Err(PreparedError::UnknownColumn { .. })
        ));
    }
}
