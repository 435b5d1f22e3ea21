//! Errors of reading a dataset.

/// Why bytes could not be read as a dataset. Lines are 1-based lines of the input (the
/// header is line 1); JSON errors carry serde_json's line and column.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DatasetError {
    /// The input has no bytes (or only whitespace).
    #[error("the data is empty")]
    Empty,
    /// The input has a header but no data row.
    #[error("the data has a header but no rows")]
    NoRows,
    /// The input is larger than the byte limit.
    #[error("the data is larger than the limit of {limit} bytes ({found} bytes read)")]
    TooLarge {
        /// Size of the input (of what was read of a stream when it went over).
        found: usize,
        /// The limit.
        limit: usize,
    },
    /// A compressed input (a Parquet file) would decode to more bytes than allowed: small
    /// files that decompress to far more (a "zip bomb") are refused before decoding when
    /// their footer declares it, and stopped as they decode when it understates it.
    #[error(
        "the data decodes to {found} bytes, more than the limit of {limit} bytes of decoded data"
    )]
    DecodesTooLarge {
        /// Decoded size that the file declares, or that was counted when decoding went past
        /// the limit.
        found: u64,
        /// The limit.
        limit: u64,
    },
    /// More data rows than the row limit.
    #[error("the data has more than {limit} rows")]
    TooManyRows {
        /// The limit.
        limit: usize,
    },
    /// More columns than the column limit. The readers stop at the first column past the
    /// limit, so the header is never read (nor allocated) whole.
    #[error("the data has more than {limit} columns")]
    TooManyColumns {
        /// Columns read before stopping: the limit + 1.
        found: usize,
        /// The limit.
        limit: usize,
    },
    /// A CSV record (the header or a row, its line break included) is longer than the
    /// record limit; the reader refuses it before holding more of it.
    #[error("line {line}: a record is longer than the limit of {limit} bytes")]
    RecordTooLarge {
        /// Line where the record starts.
        line: u64,
        /// The limit.
        limit: usize,
    },
    /// A categorical column has more distinct values than the category limit. When several
    /// columns go over, the one named is the first the reader found.
    #[error("column `{column}` has more than {limit} distinct categories")]
    TooManyCategories {
        /// The column.
        column: String,
        /// The limit.
        limit: usize,
    },
    /// Two columns have the same name.
    #[error("duplicate column name `{column}`")]
    DuplicateColumn {
        /// The repeated name.
        column: String,
    },
    /// A header cell is empty.
    #[error("column {position} of the header has no name")]
    EmptyColumnName {
        /// 1-based position in the header.
        position: usize,
    },
    /// A row has a different number of fields than the header.
    #[error("line {line}: expected {expected} fields, found {found}")]
    RaggedRow {
        /// Line of the row.
        line: u64,
        /// Number of header columns.
        expected: usize,
        /// Number of fields in the row.
        found: usize,
    },
    /// A field is not valid UTF-8.
    #[error("line {line}, column `{column}`: invalid UTF-8")]
    InvalidUtf8 {
        /// Line of the row.
        line: u64,
        /// Column name (or `header`).
        column: String,
    },
    /// A column declared numeric holds something else.
    #[error("line {line}, column `{column}`: `{value}` is not a number")]
    NotANumber {
        /// Line of the row (JSON: 1-based record or value index).
        line: u64,
        /// Column name.
        column: String,
        /// The offending value.
        value: String,
    },
    /// A malformed CSV record (an unbalanced quote, say).
    #[error("line {line}: malformed CSV: {message}")]
    Csv {
        /// Line where the problem starts.
        line: u64,
        /// The CSV reader's explanation.
        message: String,
    },
    /// Malformed JSON, or JSON of another shape than the two accepted.
    #[error("line {line}, column {column}: {message}")]
    Json {
        /// 1-based line in the JSON text.
        line: usize,
        /// 1-based character column in that line.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// Reading the input failed.
    #[error("cannot read the data: {message}")]
    Io {
        /// The I/O error.
        message: String,
    },
    /// A column's kind override names no column of the data.
    #[error("a kind is set for column `{column}`, which the data does not have")]
    UnknownColumn {
        /// The unknown name.
        column: String,
    },
    /// Columns of different lengths.
    #[error("column `{column}` has {found} values, expected {expected}")]
    LengthMismatch {
        /// The column.
        column: String,
        /// Length of the first column.
        expected: usize,
        /// Its length.
        found: usize,
    },
}
