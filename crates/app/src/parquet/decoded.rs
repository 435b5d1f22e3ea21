//! The bound on what a Parquet file decodes to (against "zip bombs"): checked once from the
//! footer's declared sizes before anything is decoded, then counted batch by batch as the
//! columns' readers hand their values out, since a footer can understate its sizes.

use std::sync::atomic::{AtomicU64, Ordering};

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;
use driftguard_stats::{DatasetError, ParseOptions};
use parquet::arrow::arrow_reader::ArrowReaderMetadata;

/// How many times the byte limit a file may decode to. The same data takes more room
/// decoded than as CSV text: a number takes 8 bytes where CSV may spell it in 2 (`0,`), an
/// empty text 8 (its slot) where CSV spells it in 1 (`,`), so a file holding what a CSV
/// within the limit holds stays within 8×. A "zip bomb" (pages of one repeated byte,
/// compressed a thousandfold) does not.
const DECODED_PER_BYTE: u64 = 8;

/// What every row of every column counts, whatever its type: the `f64` a number becomes,
/// or the slot (offset, key or code) of a text value.
const BYTES_PER_ROW: u64 = 8;

/// The decoded bytes all the columns of one file may take, and how many they took so far.
/// The columns are decoded in parallel and share one budget, so that a file of many
/// columns, each under the bound, still stops once their sum is past it.
pub(super) struct Budget {
    used: AtomicU64,
    limit: u64,
}

impl Budget {
    /// The budget of a file read under `options`.
    pub(super) fn new(options: &ParseOptions) -> Self {
        Self {
            used: AtomicU64::new(0),
            limit: u64::try_from(options.limits.max_bytes)
                .unwrap_or(u64::MAX)
                .saturating_mul(DECODED_PER_BYTE),
        }
    }

    /// Refuses a file whose footer declares more decompressed bytes than the budget (a
    /// negative size, which no writer makes, counts as too large), before any page is read.
    pub(super) fn check_declared(
        &self,
        metadata: &ArrowReaderMetadata,
    ) -> Result<(), DatasetError> {
        let declared = metadata
            .metadata()
            .row_groups()
            .iter()
            .flat_map(|group| group.columns())
            .map(|chunk| u64::try_from(chunk.uncompressed_size()).unwrap_or(u64::MAX))
            .fold(0, u64::saturating_add);
        self.refuse_past(declared)
    }

    /// Counts `bytes` just decoded by one column; past the budget it is an error, which
    /// each column's reader meets at its next batch at the latest, so that no more than
    /// about one batch per column is decoded beyond the bound.
    pub(super) fn spend(&self, bytes: u64) -> Result<(), DatasetError> {
        let before = self.used.fetch_add(bytes, Ordering::Relaxed);
        self.refuse_past(before.saturating_add(bytes))
    }

    fn refuse_past(&self, found: u64) -> Result<(), DatasetError> {
        if found > self.limit {
            return Err(DatasetError::DecodesTooLarge {
                found,
                limit: self.limit,
            });
        }
        Ok(())
    }
}

/// What one column's batches decode to, counted without visiting the values one by one:
/// [`BYTES_PER_ROW`] a row, plus the text of labels (from the offsets, or the views'
/// buffers), plus a dictionary's values the first time the column's batches hand that
/// dictionary out (the reader shares one dictionary between the batches of a chunk).
#[derive(Default)]
pub(super) struct BatchSize {
    last_dictionary: Option<ArrayRef>,
}

impl BatchSize {
    /// The decoded bytes of one batch of the column.
    pub(super) fn of(&mut self, array: &dyn Array) -> u64 {
        let rows = u64::try_from(array.len()).unwrap_or(u64::MAX);
        let slots = rows.saturating_mul(BYTES_PER_ROW);
        let Some(dictionary) = array.as_any_dictionary_opt() else {
            return slots.saturating_add(text_bytes(array));
        };
        let values = dictionary.values();
        if self
            .last_dictionary
            .as_ref()
            .is_some_and(|last| std::sync::Arc::ptr_eq(last, values))
        {
            return slots;
        }
        self.last_dictionary = Some(values.clone());
        let entries = u64::try_from(values.len()).unwrap_or(u64::MAX);
        slots
            .saturating_add(entries.saturating_mul(BYTES_PER_ROW))
            .saturating_add(text_bytes(values.as_ref()))
    }
}

/// The bytes of text an array holds (nothing for other types).
fn text_bytes(array: &dyn Array) -> u64 {
    let span = match array.data_type() {
        DataType::Utf8 => offset_span(array.as_string::<i32>().value_offsets()),
        DataType::LargeUtf8 => offset_span(array.as_string::<i64>().value_offsets()),
        DataType::Utf8View => array.as_string_view().total_buffer_bytes_used(),
        _ => 0,
    };
    u64::try_from(span).unwrap_or(u64::MAX)
}

/// The bytes between the first and the last offset of a text array (of this slice of it).
fn offset_span<O: arrow_array::OffsetSizeTrait>(offsets: &[O]) -> usize {
    match (offsets.first(), offsets.last()) {
        (Some(first), Some(last)) => last.as_usize().saturating_sub(first.as_usize()),
        _ => 0,
    }
}
