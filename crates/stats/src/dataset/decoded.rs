//! Columns that another reader decoded (the service's Parquet reader, in `driftguard-app`):
//! their values go through the same builders as CSV cells — the same missing values, the same
//! kind inference, the same canonical categories and limits — so that the same data gives the
//! same dataset whichever file it came in.

use super::builder::{Cell, ColumnAccumulator, ColumnBuilder, classify};
use super::{
    Column, ColumnKind, Dataset, DatasetError, ParseOptions, check_header, check_kind_overrides,
};

/// One column under construction, fed batch by batch.
#[derive(Debug)]
pub struct ColumnDecoder {
    name: String,
    forced: Option<ColumnKind>,
    max_categories: usize,
    max_rows: usize,
    rows: usize,
    column: ColumnAccumulator,
}

impl ColumnDecoder {
    /// A column named `name`, its kind forced when `options.kinds` names it.
    pub fn new(name: String, options: &ParseOptions) -> Self {
        let forced = options.kind_of(&name);
        let max_categories = options.limits.max_categories;
        Self {
            forced,
            max_categories,
            max_rows: options.limits.max_rows,
            rows: 0,
            column: ColumnAccumulator::new(forced, max_categories),
            name,
        }
    }

    /// Appends numbers from a numeric type; None, NaN and ±inf are missing. The column's
    /// kind is inferred at the end, as for CSV (numeric with more than five distinct values).
    pub fn push_numbers(
        &mut self,
        values: impl ExactSizeIterator<Item = Option<f64>>,
    ) -> Result<(), DatasetError> {
        let mut part = self.part(self.forced, values.len())?;
        for value in values {
            let cell = match value {
                Some(x) if x.is_finite() => Cell::Number(x),
                _ => Cell::Missing,
            };
            part.push(cell).map_err(|e| e.at(0, self.name.clone()))?;
        }
        self.append(part)
    }

    /// Appends labels from a text type: categorical unless the options force the column
    /// numeric. Each is read as a CSV cell is (trimmed; empty, `NA`, `null`, `NaN` missing;
    /// a number in its canonical spelling), None is missing.
    pub fn push_labels<'a>(
        &mut self,
        labels: impl ExactSizeIterator<Item = Option<&'a str>>,
    ) -> Result<(), DatasetError> {
        let kind = self.forced.unwrap_or(ColumnKind::Categorical);
        let mut part = self.part(Some(kind), labels.len())?;
        for label in labels {
            let cell = label.map_or(Cell::Missing, |text| classify(text.as_bytes()));
            part.push(cell).map_err(|e| e.at(0, self.name.clone()))?;
        }
        self.append(part)
    }

    /// [`ColumnDecoder::push_numbers`] of a slice in which NaN and ±inf are the missing
    /// values (a reader puts NaN in its nulls' places), in bulk: no cell by cell dispatch.
    pub fn push_number_slice(&mut self, values: &[f64]) -> Result<(), DatasetError> {
        if self.forced == Some(ColumnKind::Categorical) {
            return self.push_numbers(values.iter().map(|&x| Some(x)));
        }
        self.count(values.len())?;
        let appended = self.column.append_numbers(values);
        appended.map_err(|e| e.at(0, self.name.clone()))
    }

    /// Appends dictionary-encoded text: each row is a key into `labels` (None, a key past
    /// the end and a None label are missing). The same as [`ColumnDecoder::push_labels`] of
    /// the rows' labels, but each label is read and looked up once, when a row first uses
    /// it, not once a row; labels that no row uses are not categories.
    pub fn push_dictionary(
        &mut self,
        labels: &[Option<&str>],
        keys: impl ExactSizeIterator<Item = Option<usize>>,
    ) -> Result<(), DatasetError> {
        if self.forced == Some(ColumnKind::Numeric) {
            let label = |key: Option<usize>| labels.get(key?).copied().flatten();
            return self.push_labels(keys.map(label));
        }
        self.count(keys.len())?;
        let appended = self.column.append_keys(labels, keys);
        appended.map_err(|e| e.at(0, self.name.clone()))
    }

    /// Counts `rows` more rows, which must fit the row limit.
    fn count(&mut self, rows: usize) -> Result<(), DatasetError> {
        self.rows = self.rows.saturating_add(rows);
        if self.rows > self.max_rows {
            return Err(DatasetError::TooManyRows {
                limit: self.max_rows,
            });
        }
        Ok(())
    }

    /// A builder for the next `rows` rows, once they are known to fit the row limit.
    fn part(
        &mut self,
        kind: Option<ColumnKind>,
        rows: usize,
    ) -> Result<ColumnBuilder, DatasetError> {
        self.count(rows)?;
        Ok(ColumnBuilder::new(kind, rows, self.max_categories))
    }

    fn append(&mut self, part: ColumnBuilder) -> Result<(), DatasetError> {
        self.column
            .append(part)
            .map_err(|e| e.at(0, self.name.clone()))
    }

    /// The finished column and its name.
    pub fn finish(self) -> Result<(String, Column), DatasetError> {
        let column = self
            .column
            .finish()
            .map_err(|e| e.at(0, self.name.clone()))?;
        Ok((self.name, column))
    }
}

