//! The stored prepared form of reference data (issue #17 part 2): each column's prepared
//! values (`driftguard_stats::prepared`: numbers sorted, categories counted) and its values
//! in row order, written at upload in a little-endian layout of our own behind a version
//! byte, and read back at each evaluation with copies only: no parse, no sort.
//!
//! Layout, version 1. Every blob starts with the version (1), a tag saying what follows, and
//! the column's rows as a `u64`; counts are `u64`, strings a `u32` length and UTF-8 bytes:
//!
//! | tag | blob                 | body                                                  |
//! |-----|----------------------|-------------------------------------------------------|
//! | 0   | sorted numbers       | `n`, then `n` doubles ascending (`total_cmp` order)    |
//! | 1   | category counts      | `k`, `k` strings, `k` counts                          |
//! | 2   | numbers in row order | `rows` doubles, NaN where missing                     |
//! | 3   | labels in row order  | `k`, `k` strings, `rows` `u32` codes (`u32::MAX` = missing) |
//!
//! Doubles are written bit for bit, so the values read back are the values prepared.

mod bytes;

pub use bytes::BlobError;
use bytes::{Reader, Writer};
use driftguard_stats::prepared::{PreparedColumn, PreparedReference, PreparedValues};
use driftguard_stats::{Categorical, Column, ColumnKind, Dataset};
use rayon::prelude::*;

use crate::ports::references::{LoadedColumn, StoredColumn};

/// A stored column that could not be read back, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("column `{column}`: {error}")]
pub struct CorruptColumn {
    /// The column.
    pub column: String,
    /// What is wrong with it.
    pub error: BlobError,
}

/// One column as stored.
fn stored(name: String, prepared: &PreparedColumn, column: &Column) -> StoredColumn {
    StoredColumn {
        name,
        prepared: encode_prepared(prepared),
        ordered: encode_column(column),
    }
}

/// Every column of `dataset` prepared and encoded, side by side on rayon's pool; each column
/// is dropped once encoded, so that the dataset and its encoding are not held twice over.
pub fn prepare(dataset: Dataset) -> Vec<StoredColumn> {
    dataset
        .into_columns()
        .into_par_iter()
        .map(|(name, column)| stored(name, &PreparedColumn::of(&column), &column))
        .collect()
}

/// Every column of `reference` as stored (its row-order values from the kept dataset).
pub fn store(reference: &PreparedReference) -> Vec<StoredColumn> {
    let columns: Vec<(&str, &PreparedColumn)> = reference.iter().collect();
    columns
        .into_par_iter()
        .filter_map(|(name, prepared)| {
            let column = reference.ordered().column(name)?;
            Some(stored(name.to_owned(), prepared, column))
        })
        .collect()
}

/// The prepared reference stored as `columns` (in file order), with the row-order columns
/// that were read with them.
pub fn load(columns: Vec<LoadedColumn>) -> Result<PreparedReference, CorruptColumn> {
    let decoded: Vec<(String, PreparedColumn, Option<Column>)> = columns
        .into_par_iter()
        .map(|c| {
            let corrupt = |error| CorruptColumn {
                column: c.name.clone(),
                error,
            };
            let prepared = decode_prepared(&c.prepared).map_err(corrupt)?;
            let ordered = c
                .ordered
                .map(|blob| decode_column(&blob, prepared.kind()))
                .transpose()
                .map_err(corrupt)?;
            Ok((c.name, prepared, ordered))
        })
        .collect::<Result<_, CorruptColumn>>()?;
    let mut prepared = Vec::with_capacity(decoded.len());
    let mut ordered = Vec::new();
    for (name, column, rows) in decoded {
        if let Some(rows) = rows {
            ordered.push((name.clone(), rows));
        }
        prepared.push((name, column));
    }
    let inconsistent = |column: String, error| CorruptColumn { column, error };
    let first = prepared.first().map(|(n, _)| n.clone()).unwrap_or_default();
    let ordered = Dataset::from_columns(ordered)
        .map_err(|e| inconsistent(first.clone(), BlobError::Inconsistent(e.to_string())))?;
    PreparedReference::new(prepared, ordered).map_err(|e| inconsistent(first, e.into()))
}

