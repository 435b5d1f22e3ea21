//! Builds typed columns cell by cell, deciding numeric vs categorical at the end.
//!
//! A column starts as numbers (8 bytes a cell, no string kept) and turns into
//! dictionary-encoded text at its first non-numeric cell. Numeric-looking cells of a text
//! column are stored in one canonical spelling (`1.0` and `1` are the category `1`), so the
//! result does not depend on where the parallel reader cut the input into chunks.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher, RandomState};
use std::sync::OnceLock;

use hashbrown::HashTable;

use super::recent::Recent;
use super::{Categorical, Column, ColumnKind, DatasetError, MISSING_CODE, number};

/// Spellings of a missing value besides the empty string (and NaN/±inf, which parse).
const MISSING_TOKENS: [&[u8]; 3] = [b"NA", b"null", b"NULL"];

/// One classified input cell. Text stays raw bytes: it is checked to be UTF-8 once per
/// distinct label, when the label enters a column's dictionary.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Cell<'a> {
    Missing,
    Number(f64),
    Text(&'a [u8]),
}

/// Classifies a raw field.
#[inline]
pub(crate) fn classify(raw: &[u8]) -> Cell<'_> {
    let field = raw.trim_ascii();
    match number::plain_decimal(field) {
        Some(value) => Cell::Number(value),
        None => classify_other(field),
    }
}

/// Classifies a trimmed field that is not a plain decimal. Kept out of line: the general
/// parser's large stack frame would otherwise be set up for every cell.
#[inline(never)]
fn classify_other(field: &[u8]) -> Cell<'_> {
    let Some(&first) = field.first() else {
        return Cell::Missing;
    };
    if may_start_a_number(first)
        && let Ok((value, used)) = fast_float2::parse_partial::<f64, _>(field)
        && used == field.len()
    {
        // NaN and ±inf spell missing values.
        return if value.is_finite() {
            Cell::Number(value)
        } else {
            Cell::Missing
        };
    }
    if MISSING_TOKENS.contains(&field) {
        return Cell::Missing;
    }
    Cell::Text(field)
}

/// Whether fast-float2 could read a number starting with `byte`: a sign, a digit, a dot,
/// or the start of `inf`/`nan`. Labels (`c01_00`, `A`) skip the parser's attempt.
fn may_start_a_number(byte: u8) -> bool {
    matches!(
        byte,
        b'0'..=b'9' | b'.' | b'+' | b'-' | b'i' | b'I' | b'n' | b'N'
    )
}

/// Why a cell (or a chunk of a column) could not be added.
#[derive(Debug, PartialEq)]
pub(crate) enum PushError {
    /// The column is declared numeric; the value as text.
    NotANumber(String),
    /// The label is not UTF-8.
    InvalidUtf8,
    /// The column would have more distinct categories than `limit`.
    TooManyCategories {
        /// The limit.
        limit: usize,
    },
}

impl PushError {
    /// The dataset error of a cell of `column` at `line`.
    pub(crate) fn at(self, line: u64, column: String) -> DatasetError {
        match self {
            Self::NotANumber(value) => DatasetError::NotANumber {
                line,
                column,
                value,
            },
            Self::InvalidUtf8 => DatasetError::InvalidUtf8 { line, column },
            Self::TooManyCategories { limit } => DatasetError::TooManyCategories { column, limit },
        }
    }
}

/// Keys of [`LabelHasher`], drawn once per process from std's random source.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LabelState {
    seed: u64,
    key: u64,
}

impl Default for LabelState {
    fn default() -> Self {
        static KEYS: OnceLock<LabelState> = OnceLock::new();
        *KEYS.get_or_init(|| {
            let random = RandomState::new();
            LabelState {
                seed: random.hash_one(0u64),
                // Never zero, which would send every key to one bucket.
                key: random.hash_one(1u64) | 1,
            }
        })
    }
}

