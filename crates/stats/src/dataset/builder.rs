//! Builds typed columns cell by cell, deciding numeric vs categorical at the end.
//!
//! A column starts as numbers (8 bytes a cell, no string kept) and turns into
//! dictionary-encoded text at its first non-numeric cell. Numeric-looking cells of a text
//! column are stored in one canonical spelling (`1.0` and `1` are the category `1`), so the
//! result does not depend on where the parallel reader cut the input into chunks.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::{Categorical, Column, ColumnKind, MISSING_CODE};

/// Spellings of a missing value besides the empty string (and NaN/±inf, which parse).
const MISSING_TOKENS: [&[u8]; 3] = [b"NA", b"null", b"NULL"];

/// One classified input cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Cell<'a> {
    Missing,
    Number(f64),
    Text(&'a str),
}

/// Classifies a raw field; `Err(())` when it is not UTF-8.
pub(crate) fn classify(raw: &[u8]) -> Result<Cell<'_>, ()> {
    let field = raw.trim_ascii();
    if field.is_empty() {
        return Ok(Cell::Missing);
    }
    if let Ok((value, used)) = fast_float2::parse_partial::<f64, _>(field)
        && used == field.len()
    {
        // NaN and ±inf spell missing values.
        return Ok(if value.is_finite() {
            Cell::Number(value)
        } else {
            Cell::Missing
        });
    }
    if MISSING_TOKENS.contains(&field) {
        return Ok(Cell::Missing);
    }
    std::str::from_utf8(field).map(Cell::Text).map_err(|_| ())
}

/// The kind override did not allow a cell.
#[derive(Debug)]
pub(crate) struct NotANumber(pub String);

/// Fx hash: the category dictionaries hash short keys millions of times, where SipHash's
/// DoS resistance buys nothing (the data is the caller's own upload).
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        // The tail (most labels are shorter than 8 bytes) as one zero-padded word.
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// Dictionary-encoded text under construction (categories in first-seen order).
#[derive(Debug, Default)]
struct Text {
    codes: Vec<u32>,
    index: FxMap<Box<str>, u32>,
    categories: Vec<Box<str>>,
}

impl Text {
    /// The code of `label`, adding it to the dictionary when new.
    fn code(&mut self, label: &str) -> u32 {
        match self.index.get(label) {
            Some(&code) => code,
            None => {
                let code = self.categories.len() as u32;
                self.categories.push(label.into());
                self.index.insert(label.into(), code);
                code
            }
        }
    }

    fn intern(&mut self, label: &str) {
        let code = self.code(label);
        self.codes.push(code);
    }

    fn push(&mut self, cell: Cell<'_>) {
        match cell {
            Cell::Missing => self.codes.push(MISSING_CODE),
            Cell::Number(v) => self.intern(&canonical(v)),
            Cell::Text(s) => self.intern(s),
        }
    }

    fn from_numbers(values: &[f64]) -> Self {
        let mut text = Self::default();
        text.push_numbers(values);
        text
    }

    /// Appends numbers as their canonical spelling, formatting each distinct one once.
    fn push_numbers(&mut self, values: &[f64]) {
        grow(&mut self.codes, values.len());
        let mut seen: FxMap<u64, u32> = FxMap::default();
        for &v in values {
            if v.is_nan() {
                self.codes.push(MISSING_CODE);
                continue;
            }
            // -0 and 0 are one category.
            let bits = (v + 0.0).to_bits();
            let code = match seen.get(&bits) {
                Some(&code) => code,
                None => {
                    let code = self.code(&canonical(v));
                    seen.insert(bits, code);
                    code
                }
            };
            self.codes.push(code);
        }
    }

    /// Appends the rows of another dictionary-encoded chunk.
    fn absorb(&mut self, other: Self) {
        grow(&mut self.codes, other.codes.len());
        let remap: Vec<u32> = other.categories.iter().map(|c| self.code(c)).collect();
        self.codes.extend(
            other
                .codes
                .iter()
                .map(|&c| remap.get(c as usize).copied().unwrap_or(MISSING_CODE)),
        );
    }

