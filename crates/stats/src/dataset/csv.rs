//! CSV reader. The body is taken in blocks of 16 MiB (from a slice or a stream; a stream
//! holds two blocks of raw bytes at a time, the one being parsed and the next being read);
//! each block is cut into chunks at record boundaries, the chunks are parsed in parallel
//! into per-column builders, and those are appended to the whole columns before the next
//! block. No record is held beyond the record limit, no header field past the column
//! limit, and no row field past the header's count.

use std::io::Read;

use rayon::prelude::*;

use super::builder::{self, ColumnAccumulator, ColumnBuilder, PushError};
use super::scan::{self, Extent};
use super::{Column, ColumnKind, Dataset, DatasetError, Limits, ParseOptions};

/// Chunks smaller than this are not worth a task.
const MIN_CHUNK: usize = 1 << 20;
/// Bytes read from a stream at a time: enough to keep every core busy, small next to the
/// columns of a large file (a stream holds two blocks: one parsed, the next being read).
const BLOCK: usize = 16 << 20;
const BOM: &[u8] = b"\xEF\xBB\xBF";

pub(super) fn parse(bytes: &[u8], options: &ParseOptions) -> Result<Dataset, DatasetError> {
    parse_slice(bytes, options, BLOCK)
}

/// Parses a slice block by block, as from a stream, so that chunk buffers are recycled
/// early instead of all living until the end.
fn parse_slice(
    bytes: &[u8],
    options: &ParseOptions,
    block: usize,
) -> Result<Dataset, DatasetError> {
    super::check_input(bytes, &options.limits)?;
    // Again without the byte-order mark: a mark and blanks are empty, as from a stream
    // (found by the csv_reader fuzz target).
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    super::check_input(bytes, &options.limits)?;
    let header_end = header_end(bytes, &options.limits)?.unwrap_or(bytes.len());
    let (names, body_start) = read_header(&bytes[..header_end])?;
    let rest = &bytes[body_start..];
    let mut body = Body::new(names, options, Some(rest.len()))?;
    // One scan for quotes serves the whole input: without any, no chunk needs the csv
    // crate and record boundaries are plain line breaks.
    let quoted = has_quotes(rest);
    let bounds = chunk_bounds(rest, rest.len().div_ceil(block), block, quoted);
    let mut lines_before = count_lines(&bytes[..body_start]);
    for w in bounds.windows(2) {
        lines_before += body.feed(&rest[w[0]..w[1]], lines_before, quoted)?;
    }
    body.finish()
}

/// `expected` = the length of the stream where known (a file's), for reserving columns.
pub(super) fn parse_reader(
    input: impl Read,
    options: &ParseOptions,
    expected: Option<usize>,
) -> Result<Dataset, DatasetError> {
    parse_blocks(input, options, BLOCK, expected)
}