impl BuildHasher for LabelState {
    type Hasher = LabelHasher;

    fn build_hasher(&self) -> LabelHasher {
        LabelHasher {
            state: self.seed,
            key: self.key,
        }
    }
}

/// A keyed folded-multiply hash (foldhash's and ahash's mixing step). The dictionaries hash
/// short keys millions of times, too often for SipHash; but the labels are the uploader's
/// choice, and with an unkeyed hash (Fx, as before) labels can be crafted to share a bucket
/// so that every insert probes all the others. A seed merely xor-ed into Fx's state would
/// not help: Fx's low bits, which pick the bucket, depend only on the key's low bits. The
/// 128-bit product folded to 64 bits carries every bit of the key, under a secret
/// multiplier, into every bit of the hash (after two rounds; see `finish`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct LabelHasher {
    state: u64,
    key: u64,
}

impl Hasher for LabelHasher {
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

    // Packed labels, number bits and lengths are hashed as one word, not as 8 bytes.
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    // One more round: after one only, keys that differ in their high bytes alone land in
    // few buckets under some multipliers.
    fn finish(&self) -> u64 {
        fold(self.state, self.key)
    }
}

impl LabelHasher {
    fn add(&mut self, word: u64) {
        self.state = fold(self.state ^ word, self.key);
    }
}

/// The 128-bit product of `a` and `b`, its halves xor-ed.
fn fold(a: u64, b: u64) -> u64 {
    let product = u128::from(a) * u128::from(b);
    (product as u64) ^ ((product >> 64) as u64)
}

/// A hash map keyed by labels (or names) that the uploader chose.
pub(crate) type LabelMap<K, V> = HashMap<K, V, LabelState>;

/// Dictionary-encoded text under construction (categories in first-seen order). Labels
/// of up to 7 bytes (most categories) are looked up as one packed integer, longer ones by
/// their bytes; either way a repeated label costs neither a string compare nor a UTF-8
/// check. A label is kept once, in `categories`: the table of long labels holds only codes
/// into it (a map keyed by a copy of each label made distinct long labels cost twice
/// their bytes, the largest part of an upload's memory when every label is new).
#[derive(Debug)]
struct Text {
    codes: Vec<u32>,
    short: LabelMap<u64, u32>,
    recent: Recent,
    long: LongLabels,
    categories: Vec<Box<str>>,
    /// The code of each number met as a label, by the bits of the number plus zero (so that
    /// -0 and 0 are one): each distinct number is spelt (`canonical`) once, not at every
    /// row (a prediction column of 0s and 1s read as labels spelt a million numbers).
    numbers: LabelMap<u64, u32>,
    /// The most categories the column may have: checked as each new one comes, so that
    /// going over costs no more memory than the limit.
    max_categories: usize,
}

/// A label of at most 7 bytes as an integer: the bytes, and the length in the top byte.
/// Built from loads of whole words (overlapping when the length is not a power of two),
/// not by copying into a stack buffer and reading it back, which stalls the load.
fn pack(label: &[u8]) -> Option<u64> {
    let len = label.len();
    let bytes = match len {
        0 => 0,
        1..=3 => {
            let byte = |i: usize| u64::from(label[i]) << (8 * i);
            byte(0) | byte(len / 2) | byte(len - 1)
        }
        4..=7 => {
            let word = |at: usize| {
                let mut four = [0u8; 4];
                four.copy_from_slice(&label[at..at + 4]);
                u64::from(u32::from_le_bytes(four))
            };
            word(0) | word(len - 4) << (8 * (len - 4))
        }
        _ => return None,
    };
    Some(bytes | (len as u64) << 56)
}

/// The codes of labels longer than 7 bytes, found by hashing the label and comparing it
/// with the category its code names.
#[derive(Debug, Default)]
struct LongLabels {
    codes: HashTable<u32>,
    state: LabelState,
}