impl Dataset {
    /// Checks the names a decoder is about to read against the limits and the options (the
    /// column limit, empty or repeated names, kinds set for absent columns) before any value
    /// is decoded.
    pub fn check_decoded_names(
        names: &[String],
        options: &ParseOptions,
    ) -> Result<(), DatasetError> {
        check_header(names, &options.limits)?;
        check_kind_overrides(names, options)
    }

    /// The dataset of finished [`ColumnDecoder`] columns, in file order; a file without rows
    /// is [`DatasetError::NoRows`], as for CSV.
    pub fn from_decoded(columns: Vec<(String, Column)>) -> Result<Self, DatasetError> {
        if columns.is_empty() {
            return Err(DatasetError::Empty);
        }
        let dataset = Self::from_columns(columns)?;
        if dataset.rows() == 0 {
            return Err(DatasetError::NoRows);
        }
        Ok(dataset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::Limits;

    fn decode(numbers: &[Option<f64>], labels: &[Option<&str>], options: &ParseOptions) -> Dataset {
        let mut n = ColumnDecoder::new("n".into(), options);
        n.push_numbers(numbers.iter().copied()).expect("numbers");
        let mut l = ColumnDecoder::new("l".into(), options);
        l.push_labels(labels.iter().copied()).expect("labels");
        Dataset::from_decoded(vec![n.finish().expect("n"), l.finish().expect("l")])
            .expect("dataset")
    }

    #[test]
    fn decoded_columns_read_as_the_same_csv_does() {
        let numbers = [
            Some(1.0),
            None,
            Some(f64::INFINITY),
            Some(2.5),
            Some(0.0),
            Some(-0.0),
        ];
        let labels = [
            Some("a"),
            None,
            Some("NA"),
            Some(" 1.0 "),
            Some(""),
            Some("b,c"),
        ];
        let decoded = decode(&numbers, &labels, &ParseOptions::default());
        let csv = Dataset::from_csv(
            b"n,l\n1,a\n,\ninf,NA\n2.5, 1.0 \n0,\n-0,\"b,c\"\n",
            &ParseOptions::default(),
        )
        .expect("csv");
        assert_eq!(decoded, csv);
    }

    /// One batch: numbers, or labels given as keys into a dictionary.
    enum Batch<'a> {
        Numbers(&'a [f64]),
        Keys(&'a [Option<&'a str>], &'a [Option<usize>]),
    }

    /// The column the batches make, through the bulk pushes or cell by cell.
    fn column(
        batches: &[Batch<'_>],
        options: &ParseOptions,
        bulk: bool,
    ) -> Result<Column, DatasetError> {
        let mut column = ColumnDecoder::new("c".into(), options);
        for batch in batches {
            match (batch, bulk) {
                (Batch::Numbers(values), true) => column.push_number_slice(values)?,
                (Batch::Numbers(values), false) => {
                    column.push_numbers(values.iter().map(|&x| Some(x)))?
                }
                (Batch::Keys(labels, keys), true) => {
                    column.push_dictionary(labels, keys.iter().copied())?
                }
                (Batch::Keys(labels, keys), false) => column.push_labels(
                    keys.iter()
                        .map(|key| labels.get((*key)?).copied().flatten()),
                )?,
            }
        }
        column.finish().map(|(_, column)| column)
    }

    #[test]
    fn bulk_pushes_read_as_cell_by_cell_pushes() {
        let numbers = [
            1.0,
            f64::NAN,
            f64::INFINITY,
            -0.0,
            2.0,
            3.5,
            f64::NEG_INFINITY,
            7.0,
        ];
        let text = [
            Some("b"),
            None,
            Some("NA"),
            Some(" 2.0 "),
            Some("a"),
            Some("unused"),
        ];
        let numeric_text = [Some("3"), Some(" 2.0 "), Some("-0"), None];
        // Missing keys, a key past the dictionary, a None label, labels used twice.
        let keys = [
            Some(0),
            Some(1),
            None,
            Some(2),
            Some(3),
            Some(9),
            Some(4),
            Some(0),
            Some(3),
        ];
        let numeric_keys = [Some(0), Some(1), Some(2), Some(3), None, Some(1)];
        let columns: [&[Batch<'_>]; 5] = [
            &[Batch::Numbers(&numbers), Batch::Numbers(&numbers[2..])],
            // Numbers that turn into text, then numbers into the text column.
            &[
                Batch::Numbers(&numbers),
                Batch::Keys(&text, &keys),
                Batch::Numbers(&numbers),
            ],
            &[Batch::Keys(&text, &keys), Batch::Keys(&text, &keys[3..])],
            &[
                Batch::Keys(&numeric_text, &numeric_keys),
                Batch::Numbers(&numbers),
            ],
            &[Batch::Numbers(&numbers[..3])],
        ];
        let with = |kinds: &[(&str, ColumnKind)], max_categories: usize| ParseOptions {
            kinds: kinds
                .iter()
                .map(|&(name, kind)| (name.to_owned(), kind))
                .collect(),
            limits: Limits {
                max_categories,
                ..Limits::default()
            },
            ..ParseOptions::default()
        };
        let options = [
            with(&[], usize::MAX),
            with(&[("c", ColumnKind::Categorical)], usize::MAX),
            with(&[("c", ColumnKind::Numeric)], usize::MAX),
            // The third column's three categories fit (`unused`, in no row, is not one).
            with(&[], 3),
            with(&[], 2),
        ];
        let mut outcomes = std::collections::HashSet::new();
        for batches in columns {
            for options in &options {
                let bulk = column(batches, options, true);
                // Compared as text: a missing number is NaN, which equals no NaN.
                let cells = column(batches, options, false);
                assert_eq!(format!("{bulk:?}"), format!("{cells:?}"));
                outcomes.insert(match bulk {
                    Ok(Column::Numeric(_)) => "numeric",
                    Ok(Column::Categorical(_)) => "categorical",
                    Err(DatasetError::NotANumber { .. }) => "not a number",
                    Err(DatasetError::TooManyCategories { .. }) => "too many categories",
                    Err(_) => "other error",
                });
            }
        }
        // Every way a column can end was compared.
        assert_eq!(outcomes.len(), 4, "{outcomes:?}");
    }

    #[test]
    fn limits_and_forced_kinds_hold() {
        let options = ParseOptions {
            limits: Limits {
                max_rows: 3,
                ..Limits::default()
            },
            ..ParseOptions::default()
        };
        let mut column = ColumnDecoder::new("n".into(), &options);
        column
            .push_numbers([Some(1.0); 3].into_iter())
            .expect("fits");
        assert!(matches!(
            column.push_numbers([Some(1.0)].into_iter()),
            Err(DatasetError::TooManyRows { limit: 3 })
        ));
        let numeric = ParseOptions {
            kinds: [("l".to_owned(), ColumnKind::Numeric)].into(),
            ..ParseOptions::default()
        };
        let mut forced = ColumnDecoder::new("l".into(), &numeric);
        assert!(matches!(
            forced.push_labels([Some("x")].into_iter()),
            Err(DatasetError::NotANumber { .. })
        ));
        let mut bulk = ColumnDecoder::new("n".into(), &options);
        bulk.push_number_slice(&[1.0; 2]).expect("fits");
        bulk.push_dictionary(&[Some("a")], [Some(0)].into_iter())
            .expect("fits");
        assert!(matches!(
            bulk.push_number_slice(&[1.0]),
            Err(DatasetError::TooManyRows { limit: 3 })
        ));
        let mut keys = ColumnDecoder::new("n".into(), &options);
        assert!(matches!(
            keys.push_dictionary(&[Some("a")], [Some(0); 4].into_iter()),
            Err(DatasetError::TooManyRows { limit: 3 })
        ));
        assert!(Dataset::check_decoded_names(&["a".into(), "a".into()], &options).is_err());
        assert!(Dataset::check_decoded_names(&["n".into()], &numeric).is_err());
    }
}