/// Reads `input` in blocks of `block` bytes, each parsed up to its last complete record.
/// The next block is read while the current one is parsed (on another thread, since
/// `input` need not be `Send`), into a second buffer.
fn parse_blocks(
    mut input: impl Read,
    options: &ParseOptions,
    block: usize,
    expected: Option<usize>,
) -> Result<Dataset, DatasetError> {
    let limit = options.limits.max_bytes;
    let max_record = options.limits.max_record_bytes;
    // Each with room for a block and the partial record carried over, allocated once.
    let mut buf: Vec<u8> = Vec::with_capacity(2 * block);
    let mut next: Vec<u8> = Vec::with_capacity(2 * block);
    let (mut total, mut lines_before) = (0usize, 0u64);
    let mut body: Option<Body> = None;
    let mut eof = fill(&mut input, &mut buf, block, &mut total, limit)?;
    loop {
        let mut start = 0;
        let active = match body.as_mut() {
            Some(body) => body,
            None => {
                if total == buf.len() && buf.starts_with(BOM) {
                    buf.drain(..BOM.len());
                }
                // Blank input is empty, not a header too long.
                if eof && buf.trim_ascii().is_empty() {
                    return Err(DatasetError::Empty);
                }
                let header_end = match header_end(&buf, &options.limits)? {
                    Some(end) => end,
                    None if eof => buf.len(),
                    None => {
                        eof = fill(&mut input, &mut buf, block, &mut total, limit)?;
                        continue;
                    }
                };
                let (names, body_start) = read_header(&buf[..header_end])?;
                start = body_start;
                let rest = expected.map(|len| len.saturating_sub(body_start));
                body.insert(Body::new(names, options, rest)?)
            }
        };
        lines_before += count_lines(&buf[..start]);
        // One scan for quotes per block, shared by the cut and the chunks.
        let quoted = has_quotes(&buf[start..]);
        if eof {
            active.feed(&buf[start..], lines_before, quoted)?;
            break;
        }
        let cut = last_record_end(&buf[start..], quoted).map_or(start, |end| start + end);
        let records = &buf[start..cut];
        if buf.len() - cut > max_record {
            // The record carried over is already too long: no use reading more of it. The
            // block's own error comes first.
            let line = lines_before + active.feed(records, lines_before, quoted)? + 1;
            return Err(DatasetError::RecordTooLarge {
                line,
                limit: max_record,
            });
        }
        next.clear();
        next.extend_from_slice(&buf[cut..]);
        let (parsed, read) = if records.len() < MIN_CHUNK {
            // Too little to parse for a thread to pay off.
            let parsed = active.feed(records, lines_before, quoted);
            (
                parsed,
                fill(&mut input, &mut next, block, &mut total, limit),
            )
        } else {
            std::thread::scope(|scope| {
                let parsing = scope.spawn(|| active.feed(records, lines_before, quoted));
                let read = fill(&mut input, &mut next, block, &mut total, limit);
                let parsed = parsing
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                (parsed, read)
            })
        };
        // The block's own error comes first, as if the next had not been read yet.
        lines_before += parsed?;
        eof = read?;
        std::mem::swap(&mut buf, &mut next);
    }
    body.ok_or(DatasetError::Empty)?.finish()
}

/// Appends up to `block` bytes of `input` to `buf`; returns whether the input ended.
fn fill(
    input: &mut impl Read,
    buf: &mut Vec<u8>,
    block: usize,
    total: &mut usize,
    limit: usize,
) -> Result<bool, DatasetError> {
    let read = input
        .by_ref()
        .take(block as u64)
        .read_to_end(buf)
        .map_err(|e| DatasetError::Io {
            message: e.to_string(),
        })?;
    *total += read;
    if *total > limit {
        return Err(DatasetError::TooLarge {
            found: *total,
            limit,
        });
    }
    Ok(read < block)
}

/// Columns accumulated from the body, block after block.
struct Body {
    names: Vec<String>,
    forced: Vec<Option<ColumnKind>>,
    columns: Vec<ColumnAccumulator>,
    rows: usize,
    limits: Limits,
    /// The body's length in bytes where known: the first block's rows per byte then say
    /// how many rows to reserve in every column, so that no column is copied as it grows.
    expected_bytes: Option<usize>,
}

impl Body {
    fn new(
        names: Vec<String>,
        options: &ParseOptions,
        expected_bytes: Option<usize>,
    ) -> Result<Self, DatasetError> {
        super::check_header(&names, &options.limits)?;
        super::check_kind_overrides(&names, options)?;
        let forced: Vec<Option<ColumnKind>> = names.iter().map(|n| options.kind_of(n)).collect();
        let max_categories = options.limits.max_categories;
        Ok(Self {
            columns: forced
                .iter()
                .map(|&k| ColumnAccumulator::new(k, max_categories))
                .collect(),
            names,
            forced,
            rows: 0,
            limits: options.limits,
            expected_bytes,
        })
    }

    /// The rows the whole body is likely to have, from the first block's `rows` in `bytes`:
    /// a sixteenth more, so that rows a little longer than the first ones still fit (too
    /// many costs address space only, too few one copy of each column).
    fn expected_rows(&self, rows: usize, bytes: usize) -> Option<usize> {
        let expected = self.expected_bytes?.min(self.limits.max_bytes);
        let estimate = (rows as u128 * expected as u128 / bytes.max(1) as u128) * 17 / 16;
        Some(
            usize::try_from(estimate).map_or(self.limits.max_rows, |e| e.min(self.limits.max_rows)),
        )
    }