impl LongLabels {
    /// The code of `label` among `categories`, if it is there.
    fn get(&self, label: &[u8], categories: &[Box<str>]) -> Option<u32> {
        let hash = self.state.hash_one(label);
        self.codes
            .find(hash, |&code| categories[code as usize].as_bytes() == label)
            .copied()
    }

    /// Records that `categories[code]` (a label not yet here) has this code.
    fn insert(&mut self, code: u32, categories: &[Box<str>]) {
        let state = self.state;
        let hash = |code: &u32| state.hash_one(categories[*code as usize].as_bytes());
        self.codes.insert_unique(hash(&code), code, hash);
    }
}

impl Text {
    fn new(max_categories: usize, capacity: usize) -> Self {
        Self {
            codes: Vec::with_capacity(capacity),
            short: LabelMap::default(),
            recent: Recent::default(),
            long: LongLabels::default(),
            categories: Vec::new(),
            numbers: LabelMap::default(),
            max_categories,
        }
    }

    fn lookup(&mut self, label: &[u8]) -> Option<u32> {
        match pack(label) {
            Some(key) => {
                if let Some(code) = self.recent.get(key) {
                    return Some(code);
                }
                let code = self.short.get(&key).copied()?;
                self.recent.put(key, code);
                Some(code)
            }
            None => self.long.get(label, &self.categories),
        }
    }

    /// Adds a label known not to be in the dictionary yet.
    fn add(&mut self, label: Box<str>) -> Result<u32, PushError> {
        if self.categories.len() >= self.max_categories {
            return Err(PushError::TooManyCategories {
                limit: self.max_categories,
            });
        }
        let code = self.categories.len() as u32;
        let packed = pack(label.as_bytes());
        self.categories.push(label);
        match packed {
            Some(key) => {
                self.recent.put(key, code);
                self.short.insert(key, code);
            }
            None => self.long.insert(code, &self.categories),
        }
        Ok(code)
    }

    /// The code of a valid label, adding it to the dictionary when new.
    fn code(&mut self, label: &str) -> Result<u32, PushError> {
        match self.lookup(label.as_bytes()) {
            Some(code) => Ok(code),
            None => self.add(label.into()),
        }
    }

    /// The code of a number read as a label, adding its spelling when new.
    fn code_of_number(&mut self, v: f64) -> Result<u32, PushError> {
        let bits = (v + 0.0).to_bits();
        if let Some(&code) = self.numbers.get(&bits) {
            return Ok(code);
        }
        let code = self.code(&canonical(v))?;
        self.numbers.insert(bits, code);
        Ok(code)
    }

    /// The code of raw label bytes, checked to be UTF-8 the first time they are seen.
    fn code_of_bytes(&mut self, label: &[u8]) -> Result<u32, PushError> {
        if let Some(code) = self.lookup(label) {
            return Ok(code);
        }
        let label = std::str::from_utf8(label).map_err(|_| PushError::InvalidUtf8)?;
        self.add(label.into())
    }

    /// The code of a cell (MISSING_CODE for a missing one), adding its label when new.
    fn code_of_cell(&mut self, cell: Cell<'_>) -> Result<u32, PushError> {
        match cell {
            Cell::Missing => Ok(MISSING_CODE),
            Cell::Number(v) => self.code_of_number(v),
            Cell::Text(bytes) => self.code_of_bytes(bytes),
        }
    }

    fn push(&mut self, cell: Cell<'_>) -> Result<(), PushError> {
        let code = self.code_of_cell(cell)?;
        self.codes.push(code);
        Ok(())
    }

