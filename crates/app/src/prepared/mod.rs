//! The stored prepared form of reference data (issue #17 part 2): each column's prepared
//! values (`driftguard_stats::prepared`: numbers sorted, categories counted) and, for the
//! columns an evaluation reads row by row, its values in row order, written at upload in a
//! little-endian layout of our own behind a version byte, and read back at each evaluation
//! with copies only: no parse, no sort.
//!
//! Layout, version 2. Every blob starts with the version (2), a tag saying what follows, and
//! the column's rows as a `u64`; counts are `u64`, strings a `u32` length and UTF-8 bytes:
//!
//! | tag | blob                 | body                                                  |
//! |-----|----------------------|-------------------------------------------------------|
//! | 0   | sorted numbers       | `n`, then `n` LEB128 deltas of ascending keys          |
//! | 1   | category counts      | `k`, `k` strings, `k` counts                          |
//! | 2   | numbers in row order | `rows` doubles, NaN where missing                     |
//! | 3   | labels in row order  | `k`, `k` strings, `rows` `u32` codes (`u32::MAX` = missing) |
//!
//! A sorted double is stored as the delta of its order-preserving key (its bits, the sign bit
//! flipped for a positive double and every bit for a negative one) from the previous one's,
//! LEB128-encoded: neighbours share their leading bits, so a delta takes about five bytes
//! instead of eight, and equal values one (issue #17 part 2: the upload writes less). Every
//! double is written bit for bit, so the values read back are the values prepared.
//! Version 1, written before, differs only in tag 0: `n` doubles as they are; it is still
//! read.

mod bytes;
pub mod kept;

pub use bytes::BlobError;
use bytes::{Reader, Writer};
use driftguard_stats::prepared::{PreparedColumn, PreparedReference, PreparedValues};
use driftguard_stats::{Categorical, Column, ColumnKind, Dataset};
use rayon::prelude::*;

use crate::ports::references::{LoadedColumn, Ordered, StoredColumn};

/// A stored column that could not be read back, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("column `{column}`: {error}")]
pub struct CorruptColumn {
    /// The column.
    pub column: String,
    /// What is wrong with it.
    pub error: BlobError,
}

/// One column as stored, with its row-order values when `in_row_order`.
fn stored(
    name: String,
    prepared: &PreparedColumn,
    column: &Column,
    in_row_order: bool,
) -> StoredColumn {
    StoredColumn {
        prepared: encode_prepared(prepared),
        ordered: in_row_order.then(|| encode_column(column)),
        name,
    }
}

/// Every column of `dataset` prepared and encoded, side by side on rayon's pool, in file
/// order, with the row-order values of the columns `in_row_order` names; each column is
/// dropped once encoded, so that the dataset and its encoding are not held twice over.
pub fn prepare(dataset: Dataset, in_row_order: &[String]) -> Vec<StoredColumn> {
    dataset
        .into_columns()
        .into_par_iter()
        .map(|(name, column)| {
            let keep = in_row_order.contains(&name);
            stored(name, &PreparedColumn::of(&column), &column, keep)
        })
        .collect()
}

/// Every column of `reference` as stored, with the row-order values (from the kept dataset)
/// of the columns `in_row_order` names.
pub fn store(reference: &PreparedReference, in_row_order: &[String]) -> Vec<StoredColumn> {
    let columns: Vec<(&str, &PreparedColumn)> = reference.iter().collect();
    columns
        .into_par_iter()
        .filter_map(|(name, prepared)| {
            let column = reference.ordered().column(name)?;
            let keep = in_row_order.iter().any(|n| n == name);
            Some(stored(name.to_owned(), prepared, column, keep))
        })
        .collect()
}

/// The stored columns read back: each prepared column in file order, and the row-order
/// columns that were read with them.
pub struct Decoded {
    prepared: Vec<(String, PreparedColumn)>,
    ordered: Vec<(String, Column)>,
}

