//! Parquet input (uploads with `Content-Type: application/vnd.apache.parquet`, and
//! `driftguard check` files ending in `.parquet`), through the Apache Arrow crates. The
//! decoded columns go to the statistics engine's [`ColumnDecoder`]s, so that a Parquet file
//! and a CSV file of the same data give the same dataset: kinds come from the schema (text and
//! dictionaries of text are categorical; integers, decimals, floats and booleans are numbers,
//! whose kind is inferred as for CSV), nulls are missing, and the CSV limits hold (bytes,
//! rows and columns are checked from the footer before any value is decoded). Against a
//! "zip bomb", what the file decodes to is bounded ([`decoded`]): by the footer's declared
//! sizes first, then by counting the decoded values batch by batch.

mod decoded;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Decimal128Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type,
    UInt16Type, UInt32Type, UInt64Type,
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

use decoded::{BatchSize, Budget};

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
    check_chunk_ranges(&metadata, bytes.len())?;
    let names: Vec<String> = metadata
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    Dataset::check_decoded_names(&names, options)?;
    let budget = Budget::new(options);
    budget.check_declared(&metadata)?;
    // The file's row count, and the row groups' (which the reader adds up, and which a
    // hostile footer can make overflow: a fuzz finding), are each within the limit.
    let groups = metadata.metadata().row_groups().iter();
    let group_rows = groups
        .map(|group| u64::try_from(group.num_rows()).ok())
        .try_fold(0u64, |sum, rows| sum.checked_add(rows?));
    let rows = metadata.metadata().file_metadata().num_rows();
    let within = |rows: Option<u64>| {
        rows.and_then(|rows| usize::try_from(rows).ok())
            .is_some_and(|rows| rows <= options.limits.max_rows)
    };
    if !within(u64::try_from(rows).ok()) || !within(group_rows) {
        return Err(DatasetError::TooManyRows {
            limit: options.limits.max_rows,
        });
    }
    let columns = names
        .into_par_iter()
        .enumerate()
        .map(|(index, name)| read_column(&bytes, &metadata, index, name, options, &budget))
        .collect::<Result<Vec<_>, _>>()?;
    Dataset::from_decoded(columns)
}

/// Refuses a footer whose column chunks start before the file or end past it: the parquet
/// crate asserts on a negative offset or size (found by the `parquet_reader` fuzz target),
/// and a range past the end can only fail later.
fn check_chunk_ranges(metadata: &ArrowReaderMetadata, file_len: usize) -> Result<(), DatasetError> {
    let file_len = u64::try_from(file_len).unwrap_or(u64::MAX);
    for chunk in metadata
        .metadata()
        .row_groups()
        .iter()
        .flat_map(|group| group.columns())
    {
        let start = chunk
            .dictionary_page_offset()
            .unwrap_or_else(|| chunk.data_page_offset());
        let range = u64::try_from(start)
            .ok()
            .zip(u64::try_from(chunk.compressed_size()).ok())
            .and_then(|(start, len)| start.checked_add(len));
        if range.is_none_or(|end| end > file_len) {
            return Err(corrupt(format!(
                "column chunk `{}` lies outside the file",
                chunk.column_path().string()
            )));
        }
    }
    Ok(())
}

fn read_column(
    bytes: &Bytes,
    metadata: &ArrowReaderMetadata,
    index: usize,
    name: String,
    options: &ParseOptions,
    budget: &Budget,
) -> Result<(String, Column), DatasetError> {
    let mask = ProjectionMask::roots(metadata.parquet_schema(), [index]);
    let reader =
        ParquetRecordBatchReaderBuilder::new_with_metadata(bytes.clone(), metadata.clone())
            .with_projection(mask)
            .with_batch_size(BATCH_ROWS)
            .build()
            .map_err(corrupt)?;
    let mut column = ColumnDecoder::new(name.clone(), options);
    let mut scratch = Vec::new();
    let mut size = BatchSize::default();
    for batch in reader {
        let batch = batch.map_err(corrupt)?;
        let Some(array) = batch.columns().first() else {
            continue;
        };
        budget.spend(size.of(array.as_ref()))?;
        push(&mut column, &name, array, &mut scratch)?;
    }
    column.finish()
}

