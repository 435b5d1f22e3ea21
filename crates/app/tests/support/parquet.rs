//! Parquet files made from CSV text as pandas would type it (`read_csv` then `to_parquet`):
//! a column of integers is Int64, of other numbers Float64, of anything else text
//! (dictionary-encoded when `dictionaries`, as pandas' categoricals are); empty fields are
//! nulls.

use std::sync::Arc;

use arrow_array::builder::StringDictionaryBuilder;
use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

/// `csv` written as Parquet with `compression`.
pub fn parquet_of_csv(csv: &[u8], compression: Compression, dictionaries: bool) -> Vec<u8> {
    let mut reader = csv::Reader::from_reader(csv);
    let names: Vec<String> = reader
        .headers()
        .expect("a header")
        .iter()
        .map(str::to_owned)
        .collect();
    let mut cells: Vec<Vec<String>> = vec![Vec::new(); names.len()];
    for record in reader.records() {
        let record = record.expect("a record");
        for (column, field) in cells.iter_mut().zip(record.iter()) {
            column.push(field.to_owned());
        }
    }
    let arrays: Vec<(String, ArrayRef)> = names
        .into_iter()
        .zip(cells)
        .map(|(name, column)| (name, typed(&column, dictionaries)))
        .collect();
    let batch = RecordBatch::try_from_iter(arrays).expect("a batch");
    let properties = WriterProperties::builder()
        .set_compression(compression)
        .build();
    let mut writer =
        ArrowWriter::try_new(Vec::new(), batch.schema(), Some(properties)).expect("a writer");
    writer.write(&batch).expect("written");
    writer.into_inner().expect("finished")
}

fn typed(column: &[String], dictionaries: bool) -> ArrayRef {
    let present = || column.iter().filter(|c| !c.is_empty());
    if present().all(|c| c.parse::<i64>().is_ok()) {
        Arc::new(Int64Array::from_iter(
            column
                .iter()
                .map(|c| present_cell(c).and_then(|c| c.parse().ok())),
        ))
    } else if present().all(|c| c.parse::<f64>().is_ok()) {
        Arc::new(Float64Array::from_iter(
            column
                .iter()
                .map(|c| present_cell(c).and_then(|c| c.parse().ok())),
        ))
    } else if dictionaries {
        let mut builder = StringDictionaryBuilder::<Int32Type>::new();
        for cell in column {
            builder.append_option(present_cell(cell));
        }
        Arc::new(builder.finish())
    } else {
        Arc::new(StringArray::from_iter(
            column.iter().map(|c| present_cell(c)),
        ))
    }
}

/// The cell, None when empty (a null).
fn present_cell(cell: &str) -> Option<&str> {
    (!cell.is_empty()).then_some(cell)
}