    /// Parses a block of whole records; `lines_before` = line breaks before it, `quoted`
    /// = whether it may hold a `"`. Returns the number of line breaks in the block.
    fn feed(&mut self, block: &[u8], lines_before: u64, quoted: bool) -> Result<u64, DatasetError> {
        if block.is_empty() {
            return Ok(0);
        }
        let parts = rayon::current_num_threads() * 4;
        let bounds = chunk_bounds(block, parts, MIN_CHUNK, quoted);
        let max_rows = self.limits.max_rows;
        let remaining = max_rows - self.rows;
        let this = &*self;
        let first = self.rows == 0;
        let chunks: Vec<Result<ChunkColumns, ChunkError>> = bounds
            .par_windows(2)
            .map(|w| parse_chunk(&block[w[0]..w[1]], this, remaining, quoted))
            .collect();
        let mut per_column: Vec<Vec<ColumnBuilder>> =
            self.names.iter().map(|_| Vec::new()).collect();
        let mut breaks = 0;
        for (chunk, &start) in chunks.into_iter().zip(&bounds) {
            let chunk =
                chunk.map_err(|e| e.at_line(lines_before + count_lines(&block[..start])))?;
            breaks += chunk.breaks;
            self.rows += chunk.rows;
            if self.rows > max_rows {
                return Err(DatasetError::TooManyRows { limit: max_rows });
            }
            for (parts, builder) in per_column.iter_mut().zip(chunk.columns) {
                parts.push(builder);
            }
        }
        if first && let Some(rows) = self.expected_rows(self.rows, block.len()) {
            for column in &mut self.columns {
                column.reserve(rows);
            }
        }
        let appended: Vec<Result<(), PushError>> = self
            .columns
            .par_iter_mut()
            .zip(per_column)
            .map(|(column, parts)| parts.into_iter().try_for_each(|p| column.append(p)))
            .collect();
        // The first column in file order that failed, whatever thread finished first.
        first_failure(appended, &self.names)?;
        Ok(breaks)
    }

    /// Finishes every column (in parallel) into the dataset.
    fn finish(self) -> Result<Dataset, DatasetError> {
        if self.rows == 0 {
            return Err(DatasetError::NoRows);
        }
        let columns: Vec<Result<Column, PushError>> = self
            .columns
            .into_par_iter()
            .map(ColumnAccumulator::finish)
            .collect();
        let columns = first_failure(columns, &self.names)?;
        Dataset::from_columns(self.names.into_iter().zip(columns).collect())
    }
}

/// The values of every column, or the error of the first one that failed.
fn first_failure<T>(
    results: Vec<Result<T, PushError>>,
    names: &[String],
) -> Result<Vec<T>, DatasetError> {
    results
        .into_iter()
        .zip(names)
        .map(|(result, name)| result.map_err(|e| e.at(0, name.clone())))
        .collect()
}

/// Where the header record of `data` ends (after its line break, blank lines before it
/// included); `None` when `data` ends first. Looks at no more than the record limit and
/// counts no more fields than the column limit + 1, so that a wide or endless header is
/// refused before it is read whole.
fn header_end(data: &[u8], limits: &Limits) -> Result<Option<usize>, DatasetError> {
    // The csv crate skips blank lines before the header; they count towards its size.
    let blank = data
        .iter()
        .take_while(|&&b| b == b'\r' || b == b'\n')
        .count();
    let room = limits.max_record_bytes.saturating_sub(blank);
    let too_long = || DatasetError::RecordTooLarge {
        line: count_lines(&data[..blank]) + 1,
        limit: limits.max_record_bytes,
    };
    if blank > limits.max_record_bytes {
        return Err(too_long());
    }
    match scan::record(&data[blank..], room, limits.max_columns) {
        Extent::Ends(end) => Ok(Some(blank + end)),
        Extent::Unfinished => Ok(None),
        Extent::TooLong => Err(too_long()),
        Extent::TooManyFields => Err(DatasetError::TooManyColumns {
            found: limits.max_columns.saturating_add(1),
            limit: limits.max_columns,
        }),
    }
}

/// The 1-based line (relative to `chunk`) of the first record of `chunk` longer than
/// `max` bytes, and where that record starts.
fn long_record(chunk: &[u8], max: usize) -> Option<(u64, usize)> {
    let mut start = 0;
    while start < chunk.len() {
        match scan::record(&chunk[start..], max, usize::MAX) {
            Extent::Ends(end) => start += end,
            Extent::Unfinished => return None,
            Extent::TooLong | Extent::TooManyFields => {
                return Some((count_lines(&chunk[..start]) + 1, start));
            }
        }
    }
    None
}

/// Whether `data` holds a `"`.
fn has_quotes(data: &[u8]) -> bool {
    memchr::memchr(b'"', data).is_some()
}