/// Appends one batch of one column: numbers as one slice of `f64`s (`scratch`, unless the
/// batch is already doubles without nulls), dictionaries by their keys, text label by label.
fn push(
    column: &mut ColumnDecoder,
    name: &str,
    array: &ArrayRef,
    scratch: &mut Vec<f64>,
) -> Result<(), DatasetError> {
    match array.data_type() {
        DataType::Utf8 => column.push_labels(array.as_string::<i32>().iter()),
        DataType::LargeUtf8 => column.push_labels(array.as_string::<i64>().iter()),
        DataType::Utf8View => column.push_labels(array.as_string_view().iter()),
        DataType::Dictionary(_, _) => push_dictionary(column, name, array, scratch),
        DataType::Float64 if array.null_count() == 0 => {
            column.push_number_slice(array.as_primitive::<Float64Type>().values())
        }
        other => {
            if !numbers(array, scratch) {
                return Err(unsupported(name, other));
            }
            column.push_number_slice(scratch)
        }
    }
}

/// Writes the values of a numeric `array` into `out` as `f64`s, NaN (a missing value) in
/// place of nulls; false when the array is not of a numeric type.
fn numbers(array: &dyn Array, out: &mut Vec<f64>) -> bool {
    out.clear();
    // One expansion per type, so that no value goes through a virtual call.
    macro_rules! as_f64 {
        ($type:ty) => {
            out.extend(
                array
                    .as_primitive::<$type>()
                    .values()
                    .iter()
                    .map(|&x| x as f64),
            )
        };
    }
    match array.data_type() {
        DataType::Null => out.resize(array.len(), f64::NAN),
        DataType::Boolean => out.extend(
            array
                .as_boolean()
                .values()
                .iter()
                .map(|b| f64::from(u8::from(b))),
        ),
        DataType::Decimal128(_, scale) => {
            let unit = 10f64.powi(i32::from(*scale));
            out.extend(
                array
                    .as_primitive::<Decimal128Type>()
                    .values()
                    .iter()
                    .map(|&x| x as f64 / unit),
            );
        }
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
        _ => return false,
    }
    blank_nulls(out, array);
    true
}

/// Puts NaN, a missing value, in the place of each null of `array`.
fn blank_nulls(values: &mut [f64], array: &dyn Array) {
    if let Some(nulls) = array.logical_nulls() {
        for (value, valid) in values.iter_mut().zip(nulls.iter()) {
            if !valid {
                *value = f64::NAN;
            }
        }
    }
}

/// A dictionary-encoded batch: text dictionaries go to the decoder as labels and keys, so
/// that each label is read once; numbers are looked up row by row into `scratch`.
fn push_dictionary(
    column: &mut ColumnDecoder,
    name: &str,
    array: &ArrayRef,
    scratch: &mut Vec<f64>,
) -> Result<(), DatasetError> {
    let dictionary = array.as_any_dictionary();
    let keys = dictionary.normalized_keys();
    let values: &ArrayRef = dictionary.values();
    let labels: Vec<Option<&str>> = match values.data_type() {
        DataType::Utf8 => values.as_string::<i32>().iter().collect(),
        DataType::LargeUtf8 => values.as_string::<i64>().iter().collect(),
        DataType::Utf8View => values.as_string_view().iter().collect(),
        _ => {
            let mut numbers_of_keys = Vec::new();
            if !numbers(values, &mut numbers_of_keys) {
                return Err(unsupported(name, array.data_type()));
            }
            let number = |key: usize| numbers_of_keys.get(key).copied().unwrap_or(f64::NAN);
            scratch.clear();
            scratch.extend(keys.iter().map(|&key| number(key)));
            blank_nulls(scratch, dictionary.keys());
            return column.push_number_slice(scratch);
        }
    };
    match dictionary.keys().logical_nulls() {
        None => column.push_dictionary(&labels, keys.iter().map(|&key| Some(key))),
        Some(nulls) => column.push_dictionary(
            &labels,
            keys.iter()
                .zip(nulls.iter())
                .map(|(&key, valid)| valid.then_some(key)),
        ),
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