    /// The final column: categories sorted, codes renumbered to match.
    fn into_sorted(self) -> Categorical {
        let mut order: Vec<u32> = (0..self.categories.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| {
            self.categories[a as usize].cmp(&self.categories[b as usize])
        });
        let mut rank = vec![MISSING_CODE; order.len()];
        for (new, &old) in order.iter().enumerate() {
            rank[old as usize] = new as u32;
        }
        let mut codes = self.codes;
        for c in &mut codes {
            if let Some(&r) = rank.get(*c as usize) {
                *c = r;
            }
        }
        codes.shrink_to_fit();
        let mut categories: Vec<Option<Box<str>>> = self.categories.into_iter().map(Some).collect();
        let categories = order
            .iter()
            .filter_map(|&old| categories[old as usize].take())
            .map(String::from)
            .collect();
        Categorical { codes, categories }
    }
}

/// The one spelling of a number used as a category.
pub(crate) fn canonical(v: f64) -> String {
    if v == 0.0 {
        "0".to_owned()
    } else {
        v.to_string()
    }
}

#[derive(Debug)]
enum State {
    Numbers(Vec<f64>),
    Text(Text),
}

/// Accumulates one column (or one chunk of one column).
#[derive(Debug)]
pub(crate) struct ColumnBuilder {
    forced: Option<ColumnKind>,
    state: State,
}

impl ColumnBuilder {
    pub(crate) fn new(forced: Option<ColumnKind>, capacity: usize) -> Self {
        let state = match forced {
            Some(ColumnKind::Categorical) => State::Text(Text {
                codes: Vec::with_capacity(capacity),
                ..Text::default()
            }),
            _ => State::Numbers(Vec::with_capacity(capacity)),
        };
        Self { forced, state }
    }

    pub(crate) fn len(&self) -> usize {
        match &self.state {
            State::Numbers(v) => v.len(),
            State::Text(t) => t.codes.len(),
        }
    }

    /// Appends a cell; fails only when the column is forced numeric and the cell is text.
    pub(crate) fn push(&mut self, cell: Cell<'_>) -> Result<(), NotANumber> {
        match (&mut self.state, cell) {
            (State::Numbers(v), Cell::Missing) => v.push(f64::NAN),
            (State::Numbers(v), Cell::Number(x)) => v.push(x),
            (State::Numbers(v), Cell::Text(s)) => {
                if self.forced == Some(ColumnKind::Numeric) {
                    return Err(NotANumber(s.to_owned()));
                }
                let mut text = Text::from_numbers(v);
                text.push(cell);
                self.state = State::Text(text);
            }
            (State::Text(t), cell) => t.push(cell),
        }
        Ok(())
    }
}

/// Past this size a growing column jumps straight to [`LARGE_BYTES`].
const SMALL_BYTES: usize = 1 << 20;
/// Above the largest threshold at which glibc's malloc switches to mmap (32 MiB on 64-bit):
/// a vector this big is mapped on its own, grows by remapping pages and gives them back
/// when freed. Growing through the sizes below it (4, 8, 16 MiB, …) would leave each freed
/// step in the heap, where it stays resident.
const LARGE_BYTES: usize = 33 << 20;

/// Reserves room for `extra` more elements, doubling, but jumping from small to
/// [`LARGE_BYTES`] at once. Only address space is reserved: untouched pages cost nothing.
fn grow<T>(v: &mut Vec<T>, extra: usize) {
    let need = v.len() + extra;
    if need <= v.capacity() {
        return;
    }
    let size = std::mem::size_of::<T>().max(1);
    let mut target = need.max(v.len() * 2);
    if target * size > SMALL_BYTES {
        target = target.max(LARGE_BYTES / size);
    }
    v.reserve_exact(target - v.len());
}