    /// Appends rows given as keys into `labels` (a key out of range, or a None label, is
    /// missing): the same as pushing each row's label, classified, but each label is
    /// classified and looked up once, the first time a row uses it. Labels no row uses do
    /// not become categories.
    fn push_keys(
        &mut self,
        labels: &[Option<&str>],
        keys: impl ExactSizeIterator<Item = Option<usize>>,
    ) -> Result<(), PushError> {
        grow(&mut self.codes, keys.len());
        let mut codes: Vec<Option<u32>> = vec![None; labels.len()];
        for key in keys {
            let code = match key.and_then(|k| Some((k, *labels.get(k)?))) {
                None => MISSING_CODE,
                Some((k, label)) => match codes[k] {
                    Some(code) => code,
                    None => {
                        let cell = label.map_or(Cell::Missing, |text| classify(text.as_bytes()));
                        let code = self.code_of_cell(cell)?;
                        codes[k] = Some(code);
                        code
                    }
                },
            };
            self.codes.push(code);
        }
        Ok(())
    }

    fn from_numbers(values: &[f64], max_categories: usize) -> Result<Self, PushError> {
        let mut text = Self::new(max_categories, 0);
        text.push_numbers(values)?;
        Ok(text)
    }

    /// Appends numbers as their canonical spelling, NaN as missing.
    fn push_numbers(&mut self, values: &[f64]) -> Result<(), PushError> {
        grow(&mut self.codes, values.len());
        for &v in values {
            let code = if v.is_nan() {
                MISSING_CODE
            } else {
                self.code_of_number(v)?
            };
            self.codes.push(code);
        }
        Ok(())
    }

    /// Appends the rows of another dictionary-encoded chunk, taking over its new labels
    /// (moved, not copied: the chunk's labels and the column's are not held twice).
    fn absorb(&mut self, other: Self) -> Result<(), PushError> {
        grow(&mut self.codes, other.codes.len());
        let remap = other
            .categories
            .into_iter()
            .map(|c| match self.lookup(c.as_bytes()) {
                Some(code) => Ok(code),
                None => self.add(c),
            })
            .collect::<Result<Vec<u32>, _>>()?;
        self.codes.extend(
            other
                .codes
                .iter()
                .map(|&c| remap.get(c as usize).copied().unwrap_or(MISSING_CODE)),
        );
        Ok(())
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
    max_categories: usize,
    state: State,
}

impl ColumnBuilder {
    pub(crate) fn new(forced: Option<ColumnKind>, capacity: usize, max_categories: usize) -> Self {
        let state = match forced {
            Some(ColumnKind::Categorical) => State::Text(Text::new(max_categories, capacity)),
            _ => State::Numbers(Vec::with_capacity(capacity)),
        };
        Self {
            forced,
            max_categories,
            state,
        }
    }

    pub(crate) fn len(&self) -> usize {
        match &self.state {
            State::Numbers(v) => v.len(),
            State::Text(t) => t.codes.len(),
        }
    }

    /// Appends a cell; fails when the column is forced numeric and the cell is text, when
    /// a new label is not UTF-8, or when it is one category too many.
    #[inline]
    pub(crate) fn push(&mut self, cell: Cell<'_>) -> Result<(), PushError> {
        // The common case inline; the rest out of line, so that a number costs no call.
        match (&mut self.state, cell) {
            (State::Numbers(v), Cell::Number(x)) => {
                v.push(x);
                Ok(())
            }
            _ => self.push_other(cell),
        }
    }

