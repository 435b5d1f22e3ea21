//! Typed, column-oriented datasets read from CSV or JSON bytes, or from columns another
//! reader decoded (Parquet, in `driftguard-app`).

mod builder;
mod csv;
mod decoded;
mod error;
mod json;
mod number;
mod recent;
mod roles;
mod scan;

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub(crate) use builder::canonical as canonical_number;
pub use decoded::ColumnDecoder;
pub use error::DatasetError;
pub use roles::ColumnRoles;

/// Code of a missing value in a [`Categorical`] column.
pub const MISSING_CODE: u32 = u32::MAX;

/// How a column's values are interpreted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    /// Finite numbers (missing values are NaN).
    Numeric,
    /// Labels, dictionary-encoded.
    Categorical,
}

impl ColumnKind {
    /// The lower-case name used in JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Numeric => "numeric",
            Self::Categorical => "categorical",
        }
    }
}

impl fmt::Display for ColumnKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ColumnKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "numeric" | "numerical" => Ok(Self::Numeric),
            "categorical" => Ok(Self::Categorical),
            other => Err(format!(
                "unknown column kind `{other}` (expected `numeric` or `categorical`)"
            )),
        }
    }
}

/// A dictionary-encoded column: one code per row, indexing `categories`
/// ([`MISSING_CODE`] for a missing value). Categories are sorted and distinct.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Categorical {
    codes: Vec<u32>,
    categories: Vec<String>,
}

impl Categorical {
    /// Builds a column from labels (`None` = missing); categories come out sorted.
    pub fn from_labels<S: AsRef<str>>(labels: &[Option<S>]) -> Self {
        let mut categories: Vec<String> = labels
            .iter()
            .flatten()
            .map(|s| s.as_ref().to_owned())
            .collect();
        categories.sort_unstable();
        categories.dedup();
        let codes = labels
            .iter()
            .map(|label| match label {
                Some(s) => categories
                    .binary_search_by(|c| c.as_str().cmp(s.as_ref()))
                    .map_or(MISSING_CODE, |i| i as u32),
                None => MISSING_CODE,
            })
            .collect();
        Self { codes, categories }
    }

    /// A column of `codes` indexing `categories` (sorted and distinct), keeping only the
    /// categories some row holds, so that every category of a column is present in it (as
    /// for a parsed one): a fairness table then has no empty group. A code past the end of
    /// `categories` is read as missing.
    pub fn from_codes(mut codes: Vec<u32>, categories: &[String]) -> Self {
        let mut used = vec![false; categories.len()];
        for &code in &codes {
            if let Some(flag) = used.get_mut(code as usize) {
                *flag = true;
            }
        }
        // Old code -> new code, in the same (sorted) order.
        let mut next = 0u32;
        let renumbered: Vec<u32> = used
            .iter()
            .map(|&u| {
                let code = if u { next } else { MISSING_CODE };
                next += u32::from(u);
                code
            })
            .collect();
        for code in &mut codes {
            *code = renumbered
                .get(*code as usize)
                .copied()
                .unwrap_or(MISSING_CODE);
        }
        let categories = categories
            .iter()
            .zip(&used)
            .filter(|&(_, &u)| u)
            .map(|(c, _)| c.clone())
            .collect();
        Self { codes, categories }
    }

    /// One code per row; [`MISSING_CODE`] marks a missing value.
    pub fn codes(&self) -> &[u32] {
        &self.codes
    }

    /// The distinct labels, sorted; a code indexes this slice.
    pub fn categories(&self) -> &[String] {
        &self.categories
    }

    /// The label of a row, `None` when missing.
    pub fn get(&self, row: usize) -> Option<&str> {
        let code = *self.codes.get(row)?;
        self.categories.get(code as usize).map(String::as_str)
    }
}

/// One column's values.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// Numbers, `NaN` for a missing value.
    Numeric(Vec<f64>),
    /// Dictionary-encoded labels.
    Categorical(Categorical),
}

impl Column {
    /// The column's kind.
    pub fn kind(&self) -> ColumnKind {
        match self {
            Self::Numeric(_) => ColumnKind::Numeric,
            Self::Categorical(_) => ColumnKind::Categorical,
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            Self::Numeric(v) => v.len(),
            Self::Categorical(c) => c.codes.len(),
        }
    }

    /// True when the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes its values take on the heap: what keeping the column costs.
    pub fn heap_bytes(&self) -> usize {
        match self {
            Self::Numeric(v) => size_of_val(v.as_slice()),
            Self::Categorical(c) => size_of_val(c.codes()) + strings_bytes(c.categories()),
        }
    }

    /// Mean and sample standard deviation (ddof = 1; 0 for one value) of the present values
    /// of a numeric column, as numpy computes them; `None` for a categorical column or one
    /// without a present value.
    pub fn mean_and_std(&self) -> Option<(f64, f64)> {
        let Self::Numeric(values) = self else {
            return None;
        };
        let present: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
        if present.is_empty() {
            return None;
        }
        let (mean, m2) = crate::special::mean_and_m2(&present);
        let std = if present.len() > 1 {
            (m2 / (present.len() - 1) as f64).sqrt()
        } else {
            0.0
        };
        Some((mean, std))
    }