/// A whole column, built from its chunks in order as they are parsed. Appending a chunk
/// right away (instead of keeping every chunk to the end) bounds the memory in flight to
/// one block of chunks; a large vector grows by moving pages, not by copying.
#[derive(Debug)]
pub(crate) struct ColumnAccumulator {
    forced: Option<ColumnKind>,
    state: State,
}

impl ColumnAccumulator {
    pub(crate) fn new(forced: Option<ColumnKind>) -> Self {
        Self {
            forced,
            state: State::Numbers(Vec::new()),
        }
    }

    /// Appends the next chunk of the column.
    pub(crate) fn append(&mut self, part: ColumnBuilder) {
        let state = std::mem::replace(&mut self.state, State::Numbers(Vec::new()));
        self.state = match (state, part.state) {
            (State::Numbers(mut all), State::Numbers(v)) => {
                if all.is_empty() {
                    all = v;
                } else {
                    grow(&mut all, v.len());
                    all.extend_from_slice(&v);
                }
                State::Numbers(all)
            }
            (State::Numbers(all), State::Text(t)) => {
                let mut text = Text::from_numbers(&all);
                drop(all);
                text.absorb(t);
                State::Text(text)
            }
            (State::Text(mut all), State::Numbers(v)) => {
                all.push_numbers(&v);
                State::Text(all)
            }
            (State::Text(mut all), State::Text(t)) => {
                all.absorb(t);
                State::Text(all)
            }
        };
    }

    /// The final typed column: numeric when forced so, or when every value is a number and
    /// there are more than five distinct ones; categorical otherwise.
    pub(crate) fn finish(self) -> Column {
        match self.state {
            State::Numbers(mut values) => {
                let numeric = match self.forced {
                    Some(kind) => kind == ColumnKind::Numeric,
                    None => more_than_five_distinct(&values),
                };
                if numeric {
                    values.shrink_to_fit();
                    Column::Numeric(values)
                } else {
                    Column::Categorical(Text::from_numbers(&values).into_sorted())
                }
            }
            State::Text(text) => Column::Categorical(text.into_sorted()),
        }
    }
}

fn more_than_five_distinct(values: &[f64]) -> bool {
    let mut seen: Vec<f64> = Vec::with_capacity(6);
    for &v in values {
        if !v.is_nan() && !seen.contains(&v) {
            seen.push(v);
            if seen.len() > 5 {
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_missing_numbers_and_text() {
        assert_eq!(classify(b""), Ok(Cell::Missing));
        assert_eq!(classify(b" NA "), Ok(Cell::Missing));
        assert_eq!(classify(b"NaN"), Ok(Cell::Missing));
        assert_eq!(classify(b"-inf"), Ok(Cell::Missing));
        assert_eq!(classify(b"null"), Ok(Cell::Missing));
        assert_eq!(classify(b"1e3"), Ok(Cell::Number(1000.0)));
        assert_eq!(classify(b"-0.25"), Ok(Cell::Number(-0.25)));
        assert_eq!(classify(b"1.5kg"), Ok(Cell::Text("1.5kg")));
        assert_eq!(classify(b"\xff"), Err(()));
    }

    #[test]
    fn numbers_in_text_columns_are_canonical_across_chunks() {
        let mut a = ColumnBuilder::new(None, 0);
        for raw in [&b"1.0"[..], b"2"] {
            a.push(classify(raw).expect("utf8")).expect("push");
        }
        let mut b = ColumnBuilder::new(None, 0);
        for raw in [&b"x"[..], b"1", b""] {
            b.push(classify(raw).expect("utf8")).expect("push");
        }
        let mut column = ColumnAccumulator::new(None);
        column.append(a);
        column.append(b);
        let Column::Categorical(c) = column.finish() else {
            panic!("expected categorical");
        };
        assert_eq!(c.categories(), ["1", "2", "x"]);
        assert_eq!(c.codes(), [0, 1, 2, 0, MISSING_CODE]);
    }
}