/// Where the last complete record of `data` (which starts at a record boundary) ends;
/// `quoted` = whether `data` may hold a `"`.
fn last_record_end(data: &[u8], quoted: bool) -> Option<usize> {
    if !quoted {
        return memchr::memrchr(b'\n', data).map(|i| i + 1);
    }
    let mut in_quotes = false;
    let mut end = None;
    for (i, &b) in data.iter().enumerate() {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' if !in_quotes => end = Some(i + 1),
            _ => {}
        }
    }
    end
}

/// Reads the header record; returns the names and where the body starts.
fn read_header(bytes: &[u8]) -> Result<(Vec<String>, usize), DatasetError> {
    let mut reader = reader(bytes);
    let mut record = csv::ByteRecord::new();
    match reader.read_byte_record(&mut record) {
        Ok(true) => {}
        Ok(false) => return Err(DatasetError::Empty),
        Err(e) => return Err(csv_error(&e)),
    }
    let names = record
        .iter()
        .map(|field| {
            std::str::from_utf8(field.trim_ascii())
                .map(str::to_owned)
                .map_err(|_| DatasetError::InvalidUtf8 {
                    line: 1,
                    column: "header".to_owned(),
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let start = usize::try_from(reader.position().byte()).unwrap_or(bytes.len());
    Ok((names, start.min(bytes.len())))
}

fn reader(bytes: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
}

/// Number of line breaks before the end of `prefix`.
fn count_lines(prefix: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', prefix).count() as u64
}

/// Offsets `0 = b0 < b1 < ... < bk = len` that cut `body` into about `parts` pieces, each
/// starting at a record boundary: after a `\n` preceded by an even number of quotes (a
/// quoted field may hold line breaks; `""` escapes keep the parity right). `quoted` =
/// whether `body` may hold a `"`.
fn chunk_bounds(body: &[u8], parts: usize, min_size: usize, quoted: bool) -> Vec<usize> {
    let target = (body.len() / parts.max(1)).max(min_size);
    let mut bounds = vec![0];
    let mut in_quotes = false;
    let mut scanned = 0;
    while let Some(&last) = bounds.last() {
        let want = last + target;
        if want >= body.len() {
            break;
        }
        let cut = if quoted {
            // Carry the quote parity from where we stopped scanning to the target.
            for &b in &body[scanned..want] {
                in_quotes ^= b == b'"';
            }
            let mut cut = None;
            for (i, &b) in body[want..].iter().enumerate() {
                if b == b'"' {
                    in_quotes = !in_quotes;
                } else if b == b'\n' && !in_quotes {
                    cut = Some(want + i + 1);
                    break;
                }
            }
            cut
        } else {
            body[want..]
                .iter()
                .position(|&b| b == b'\n')
                .map(|i| want + i + 1)
        };
        match cut {
            Some(cut) if cut < body.len() => {
                bounds.push(cut);
                scanned = cut;
            }
            _ => break,
        }
    }
    bounds.push(body.len());
    bounds
}

/// The builders of one chunk, one per column.
struct ChunkColumns {
    columns: Vec<ColumnBuilder>,
    rows: usize,
    /// Line breaks in the chunk (so that nobody counts them again).
    breaks: u64,
}

/// An error inside a chunk, with the line relative to the chunk's start.
struct ChunkError {
    relative_line: u64,
    error: DatasetError,
}

impl ChunkError {
    /// Rebases the line onto the whole input (`lines_before` = line breaks before the chunk).
    fn at_line(self, lines_before: u64) -> DatasetError {
        let line = lines_before + self.relative_line;
        match self.error {
            DatasetError::RaggedRow {
                expected, found, ..
            } => DatasetError::RaggedRow {
                line,
                expected,
                found,
            },
            DatasetError::InvalidUtf8 { column, .. } => DatasetError::InvalidUtf8 { line, column },
            DatasetError::NotANumber { column, value, .. } => DatasetError::NotANumber {
                line,
                column,
                value,
            },
            DatasetError::Csv { message, .. } => DatasetError::Csv { line, message },
            DatasetError::RecordTooLarge { limit, .. } => {
                DatasetError::RecordTooLarge { line, limit }
            }
            other => other,
        }
    }
}

fn csv_error(e: &csv::Error) -> DatasetError {
    let line = e.position().map_or(1, |p| p.line());
    DatasetError::Csv {
        line,
        message: e.to_string(),
    }
}

/// Parses a chunk of `body`'s records; `max_rows` = rows still allowed.
fn parse_chunk(
    chunk: &[u8],
    body: &Body,
    max_rows: usize,
    quoted: bool,
) -> Result<ChunkColumns, ChunkError> {
    let names = &body.names;
    // Rows ≈ bytes / length of the first record, with a margin: vectors rarely regrow. A
    // row takes at least a byte per column (its commas and line break), which bounds the
    // guess when the first line is short.
    let first = memchr::memchr(b'\n', chunk).map_or(chunk.len(), |i| i + 1);
    let capacity = chunk.len() / first.max(names.len()).max(1) * 9 / 8 + 16;
    let max_categories = body.limits.max_categories;
    let mut sink = RowSink {
        columns: body
            .forced
            .iter()
            .map(|&kind| ColumnBuilder::new(kind, capacity, max_categories))
            .collect(),
        names,
        rows: 0,
        max_rows,
        max_record: body.limits.max_record_bytes,
    };
    let breaks = if quoted && has_quotes(chunk) {
        // The csv crate holds a whole record: refuse a long one before it gets there, after
        // the records before it (whose errors come first).
        let long = long_record(chunk, sink.max_record);
        let records = long.map_or(chunk, |(_, start)| &chunk[..start]);
        parse_quoted(records, &mut sink)?;
        if let Some((line, _)) = long {
            return Err(ChunkError {
                relative_line: line,
                error: DatasetError::RecordTooLarge {
                    line,
                    limit: sink.max_record,
                },
            });
        }
        count_lines(chunk)
    } else {
        parse_plain(chunk, &mut sink)?
    };
    Ok(ChunkColumns {
        columns: sink.columns,
        rows: sink.rows,
        breaks,
    })
}

/// Fast path for a chunk without quotes: every line is a record, every `,` a separator.
/// Returns the number of line breaks.
fn parse_plain(chunk: &[u8], sink: &mut RowSink<'_>) -> Result<u64, ChunkError> {
    // The commas of the current line: as many as a row has, and one more to end its last
    // field when there are too many; those past them are only counted, for the error. One
    // buffer for all lines.
    let room = sink.names.len();
    let mut commas: Vec<usize> = Vec::with_capacity(room);
    let mut surplus = 0;
    let mut line_start = 0;
    let mut line_number = 0;
    scan::separators(chunk, |at, line_break| {
        if !line_break {
            if commas.len() < room {
                commas.push(at);
            } else {
                surplus += 1;
            }
            return Ok(());
        }
        line_number += 1;
        let line = Line {
            record: line_start..at + 1,
            commas: &commas,
            surplus,
            number: line_number,
        };
        let pushed = plain_row(chunk, &line, sink);
        commas.clear();
        surplus = 0;
        line_start = at + 1;
        pushed
    })?;
    let breaks = line_number;
    if line_start < chunk.len() {
        let line = Line {
            record: line_start..chunk.len(),
            commas: &commas,
            surplus,
            number: line_number + 1,
        };
        plain_row(chunk, &line, sink)?;
    }
    Ok(breaks)
}

/// One line of a chunk without quotes.
struct Line<'c> {
    /// Its bytes in the chunk, with its `\n` if it has one.
    record: std::ops::Range<usize>,
    /// Where its first commas are, up to as many as the columns.
    commas: &'c [usize],
    /// How many more commas it has.
    surplus: usize,
    /// 1-based, in the chunk.
    number: u64,
}

/// Pushes the record of a line.
fn plain_row(chunk: &[u8], line: &Line<'_>, sink: &mut RowSink<'_>) -> Result<(), ChunkError> {
    let (start, mut end) = (line.record.start, line.record.end);
    if end - start > sink.max_record {
        let (number, limit) = (line.number, sink.max_record);
        return Err(ChunkError {
            relative_line: number,
            error: DatasetError::RecordTooLarge {
                line: number,
                limit,
            },
        });
    }
    if end > start && chunk[end - 1] == b'\n' {
        end -= 1;
    }
    if end > start && chunk[end - 1] == b'\r' {
        end -= 1;
    }
    // The csv reader skips empty lines too (a comma makes a line non-empty).
    if end == start {
        return Ok(());
    }
    let mut from = start;
    let fields = line.commas.iter().copied().chain([end]).map(|to| {
        let field = &chunk[from..to];
        from = to + 1;
        field
    });
    sink.push_row(line.number, fields, line.surplus)
}

/// General path: the csv crate handles quoting, escaped quotes and quoted line breaks.
fn parse_quoted(chunk: &[u8], sink: &mut RowSink<'_>) -> Result<(), ChunkError> {
    let mut reader = reader(chunk);
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => return Ok(()),
            Err(e) => {
                return Err(ChunkError {
                    relative_line: e.position().map_or(1, |p| p.line()),
                    error: csv_error(&e),
                });
            }
        }
        let line = record.position().map_or(1, |p| p.line());
        sink.push_row(line, record.iter(), 0)?;
    }
}

/// Receives the records of a chunk.
struct RowSink<'a> {
    columns: Vec<ColumnBuilder>,
    names: &'a [String],
    rows: usize,
    max_rows: usize,
    max_record: usize,
}

