//! Parquet input (uploads with `Content-Type: application/vnd.apache.parquet`, and
//! `driftguard check` files ending in `.parquet`), through the Apache Arrow crates. The
//! decoded columns go to the statistics engine's [`ColumnDecoder`]s, so that a Parquet file
//! and a CSV file of the same data give the same dataset: kinds come from the schema (text and
//! dictionaries of text are categorical; integers, decimals, floats and booleans are numbers,
//! whose kind is inferred as for CSV), nulls are missing, and the CSV limits hold (bytes,
//! rows and columns are checked from the footer before any value is decoded).

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type,
    UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;
use bytes::Bytes;
use driftguard_stats::{Column, ColumnDecoder, Dataset, DatasetError, ParseOptions};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use rayon::prelude::*;

/// The media type of Parquet uploads (IANA-registered in 2024).
pub const MEDIA_TYPE: &str = "application/vnd.apache.parquet";

/// Rows decoded at a time, per column.
const BATCH_ROWS: usize = 64 * 1024;

/// Reads a Parquet file held in memory (a `Vec<u8>` is taken without a copy). Columns are
/// decoded in parallel, each by a reader of its own over the shared bytes.
pub fn read(bytes: impl Into<Bytes>, options: &ParseOptions) -> Result<Dataset, DatasetError> {
    let bytes = bytes.into();
    if bytes.len() > options.limits.max_bytes {
        return Err(DatasetError::TooLarge {
            found: bytes.len(),
            limit: options.limits.max_bytes,
        });
    }
    if bytes.is_empty() {
        return Err(DatasetError::Empty);
    }
    // The parquet crate has panicked on malformed files before; a panic here is a bad
    // upload, not a fault of the server.
    std::panic::catch_unwind(|| read_checked(bytes, options))
        .unwrap_or_else(|_| Err(corrupt("the file could not be decoded")))
}

fn corrupt(reason: impl std::fmt::Display) -> DatasetError {
    DatasetError::Io {
        message: format!("not a readable Parquet file: {reason}"),
    }
}

fn read_checked(bytes: Bytes, options: &ParseOptions) -> Result<Dataset, DatasetError> {
    let metadata = ArrowReaderMetadata::load(&bytes, ArrowReaderOptions::new()).map_err(corrupt)?;
    let names: Vec<String> = metadata
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    Dataset::check_decoded_names(&names, options)?;
    let rows = metadata.metadata().file_metadata().num_rows();
    if usize::try_from(rows).map_or(true, |rows| rows > options.limits.max_rows) {
        return Err(DatasetError::TooManyRows {
            limit: options.limits.max_rows,
        });
    }
    let columns = names
        .into_par_iter()
        .enumerate()
        .map(|(index, name)| read_column(&bytes, &metadata, index, name, options))
        .collect::<Result<Vec<_>, _>>()?;
    Dataset::from_decoded(columns)
}

fn read_column(
    bytes: &Bytes,
    metadata: &ArrowReaderMetadata,
    index: usize,
    name: String,
    options: &ParseOptions,
) -> Result<(String, Column), DatasetError> {
    let mask = ProjectionMask::roots(metadata.parquet_schema(), [index]);
    let reader =
        ParquetRecordBatchReaderBuilder::new_with_metadata(bytes.clone(), metadata.clone())
            .with_projection(mask)
            .with_batch_size(BATCH_ROWS)
            .build()
            .map_err(corrupt)?;
    let mut column = ColumnDecoder::new(name.clone(), options);
    for batch in reader {
        let batch = batch.map_err(corrupt)?;
        let Some(array) = batch.columns().first() else {
            continue;
        };
        push(&mut column, &name, array)?;
    }
    column.finish()
}

/// Calls `$sink` with the values of a numeric `$array` as `Option<f64>`s (one expansion per
/// type, so that no value goes through a virtual call), or evaluates to `$otherwise`.
macro_rules! with_numbers {
    ($array:expr, $sink:expr, $otherwise:expr) => {{
        macro_rules! as_f64 {
            ($type:ty) => {
                $sink(
                    $array
                        .as_primitive::<$type>()
                        .iter()
                        .map(|v| v.map(|x| x as f64)),
                )
            };
        }
        match $array.data_type() {
            DataType::Int8 => as_f64!(Int8Type),
            DataType::Int16 => as_f64!(Int16Type),
            DataType::Int32 => as_f64!(Int32Type),
            DataType::Int64 => as_f64!(Int64Type),
            DataType::UInt8 => as_f64!(UInt8Type),
            DataType::UInt16 => as_f64!(UInt16Type),
            DataType::UInt32 => as_f64!(UInt32Type),
            DataType::UInt64 => as_f64!(UInt64Type),
            DataType::Float32 => as_f64!(Float32Type),
            DataType::Float64 => as_f64!(Float64Type),
            _ => $otherwise,
        }
    }};
}

/// Appends one batch of one column.
fn push(column: &mut ColumnDecoder, name: &str, array: &ArrayRef) -> Result<(), DatasetError> {
    match array.data_type() {
        DataType::Null => column.push_numbers(std::iter::repeat_n(None, array.len())),
        DataType::Boolean => column.push_numbers(
            array
                .as_boolean()
                .iter()
                .map(|v| v.map(|b| f64::from(u8::from(b)))),
        ),
        DataType::Decimal128(_, scale) => {
            let unit = 10f64.powi(i32::from(*scale));
            column.push_numbers(
                array
                    .as_primitive::<arrow_array::types::Decimal128Type>()
                    .iter()
                    .map(|v| v.map(|x| x as f64 / unit)),
            )
        }
        DataType::Utf8 => column.push_labels(array.as_string::<i32>().iter()),
        DataType::LargeUtf8 => column.push_labels(array.as_string::<i64>().iter()),
        DataType::Utf8View => column.push_labels(array.as_string_view().iter()),
        DataType::Dictionary(_, _) => push_dictionary(column, name, array),
        other => with_numbers!(
            array,
            |values| column.push_numbers(values),
            Err(unsupported(name, other))
        ),
    }
}

/// A dictionary-encoded batch: its values decoded once, then looked up row by row.
fn push_dictionary(
    column: &mut ColumnDecoder,
    name: &str,
    array: &ArrayRef,
) -> Result<(), DatasetError> {
    let dictionary = array.as_any_dictionary();
    let keys = dictionary.normalized_keys();
    let present = |row: usize| dictionary.keys().is_valid(row);
    let values: &ArrayRef = dictionary.values();
    match values.data_type() {
        DataType::Utf8 => {
            let labels = values.as_string::<i32>();
            column.push_labels(keys.iter().enumerate().map(|(row, &key)| {
                (present(row) && labels.is_valid(key)).then(|| labels.value(key))
            }))
        }
        DataType::LargeUtf8 => {
            let labels = values.as_string::<i64>();
            column.push_labels(keys.iter().enumerate().map(|(row, &key)| {
                (present(row) && labels.is_valid(key)).then(|| labels.value(key))
            }))
        }
        _ => {
            let numbers: Vec<Option<f64>> = with_numbers!(
                values,
                |numbers| Iterator::collect(numbers),
                return Err(unsupported(name, array.data_type()))
            );
            column.push_numbers(keys.iter().enumerate().map(|(row, &key)| {
                if present(row) {
                    numbers.get(key).copied().flatten()
                } else {
                    None
                }
            }))
        }
    }
}

fn unsupported(name: &str, data_type: &DataType) -> DatasetError {
    DatasetError::Io {
        message: format!(
            "column `{name}` has the Parquet (Arrow) type {data_type}, which cannot be read: \
             cast it to a number or a string"
        ),
    }
}