    /// [`ColumnBuilder::push`] for every case but a number into numbers.
    #[inline(never)]
    fn push_other(&mut self, cell: Cell<'_>) -> Result<(), PushError> {
        match (&mut self.state, cell) {
            (State::Numbers(v), Cell::Missing) => v.push(f64::NAN),
            (State::Numbers(v), Cell::Number(x)) => v.push(x),
            (State::Numbers(v), Cell::Text(bytes)) => {
                if self.forced == Some(ColumnKind::Numeric) {
                    let value = String::from_utf8_lossy(bytes).into_owned();
                    return Err(PushError::NotANumber(value));
                }
                let mut text = Text::from_numbers(v, self.max_categories)?;
                text.push(cell)?;
                self.state = State::Text(text);
            }
            (State::Text(t), cell) => t.push(cell)?,
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
    max_categories: usize,
    state: State,
}

impl ColumnAccumulator {
    pub(crate) fn new(forced: Option<ColumnKind>, max_categories: usize) -> Self {
        Self {
            forced,
            max_categories,
            state: State::Numbers(Vec::new()),
        }
    }

    /// Reserves room for `rows` rows in all (address space only until they are written), so
    /// that appending up to that many never copies the column.
    pub(crate) fn reserve(&mut self, rows: usize) {
        match &mut self.state {
            State::Numbers(v) => v.reserve_exact(rows.saturating_sub(v.len())),
            State::Text(t) => t.codes.reserve_exact(rows.saturating_sub(t.codes.len())),
        }
    }

    /// Appends the next chunk of the column; fails when the column would have too many
    /// categories (and is then left in no useful state).
    pub(crate) fn append(&mut self, part: ColumnBuilder) -> Result<(), PushError> {
        let state = std::mem::replace(&mut self.state, State::Numbers(Vec::new()));
        self.state = match (state, part.state) {
            (State::Numbers(mut all), State::Numbers(v)) => {
                // The first chunk is taken as it is, unless room was reserved.
                if all.capacity() == 0 {
                    all = v;
                } else {
                    grow(&mut all, v.len());
                    all.extend_from_slice(&v);
                }
                State::Numbers(all)
            }
            (State::Numbers(all), State::Text(t)) => {
                let mut text = Text::from_numbers(&all, self.max_categories)?;
                drop(all);
                text.absorb(t)?;
                State::Text(text)
            }
            (State::Text(mut all), State::Numbers(v)) => {
                all.push_numbers(&v)?;
                State::Text(all)
            }
            (State::Text(mut all), State::Text(t)) => {
                all.absorb(t)?;
                State::Text(all)
            }
        };
        Ok(())
    }

    /// Appends numbers in bulk, each as a [`Cell::Number`] when finite and as a missing
    /// value otherwise (NaN and ±inf): the same as pushing them one by one into a chunk of
    /// unforced or numeric kind and appending it.
    pub(crate) fn append_numbers(&mut self, values: &[f64]) -> Result<(), PushError> {
        let finite = |&x: &f64| if x.is_finite() { x } else { f64::NAN };
        match &mut self.state {
            State::Numbers(all) => {
                grow(all, values.len());
                all.extend(values.iter().map(finite));
            }
            // Text keeps NaN missing but would spell ±inf as a category.
            State::Text(all) => all.push_numbers(&values.iter().map(finite).collect::<Vec<_>>())?,
        }
        Ok(())
    }

    /// Appends rows of labels given as keys into `labels` (see [`Text::push_keys`]): the
    /// same as appending a categorical chunk of those rows' labels, without building one.
    pub(crate) fn append_keys(
        &mut self,
        labels: &[Option<&str>],
        keys: impl ExactSizeIterator<Item = Option<usize>>,
    ) -> Result<(), PushError> {
        let mut text = match std::mem::replace(&mut self.state, State::Numbers(Vec::new())) {
            State::Numbers(all) => Text::from_numbers(&all, self.max_categories)?,
            State::Text(text) => text,
        };
        let pushed = text.push_keys(labels, keys);
        self.state = State::Text(text);
        pushed
    }

    /// The final typed column: numeric when forced so, or when every value is a number and
    /// there are more than five distinct ones; categorical otherwise (which fails when the
    /// category limit is below those five).
    pub(crate) fn finish(self) -> Result<Column, PushError> {
        Ok(match self.state {
            State::Numbers(mut values) => {
                let numeric = match self.forced {
                    Some(kind) => kind == ColumnKind::Numeric,
                    None => more_than_five_distinct(&values),
                };
                if numeric {
                    values.shrink_to_fit();
                    Column::Numeric(values)
                } else {
                    let text = Text::from_numbers(&values, self.max_categories)?;
                    Column::Categorical(text.into_sorted())
                }
            }
            State::Text(text) => Column::Categorical(text.into_sorted()),
        })
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
        assert_eq!(classify(b""), Cell::Missing);
        assert_eq!(classify(b" NA "), Cell::Missing);
        assert_eq!(classify(b"NaN"), Cell::Missing);
        assert_eq!(classify(b"-inf"), Cell::Missing);
        assert_eq!(classify(b"null"), Cell::Missing);
        assert_eq!(classify(b"1e3"), Cell::Number(1000.0));
        assert_eq!(classify(b"-0.25"), Cell::Number(-0.25));
        assert_eq!(classify(b" 1.5kg"), Cell::Text(b"1.5kg"));
        let mut column = ColumnBuilder::new(None, 0, usize::MAX);
        assert_eq!(column.push(classify(b"\xff")), Err(PushError::InvalidUtf8));
        let mut forced = ColumnBuilder::new(Some(ColumnKind::Numeric), 0, usize::MAX);
        assert_eq!(
            forced.push(classify(b"x")),
            Err(PushError::NotANumber("x".into()))
        );
    }

    /// Numbers read as labels take their one spelling, worked out once a number: 1, 1.0 and
    /// 1e0 are one category, -0 and 0 another; in a chunk of text and in numbers appended.
    #[test]
    fn numbers_as_labels_are_spelt_once_as_canonical() {
        let mut part = ColumnBuilder::new(Some(ColumnKind::Categorical), 0, usize::MAX);
        for cell in [&b"1"[..], b"-0", b"x", b"1.0", b"0", b"0.50", b"1e0", b"NA"] {
            part.push(classify(cell)).expect("a label");
        }
        let mut column = ColumnAccumulator::new(Some(ColumnKind::Categorical), usize::MAX);
        column.append(part).expect("appended");
        column
            .append_numbers(&[0.5, -0.0, f64::NAN, 2.0])
            .expect("appended");
        let Ok(Column::Categorical(labels)) = column.finish() else {
            panic!("a categorical column");
        };
        let rows: Vec<Option<&str>> = (0..12).map(|row| labels.get(row)).collect();
        let (one, zero, half) = (Some("1"), Some("0"), Some("0.5"));
        assert_eq!(
            rows,
            [
                one,
                zero,
                Some("x"),
                one,
                zero,
                half,
                one,
                None,
                half,
                zero,
                None,
                Some("2")
            ]
        );
        assert_eq!(labels.categories(), ["0", "0.5", "1", "2", "x"]);
    }

    #[test]
    fn packed_labels_are_the_bytes_and_the_length() {
        for len in 0..=7 {
            let label = &b"abcdefg"[..len];
            let mut word = [0u8; 8];
            word[..len].copy_from_slice(label);
            word[7] = len as u8;
            assert_eq!(pack(label), Some(u64::from_le_bytes(word)), "{len}");
        }
        assert_eq!(pack(b"abcdefgh"), None);
    }

    #[test]
    fn numbers_in_text_columns_are_canonical_across_chunks() {
        let mut a = ColumnBuilder::new(None, 0, usize::MAX);
        for raw in [&b"1.0"[..], b"2"] {
            a.push(classify(raw)).expect("push");
        }
        let mut b = ColumnBuilder::new(None, 0, usize::MAX);
        for raw in [&b"x"[..], b"1", b"", b"a-long-label", b"x", b"a-long-label"] {
            b.push(classify(raw)).expect("push");
        }
        let mut column = ColumnAccumulator::new(None, usize::MAX);
        column.append(a).expect("append");
        column.append(b).expect("append");
        let Column::Categorical(c) = column.finish().expect("finish") else {
            panic!("expected categorical");
        };
        assert_eq!(c.categories(), ["1", "2", "a-long-label", "x"]);
        assert_eq!(c.codes(), [0, 1, 3, 0, MISSING_CODE, 2, 3, 2]);
    }

    #[test]
    fn long_labels_are_found_again_after_the_table_grows() {
        // Enough distinct long labels for the table of codes to be rehashed several times,
        // each seen twice, in two chunks that share half of them.
        let label = |i: usize| format!("a-label-longer-than-seven-bytes-{i:05}");
        let chunk = |range: std::ops::Range<usize>| {
            let mut b = ColumnBuilder::new(None, 0, usize::MAX);
            for i in range.clone().chain(range) {
                b.push(classify(label(i).as_bytes())).expect("push");
            }
            b
        };
        let mut column = ColumnAccumulator::new(None, usize::MAX);
        column.append(chunk(0..6_000)).expect("append");
        column.append(chunk(3_000..9_000)).expect("append");
        let Column::Categorical(c) = column.finish().expect("finish") else {
            panic!("expected categorical");
        };
        let expected: Vec<String> = (0..9_000).map(label).collect();
        assert_eq!(c.categories(), expected);
        let codes: Vec<u32> = (0..6_000)
            .chain(0..6_000)
            .chain(3_000..9_000)
            .chain(3_000..9_000)
            .collect();
        assert_eq!(c.codes(), codes);
    }

    #[test]
    fn the_category_limit_holds_in_a_chunk_across_chunks_and_at_the_end() {
        let too_many = Err(PushError::TooManyCategories { limit: 3 });
        let mut chunk = ColumnBuilder::new(None, 0, 3);
        for raw in [&b"a"[..], b"b", b"a", b"a-long-label", b"b"] {
            chunk.push(classify(raw)).expect("within the limit");
        }
        assert_eq!(chunk.push(classify(b"d")), too_many);
        // Numbers that turn into categories count too.
        let mut numbers = ColumnBuilder::new(None, 0, 3);
        for raw in [&b"1"[..], b"2", b"3", b"4"] {
            numbers.push(classify(raw)).expect("numbers have no limit");
        }
        assert_eq!(numbers.push(classify(b"x")), too_many);
        let part = |labels: &[&[u8]]| {
            let mut b = ColumnBuilder::new(None, 0, 3);
            for &raw in labels {
                b.push(classify(raw)).expect("push");
            }
            b
        };
        let mut column = ColumnAccumulator::new(None, 3);
        column.append(part(&[b"a", b"b"])).expect("two");
        column.append(part(&[b"b", b"c"])).expect("three");
        assert_eq!(column.append(part(&[b"d"])), too_many);
        // Five distinct numbers are categorical, above a limit of three.
        let mut few = ColumnAccumulator::new(None, 3);
        few.append(part(&[b"1", b"2", b"3"])).expect("numbers");
        few.append(part(&[b"4", b"5"])).expect("numbers");
        assert_eq!(few.finish(), Err(PushError::TooManyCategories { limit: 3 }));
    }

    #[test]
    fn label_hashes_are_keyed_and_spread_keys_that_share_their_low_bytes() {
        let state = LabelState::default();
        // One key per process: every map built in it agrees.
        assert_eq!(LabelState::default().hash_one(42u64), state.hash_one(42u64));
        let other = LabelState {
            seed: state.seed ^ 1,
            key: state.key,
        };
        assert_ne!(other.hash_one(42u64), state.hash_one(42u64));
        // Packed labels that share their first five bytes ("abcde"): Fx's bucket bits
        // would be equal for all of them. Here the low 10 bits (1,024 buckets) of 4,096
        // such keys take nearly every value (about 1,005 for a random function; the least
        // over 3,000 random keys was 988).
        let mut buckets = std::collections::HashSet::new();
        for i in 0..4096u64 {
            let key = 0x65_6463_6261 | i << 40;
            buckets.insert(state.hash_one(key) & 1023);
        }
        assert!(buckets.len() > 900, "{} buckets", buckets.len());
    }
}