    /// Number of missing values.
    pub fn missing(&self) -> usize {
        match self {
            Self::Numeric(v) => v.iter().filter(|x| x.is_nan()).count(),
            Self::Categorical(c) => c.codes.iter().filter(|&&c| c == MISSING_CODE).count(),
        }
    }
}

/// What the service shows about a column after an upload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnProfile {
    /// Column name.
    pub name: String,
    /// Inferred or requested kind.
    pub kind: ColumnKind,
    /// Number of rows.
    pub rows: usize,
    /// Number of missing values.
    pub missing: usize,
}

/// Upper bounds on an upload, checked while reading so that going over one is an error,
/// never an out-of-memory or a parse that runs for minutes. The fields added after the
/// first three default when absent, so settings written before them still deserialize.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Maximum input size in bytes.
    pub max_bytes: usize,
    /// Maximum number of data rows.
    pub max_rows: usize,
    /// Maximum number of columns.
    pub max_columns: usize,
    /// Maximum size in bytes of one CSV record (the header or a row, its line break
    /// included): the most the reader holds of a record it has not finished reading.
    #[serde(default = "default_max_record_bytes")]
    pub max_record_bytes: usize,
    /// Maximum number of distinct values of one categorical column.
    #[serde(default = "default_max_categories")]
    pub max_categories: usize,
    /// Maximum number of groups (distinct present values) of one sensitive column. Not a
    /// reading limit: [`crate::fairness::evaluate_with_max_groups`] checks it.
    #[serde(default = "default_max_groups")]
    pub max_groups: usize,
}

impl Default for Limits {
    /// 512 MiB, 10 million rows, 1,000 columns, 1 MiB a record, 100,000 categories a
    /// column, 1,000 groups a sensitive column.
    fn default() -> Self {
        Self {
            max_bytes: 512 << 20,
            max_rows: 10_000_000,
            max_columns: 1_000,
            max_record_bytes: 1 << 20,
            max_categories: 100_000,
            max_groups: 1_000,
        }
    }
}

fn default_max_record_bytes() -> usize {
    Limits::default().max_record_bytes
}

fn default_max_categories() -> usize {
    Limits::default().max_categories
}

fn default_max_groups() -> usize {
    Limits::default().max_groups
}

/// How to read a dataset.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ParseOptions {
    /// Size limits.
    pub limits: Limits,
    /// Explicit kinds by column name, overriding inference.
    pub kinds: BTreeMap<String, ColumnKind>,
    /// Kinds by column name for the columns the data turns out to have, overriding
    /// inference; a name the data lacks is no error (unlike in `kinds`, which wins over
    /// this). For reading data to compare with another dataset's columns in one pass, the
    /// data's header not being known before it is read.
    pub kinds_if_present: BTreeMap<String, ColumnKind>,
}

impl ParseOptions {
    /// The kind a column of this name is read as, when not inferred.
    pub(crate) fn kind_of(&self, name: &str) -> Option<ColumnKind> {
        self.kinds
            .get(name)
            .or_else(|| self.kinds_if_present.get(name))
            .copied()
    }
}

/// A table of named, typed columns of equal length.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    names: Vec<String>,
    columns: Vec<Column>,
    rows: usize,
}

impl Dataset {
    /// Reads CSV bytes: a header row, `,` delimiter, optional `"` quoting, `\n` or `\r\n`
    /// line ends. Kinds are inferred (numeric when every present value is a finite number
    /// and there are more than 5 distinct values) unless `options.kinds` says otherwise.
    /// Empty, `NA`, `NaN`, `null` and ±inf are missing values.
    pub fn from_csv(bytes: &[u8], options: &ParseOptions) -> Result<Self, DatasetError> {
        csv::parse(bytes, options)
    }

    /// Reads CSV from a stream (a file, a request body) in blocks of 16 MiB, holding only
    /// two blocks of raw bytes at a time besides the columns (the next block is read while
    /// the current one is parsed); otherwise as [`Dataset::from_csv`].
    pub fn from_csv_reader(
        reader: impl std::io::Read,
        options: &ParseOptions,
    ) -> Result<Self, DatasetError> {
        csv::parse_reader(reader, options, None)
    }

    /// [`Dataset::from_csv_reader`] for a stream whose length is known (a file's, a
    /// request's `Content-Length`): the columns are reserved once, from the rows per byte of
    /// the first block, instead of grown (with an allocator that does not remap, such as
    /// mimalloc, every growth copies the column). A wrong `len` costs only that: the same
    /// dataset is read, and the byte limit still counts the bytes read.
    pub fn from_csv_reader_sized(
        reader: impl std::io::Read,
        len: u64,
        options: &ParseOptions,
    ) -> Result<Self, DatasetError> {
        csv::parse_reader(reader, options, usize::try_from(len).ok())
    }