/// Decodes `columns` (side by side on rayon's pool).
pub fn decode(columns: Vec<LoadedColumn>) -> Result<Decoded, CorruptColumn> {
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
    Ok(Decoded { prepared, ordered })
}

impl Decoded {
    /// The prepared reference, with the row-order columns read back.
    pub fn into_reference(self) -> Result<PreparedReference, CorruptColumn> {
        let ordered = Dataset::from_columns(self.ordered).map_err(|e| CorruptColumn {
            column: first_name(&self.prepared),
            error: BlobError::Inconsistent(e.to_string()),
        })?;
        reference(self.prepared, ordered)
    }

    /// The prepared reference, with `ordered` (the original, parsed again) as its row-order
    /// columns in place of those read back.
    pub fn with_ordered(self, ordered: Dataset) -> Result<PreparedReference, CorruptColumn> {
        reference(self.prepared, ordered)
    }

    /// Whether every column `asked` names that the reference has came back in row order.
    pub fn has_in_row_order(&self, asked: &Ordered) -> bool {
        let read = |name: &str| self.ordered.iter().any(|(n, _)| n == name);
        match asked {
            Ordered::All => self.prepared.iter().all(|(n, _)| read(n)),
            Ordered::Only(names) => names
                .iter()
                .all(|name| read(name) || !self.prepared.iter().any(|(n, _)| n == name)),
        }
    }
}

fn reference(
    prepared: Vec<(String, PreparedColumn)>,
    ordered: Dataset,
) -> Result<PreparedReference, CorruptColumn> {
    let column = first_name(&prepared);
    PreparedReference::new(prepared, ordered).map_err(|e| CorruptColumn {
        column,
        error: e.into(),
    })
}

/// The first column's name: a mismatch between columns is reported against it, having no one
/// culprit.
fn first_name(prepared: &[(String, PreparedColumn)]) -> String {
    prepared.first().map(|(n, _)| n.clone()).unwrap_or_default()
}

/// Whether `reference` has every column `names` names that it has at all in row order.
pub fn has_in_row_order(reference: &PreparedReference, names: &[String]) -> bool {
    names
        .iter()
        .all(|name| reference.ordered().column(name).is_some() || reference.column(name).is_none())
}

/// The prepared reference stored as `columns` (in file order), with the row-order columns
/// that were read with them.
pub fn load(columns: Vec<LoadedColumn>) -> Result<PreparedReference, CorruptColumn> {
    decode(columns)?.into_reference()
}

/// The layout's version, the first byte of every blob written.
pub const VERSION: u8 = 2;

/// The version whose sorted numbers are doubles as they are.
const PLAIN_SORTED: u8 = 1;

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

/// Reads the header; returns the version, the tag and the rows.
fn read_header(r: &mut Reader<'_>) -> Result<(u8, u8, usize), BlobError> {
    let version = r.u8()?;
    if !(PLAIN_SORTED..=VERSION).contains(&version) {
        return Err(BlobError::Version {
            found: version,
            known: VERSION,
        });
    }
    Ok((version, r.u8()?, r.count()?))
}

/// A prepared column's blob.
pub fn encode_prepared(column: &PreparedColumn) -> Vec<u8> {
    match column.values() {
        PreparedValues::Numeric(sorted) => {
            let mut w = header(SORTED_NUMBERS, column.rows(), sorted.len() * 5 + 8);
            w.u64(sorted.len() as u64);
            w.sorted_f64s(sorted);
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
    let (version, tag, rows) = read_header(&mut r)?;
    let column = match tag {
        SORTED_NUMBERS => {
            let n = r.count()?;
            let sorted = if version == PLAIN_SORTED {
                r.f64s(n)?
            } else {
                r.sorted_f64s(n)?
            };
            PreparedColumn::numeric(rows, sorted)?
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
    let (_, tag, rows) = read_header(&mut r)?;
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