impl RowSink<'_> {
    /// Pushes a row's fields; `surplus` = fields beyond those, counted but not handed over.
    fn push_row<'f>(
        &mut self,
        line: u64,
        fields: impl Iterator<Item = &'f [u8]>,
        surplus: usize,
    ) -> Result<(), ChunkError> {
        let fail = |error| ChunkError {
            relative_line: line,
            error,
        };
        self.rows += 1;
        if self.rows > self.max_rows {
            let limit = self.max_rows;
            return Err(fail(DatasetError::TooManyRows { limit }));
        }
        let expected = self.names.len();
        let mut fields = fields;
        let mut found = 0;
        // Columns first in the zip: a field past the last column is left to be counted.
        for ((column, name), field) in self.columns.iter_mut().zip(self.names).zip(&mut fields) {
            found += 1;
            column
                .push(builder::classify(field))
                .map_err(|e| fail(e.at(line, name.clone())))?;
        }
        found += fields.count() + surplus;
        if found != expected {
            return Err(fail(DatasetError::RaggedRow {
                line,
                expected,
                found,
            }));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader handing out a few bytes per call, like a slow socket.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = out.len().min(self.0.len()).min(7);
            out[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    /// Regression tests from `fuzz/` (the csv_reader target compares the two readers).
    #[test]
    fn fuzz_findings_read_the_same_from_a_slice_and_a_stream() {
        for input in [&b"\xEF\xBB\xBF "[..], b"\xEF\xBB\xBF\r\n\t"] {
            let options = ParseOptions::default();
            let from_slice = parse(input, &options);
            let from_stream = parse_reader(Trickle(input), &options, None);
            assert_eq!(from_slice, Err(DatasetError::Empty), "{input:?}");
            assert_eq!(from_stream, Err(DatasetError::Empty), "{input:?}");
        }
    }

    #[test]
    fn streaming_in_small_blocks_equals_parsing_the_slice() {
        let mut text = b"\xEF\xBB\xBFid,\"na,me\",v\r\n".to_vec();
        for i in 0..5000 {
            let name = if i % 7 == 0 {
                "\"two\nlines\""
            } else {
                "plain"
            };
            text.extend_from_slice(format!("{i},{name},{}\r\n", i % 11).as_bytes());
        }
        let options = ParseOptions::default();
        let whole = parse(&text, &options).expect("parses");
        for block in [1, 64, 1000, 1 << 20] {
            let streamed = parse_blocks(Trickle(&text), &options, block, None).expect("streams");
            assert_eq!(streamed, whole, "block {block}");
            let sliced = parse_slice(&text, &options, block).expect("parses");
            assert_eq!(sliced, whole, "slice block {block}");
        }
        let mut broken = text.clone();
        broken.extend_from_slice(b"1,2\n");
        let want = parse(&broken, &options).expect_err("ragged");
        assert_eq!(
            parse_blocks(Trickle(&broken), &options, 100, None).expect_err("ragged"),
            want
        );
        assert_eq!(
            parse_blocks(Trickle(b"  \n"), &options, 4, None),
            Err(DatasetError::Empty)
        );
        assert_eq!(
            parse_blocks(Trickle(b"a,b\n"), &options, 4, None),
            Err(DatasetError::NoRows)
        );
        let small = ParseOptions {
            limits: super::super::Limits {
                max_bytes: 100,
                ..super::super::Limits::default()
            },
            ..ParseOptions::default()
        };
        assert!(matches!(
            parse_blocks(Trickle(&text), &small, 64, None),
            Err(DatasetError::TooLarge { limit: 100, .. })
        ));
    }

    /// A reader handing out `first` bytes, then the rest: a request body arriving in two
    /// chunks.
    struct Split<'a> {
        rest: &'a [u8],
        first: usize,
    }

    impl Read for Split<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let chunk = if self.first > 0 {
                self.first
            } else {
                usize::MAX
            };
            let n = out.len().min(chunk).min(self.rest.len());
            out[..n].copy_from_slice(&self.rest[..n]);
            self.rest = &self.rest[n..];
            self.first -= n.min(self.first);
            Ok(n)
        }
    }

    /// Uploads cut at every byte, as reads and as blocks, read as the whole slice does:
    /// inside a quoted field (a line break and an escaped quote in it), between `\r` and
    /// `\n`, inside a multi-byte UTF-8 character, inside the byte-order mark; errors too.
    #[test]
    fn cuts_at_every_byte_read_as_the_whole_slice() {
        let inputs: [&[u8]; 6] = [
            "\u{feff}id,\"na,me\",v\r\n1,\"a\r\nb\",é\r\n2,\"q\"\"x\",€\r\n3,plain,😀\r\n"
                .as_bytes(),
            b"x,y\n1.5,2\n-3,4e2\n5,6\n7,8\n9,10\n11,12\n",
            "\u{feff}\r\n\ncity,n\nZürich,1\nMünchen,2\n\"São\nPaulo\",3".as_bytes(),
            b"a,b\n1,2\n3\n",
            b"a,b\n1,\"open\n",
            b"a,b\n1,\xff\xfe\n",
        ];
        let options = ParseOptions::default();
        for input in inputs {
            let whole = parse(input, &options);
            for at in 0..=input.len() {
                let streamed = parse_blocks(
                    Split {
                        rest: input,
                        first: at,
                    },
                    &options,
                    1 << 20,
                    None,
                );
                assert_eq!(streamed, whole, "{input:?} read in two at {at}");
            }
            for block in 1..=input.len() {
                let streamed = parse_blocks(input, &options, block, Some(input.len()));
                assert_eq!(streamed, whole, "{input:?} in blocks of {block}");
            }
        }
    }

    #[test]
    fn a_length_hint_right_or_wrong_reads_the_same_dataset() {
        // A column that turns to text in a late block, after its room was reserved.
        let mut text = b"x,c\n".to_vec();
        for i in 0..20_000 {
            let c = if i > 15_000 {
                "late".to_owned()
            } else {
                (i % 9).to_string()
            };
            text.extend_from_slice(format!("{}.25,{c}\n", i % 1000).as_bytes());
        }
        let options = ParseOptions::default();
        let whole = parse(&text, &options).expect("parses");
        let len = text.len();
        for hint in [0, 1, len / 10, len, 10 * len, usize::MAX] {
            for block in [1000, 1 << 20] {
                let streamed = parse_blocks(Trickle(&text), &options, block, Some(hint));
                assert_eq!(streamed.as_ref(), Ok(&whole), "hint {hint}, block {block}");
            }
        }
    }

    #[test]
    fn streaming_reads_the_next_block_while_parsing_this_one() {
        // Blocks above MIN_CHUNK: each is parsed on a thread while the next is read.
        let mut text = b"id,name,v\n".to_vec();
        for i in 0..300_000 {
            let name = if i % 1000 == 0 { "\"a,\nb\"" } else { "plain" };
            text.extend_from_slice(format!("{i},{name},{}\n", i % 13).as_bytes());
        }
        let options = ParseOptions::default();
        let block = MIN_CHUNK + 12_345;
        assert!(text.len() > 3 * block);
        let whole = parse(&text, &options).expect("parses");
        assert_eq!(
            parse_blocks(&text[..], &options, block, None).expect("streams"),
            whole
        );
        // An error in a middle block, found while the block after it is being read.
        let mut broken = text.clone();
        let middle = broken.len() / 2;
        let line_start = middle + memchr::memchr(b'\n', &broken[middle..]).expect("line") + 1;
        broken.splice(line_start..line_start, b"1,2\n".iter().copied());
        let want = parse(&broken, &options).expect_err("ragged");
        assert!(matches!(want, DatasetError::RaggedRow { line, .. } if line > 100_000));
        assert_eq!(
            parse_blocks(&broken[..], &options, block, None).expect_err("ragged"),
            want
        );
    }

    #[test]
    fn record_ends_agree_with_the_csv_crate() {
        for text in [
            &b"a,b\nc"[..],
            b"\"x\ny\",b\nc",
            b"a\"b,c\nd\"\n",
            b"\"a\"\"b\",c\nd",
            b"\"a\"b\"c,d\ne",
            b",\n",
            b"\"\",\"\"\nx",
            b"\"\"\"\",x\ny",
            b"a,\"b\nc\"\"\nd\",e\r\nf",
        ] {
            let mut reader = reader(text);
            let mut record = csv::ByteRecord::new();
            assert!(reader.read_byte_record(&mut record).expect("a record"));
            let mut end = usize::try_from(reader.position().byte()).expect("small");
            // The csv crate stops between `\r` and `\n`, and skips the `\n` as a blank line.
            if text.get(end) == Some(&b'\n') {
                end += 1;
            }
            let fields = record.len();
            let shown = String::from_utf8_lossy(text);
            assert_eq!(
                scan::record(text, usize::MAX, usize::MAX),
                Extent::Ends(end),
                "{shown}"
            );
            assert_eq!(
                scan::record(text, end, fields),
                Extent::Ends(end),
                "{shown}"
            );
            assert_eq!(
                scan::record(text, end - 1, usize::MAX),
                Extent::TooLong,
                "{shown}"
            );
            assert_eq!(
                scan::record(text, end, fields - 1),
                Extent::TooManyFields,
                "{shown}"
            );
        }
    }

    #[test]
    fn a_record_carried_from_block_to_block_stops_at_the_limit() {
        let limits = Limits {
            max_record_bytes: 100,
            ..Limits::default()
        };
        let options = ParseOptions {
            limits,
            ..ParseOptions::default()
        };
        let mut text = b"a,b\n".to_vec();
        for i in 0..50 {
            text.extend_from_slice(format!("{i},\"x\"\n").as_bytes());
        }
        let long = format!("1,\"{}\"\n", "y\n".repeat(500));
        text.extend_from_slice(long.as_bytes());
        text.extend_from_slice(b"2,z\n");
        let want = DatasetError::RecordTooLarge {
            line: 52,
            limit: 100,
        };
        assert_eq!(parse(&text, &options), Err(want.clone()));
        for block in [7, 64, 1000] {
            assert_eq!(
                parse_blocks(Trickle(&text), &options, block, None),
                Err(want.clone()),
                "block {block}"
            );
        }
    }

    #[test]
    fn bounds_respect_quoted_newlines() {
        // A minimum chunk of one byte, so that every target size cuts this small body for
        // real; the second record's field holds an escaped quote before its line break.
        let records: [&[u8]; 4] = [b"a,\"x\ny\"\n", b"b,c\n", b"\"q\"\"\n\",d\n", b"e,f\n"];
        let body = records.concat();
        let starts: Vec<usize> = records
            .iter()
            .scan(0, |at, record| {
                let start = *at;
                *at += record.len();
                Some(start)
            })
            .chain([body.len()])
            .collect();
        let cuts_inside = |quoted: bool| {
            (1..=body.len()).any(|parts| {
                let bounds = chunk_bounds(&body, parts, 1, quoted);
                assert_eq!(
                    (bounds.first(), bounds.last()),
                    (Some(&0), Some(&body.len()))
                );
                bounds.iter().any(|b| !starts.contains(b))
            })
        };
        assert!(!cuts_inside(true), "every cut is at a record's start");
        assert_eq!(
            chunk_bounds(&body, body.len(), 1, true),
            starts,
            "one-byte targets cut at every record"
        );
        // The same scan blind to quotes cuts inside a field: the body does test the quotes.
        assert!(cuts_inside(false));
    }

    #[test]
    fn cut_points_skip_quoted_line_breaks() {
        // Force tiny chunks by calling the scanner through a large body.
        let mut body = Vec::new();
        for i in 0..200_000 {
            body.extend_from_slice(format!("{i},\"multi\nline\"\n").as_bytes());
        }
        let bounds = chunk_bounds(&body, 8, MIN_CHUNK, true);
        assert!(bounds.len() > 2);
        for &b in &bounds[1..bounds.len() - 1] {
            assert!(body[b].is_ascii_digit());
        }
    }
}