/// The layout's version, the first byte of every blob.
pub const VERSION: u8 = 1;

const SORTED_NUMBERS: u8 = 0;
const CATEGORY_COUNTS: u8 = 1;
const ROW_NUMBERS: u8 = 2;
const ROW_LABELS: u8 = 3;

fn header(tag: u8, rows: usize, capacity: usize) -> Writer {
    let mut w = Writer(Vec::with_capacity(capacity + 10));
    w.u8(VERSION);
    w.u8(tag);
    w.u64(rows as u64);
    w
}

/// Reads the header; returns the tag and the rows.
fn read_header(r: &mut Reader<'_>) -> Result<(u8, usize), BlobError> {
    let version = r.u8()?;
    if version != VERSION {
        return Err(BlobError::Version {
            found: version,
            known: VERSION,
        });
    }
    Ok((r.u8()?, r.count()?))
}

/// A prepared column's blob.
pub fn encode_prepared(column: &PreparedColumn) -> Vec<u8> {
    match column.values() {
        PreparedValues::Numeric(sorted) => {
            let mut w = header(SORTED_NUMBERS, column.rows(), sorted.len() * 8 + 8);
            w.u64(sorted.len() as u64);
            w.f64s(sorted);
            w.0
        }
        PreparedValues::Categorical { categories, counts } => {
            let mut w = header(CATEGORY_COUNTS, column.rows(), counts.len() * 16);
            w.strings(categories);
            for &n in counts {
                w.u64(n);
            }
            w.0
        }
    }
}

/// A prepared column read back from [`encode_prepared`]'s blob.
pub fn decode_prepared(blob: &[u8]) -> Result<PreparedColumn, BlobError> {
    let mut r = Reader::new(blob);
    let (tag, rows) = read_header(&mut r)?;
    let column = match tag {
        SORTED_NUMBERS => {
            let n = r.count()?;
            PreparedColumn::numeric(rows, r.f64s(n)?)?
        }
        CATEGORY_COUNTS => {
            let categories = r.strings()?;
            let counts = r.u64s(categories.len())?;
            PreparedColumn::categorical(rows, categories, counts)?
        }
        found => {
            return Err(BlobError::Tag {
                found,
                expected: SORTED_NUMBERS,
            });
        }
    };
    r.finish()?;
    Ok(column)
}

/// A column's blob in row order.
pub fn encode_column(column: &Column) -> Vec<u8> {
    match column {
        Column::Numeric(values) => {
            let mut w = header(ROW_NUMBERS, values.len(), values.len() * 8);
            w.f64s(values);
            w.0
        }
        Column::Categorical(c) => {
            let mut w = header(ROW_LABELS, c.codes().len(), c.codes().len() * 4);
            w.strings(c.categories());
            w.u32s(c.codes());
            w.0
        }
    }
}

/// A column read back from [`encode_column`]'s blob; it must be of `kind` (its prepared
/// column's).
pub fn decode_column(blob: &[u8], kind: ColumnKind) -> Result<Column, BlobError> {
    let mut r = Reader::new(blob);
    let (tag, rows) = read_header(&mut r)?;
    let column = match (tag, kind) {
        (ROW_NUMBERS, ColumnKind::Numeric) => Column::Numeric(r.f64s(rows)?),
        (ROW_LABELS, ColumnKind::Categorical) => {
            let categories = r.strings()?;
            // A code past the categories reads as missing; every category here is used.
            Column::Categorical(Categorical::from_codes(r.u32s(rows)?, &categories))
        }
        (found, ColumnKind::Numeric) => {
            return Err(BlobError::Tag {
                found,
                expected: ROW_NUMBERS,
            });
        }
        (found, ColumnKind::Categorical) => {
            return Err(BlobError::Tag {
                found,
                expected: ROW_LABELS,
            });
        }
    };
    r.finish()?;
    Ok(column)
}

#[cfg(test)]
mod tests;