    /// Reads JSON bytes, either `{"columns": {"age": [31, null, ...], ...}}` or a list of
    /// records `[{"age": 31, ...}, ...]`. Kinds and missing values as for
    /// [`Dataset::from_csv`]; JSON `null` is missing too.
    pub fn from_json(bytes: &[u8], options: &ParseOptions) -> Result<Self, DatasetError> {
        json::parse(bytes, options)
    }

    /// Builds a dataset from columns already in memory.
    pub fn from_columns(columns: Vec<(String, Column)>) -> Result<Self, DatasetError> {
        let rows = columns.first().map_or(0, |(_, c)| c.len());
        // Names by hash: a wide dataset costs linear time.
        let mut seen = HashSet::with_capacity(columns.len());
        for (name, column) in &columns {
            if !seen.insert(name.as_str()) {
                return Err(DatasetError::DuplicateColumn {
                    column: name.clone(),
                });
            }
            if column.len() != rows {
                return Err(DatasetError::LengthMismatch {
                    column: name.clone(),
                    expected: rows,
                    found: column.len(),
                });
            }
        }
        drop(seen);
        let (names, columns) = columns.into_iter().unzip();
        Ok(Self {
            names,
            columns,
            rows,
        })
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Column names in file order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The column with this name.
    pub fn column(&self, name: &str) -> Option<&Column> {
        let index = self.names.iter().position(|n| n == name)?;
        self.columns.get(index)
    }

    /// Names and columns in file order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Column)> {
        self.names.iter().map(String::as_str).zip(&self.columns)
    }

    /// Names and columns in file order, taken out of the dataset.
    pub fn into_columns(self) -> Vec<(String, Column)> {
        self.names.into_iter().zip(self.columns).collect()
    }

    /// Name, kind, rows and missing count of every column.
    pub fn profile(&self) -> Vec<ColumnProfile> {
        self.iter()
            .map(|(name, column)| ColumnProfile {
                name: name.to_owned(),
                kind: column.kind(),
                rows: column.len(),
                missing: column.missing(),
            })
            .collect()
    }
}

/// Checks the size limit and that there is something to read.
fn check_input(bytes: &[u8], limits: &Limits) -> Result<(), DatasetError> {
    if bytes.len() > limits.max_bytes {
        return Err(DatasetError::TooLarge {
            found: bytes.len(),
            limit: limits.max_bytes,
        });
    }
    if bytes.trim_ascii().is_empty() {
        return Err(DatasetError::Empty);
    }
    Ok(())
}

/// Checks that every column named in `options.kinds` exists (by hash: both lists may be
/// long).
fn check_kind_overrides(names: &[String], options: &ParseOptions) -> Result<(), DatasetError> {
    if options.kinds.is_empty() {
        return Ok(());
    }
    let names: HashSet<&str> = names.iter().map(String::as_str).collect();
    match options.kinds.keys().find(|k| !names.contains(k.as_str())) {
        Some(column) => Err(DatasetError::UnknownColumn {
            column: column.clone(),
        }),
        None => Ok(()),
    }
}

/// Checks a header: column count, non-empty and unique names (by hash, so that a wide
/// header costs linear time).
fn check_header(names: &[String], limits: &Limits) -> Result<(), DatasetError> {
    if names.len() > limits.max_columns {
        return Err(DatasetError::TooManyColumns {
            found: names.len(),
            limit: limits.max_columns,
        });
    }
    let mut seen = HashSet::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        if name.is_empty() {
            return Err(DatasetError::EmptyColumnName { position: i + 1 });
        }
        if !seen.insert(name.as_str()) {
            return Err(DatasetError::DuplicateColumn {
                column: name.clone(),
            });
        }
    }
    Ok(())
}

/// The bytes `strings` take on the heap, their own and their bytes.
pub(crate) fn strings_bytes(strings: &[String]) -> usize {
    strings.iter().map(|s| size_of::<String>() + s.len()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_codes_keeps_only_the_categories_in_use() {
        let categories = ["a".to_owned(), "b".to_owned(), "c".to_owned()];
        let column = Categorical::from_codes(vec![2, MISSING_CODE, 0, 2, 7], &categories);
        assert_eq!(column.categories(), ["a", "c"]);
        assert_eq!(column.codes(), [1, MISSING_CODE, 0, 1, MISSING_CODE]);
        assert_eq!(column.get(0), Some("c"));
    }

    #[test]
    fn mean_and_std_of_the_present_values() {
        let column = Column::Numeric(vec![1.0, f64::NAN, 2.0, 3.0, 4.0]);
        let (mean, std) = column.mean_and_std().expect("numeric");
        assert_eq!(mean, 2.5);
        assert!((std - 1.290_994_448_735_805_6).abs() < 1e-15);
        assert_eq!(Column::Numeric(vec![5.0]).mean_and_std(), Some((5.0, 0.0)));
        assert_eq!(Column::Numeric(vec![f64::NAN]).mean_and_std(), None);
        let labels = Column::Categorical(Categorical::from_labels(&[Some("x")]));
        assert_eq!(labels.mean_and_std(), None);
    }
}
