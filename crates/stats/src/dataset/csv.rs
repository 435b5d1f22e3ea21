//! CSV reader: the body is cut into chunks at record boundaries and the chunks are parsed
//! in parallel, each into per-column builders that are joined column by column.

use rayon::prelude::*;

use super::builder::{self, Cell, ColumnBuilder, NotANumber};
use super::{Column, ColumnKind, Dataset, DatasetError, ParseOptions};

/// Chunks smaller than this are not worth a task.
const MIN_CHUNK: usize = 1 << 20;

pub(super) fn parse(bytes: &[u8], options: &ParseOptions) -> Result<Dataset, DatasetError> {
    let limits = &options.limits;
    super::check_input(bytes, limits)?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let (names, body_start) = read_header(bytes)?;
    super::check_header(&names, limits)?;
    super::check_kind_overrides(&names, options)?;
    let body = &bytes[body_start..];
    let forced: Vec<Option<ColumnKind>> = names
        .iter()
        .map(|n| options.kinds.get(n).copied())
        .collect();

    let bounds = chunk_bounds(body, rayon::current_num_threads() * 4);
    let chunks: Vec<ChunkColumns> = bounds
        .par_windows(2)
        .map(|w| parse_chunk(&body[w[0]..w[1]], &names, &forced, limits.max_rows))
        .collect::<Vec<_>>()
        .into_iter()
        .zip(&bounds)
        .map(|(result, &start)| {
            result.map_err(|e| e.at_line(count_lines(&bytes[..body_start + start])))
        })
        .collect::<Result<_, _>>()?;

    let rows: usize = chunks.iter().map(|c| c.rows).sum();
    if rows > limits.max_rows {
        return Err(DatasetError::TooManyRows {
            limit: limits.max_rows,
        });
    }
    if rows == 0 {
        return Err(DatasetError::NoRows);
    }
    let columns = join_columns(chunks, &forced);
    Dataset::from_columns(names.into_iter().zip(columns).collect())
}

/// Reads the header record; returns the names and where the body starts.
fn read_header(bytes: &[u8]) -> Result<(Vec<String>, usize), DatasetError> {
    let mut reader = reader(bytes);
    let mut record = csv::ByteRecord::new();
    match reader.read_byte_record(&mut record) {
        Ok(true) => {}
        Ok(false) => return Err(DatasetError::Empty),
        Err(e) => return Err(csv_error(&e, 0)),
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
/// quoted field may hold line breaks; `""` escapes keep the parity right).
fn chunk_bounds(body: &[u8], parts: usize) -> Vec<usize> {
    let target = (body.len() / parts.max(1)).max(MIN_CHUNK);
    let mut bounds = vec![0];
    let quoted = body.contains(&b'"');
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
            other => other,
        }
    }
}

fn csv_error(e: &csv::Error, line_offset: u64) -> DatasetError {
    let line = e.position().map_or(1, |p| p.line()) + line_offset;
    DatasetError::Csv {
        line,
        message: e.to_string(),
    }
}

fn parse_chunk(
    chunk: &[u8],
    names: &[String],
    forced: &[Option<ColumnKind>],
    max_rows: usize,
) -> Result<ChunkColumns, ChunkError> {
    // Line count = row count (up to quoted line breaks): no vector regrows.
    let capacity = count_lines(chunk) as usize + 1;
    let mut sink = RowSink {
        columns: forced
            .iter()
            .map(|&kind| ColumnBuilder::new(kind, capacity))
            .collect(),
        names,
        rows: 0,
        max_rows,
    };
    if chunk.contains(&b'"') {
        parse_quoted(chunk, &mut sink)?;
    } else {
        parse_plain(chunk, &mut sink)?;
    }
    Ok(ChunkColumns {
        columns: sink.columns,
        rows: sink.rows,
    })
}

/// Fast path for a chunk without quotes: every line is a record, every `,` a separator.
fn parse_plain(chunk: &[u8], sink: &mut RowSink<'_>) -> Result<(), ChunkError> {
    let mut start = 0;
    let mut line_number = 0;
    while start < chunk.len() {
        let end = memchr::memchr(b'\n', &chunk[start..]).map_or(chunk.len(), |i| start + i);
        let line = &chunk[start..end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        line_number += 1;
        start = end + 1;
        // The csv reader skips empty lines too.
        if !line.is_empty() {
            sink.push_row(line_number, Fields(Some(line)))?;
        }
    }
    Ok(())
}

/// The `,`-separated fields of an unquoted line.
struct Fields<'a>(Option<&'a [u8]>);

impl<'a> Iterator for Fields<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let rest = self.0?;
        match memchr::memchr(b',', rest) {
            Some(i) => {
                self.0 = Some(&rest[i + 1..]);
                Some(&rest[..i])
            }
            None => {
                self.0 = None;
                Some(rest)
            }
        }
    }
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
                    error: csv_error(&e, 0),
                });
            }
        }
        let line = record.position().map_or(1, |p| p.line());
        sink.push_row(line, record.iter())?;
    }
}

/// Receives the records of a chunk.
struct RowSink<'a> {
    columns: Vec<ColumnBuilder>,
    names: &'a [String],
    rows: usize,
    max_rows: usize,
}

impl RowSink<'_> {
    fn push_row<'f>(
        &mut self,
        line: u64,
        fields: impl Iterator<Item = &'f [u8]>,
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
        let mut found = 0;
        for field in fields {
            let (Some(column), Some(name)) = (self.columns.get_mut(found), self.names.get(found))
            else {
                found += 1;
                continue;
            };
            found += 1;
            let cell: Cell<'_> = builder::classify(field).map_err(|()| {
                fail(DatasetError::InvalidUtf8 {
                    line,
                    column: name.clone(),
                })
            })?;
            column.push(cell).map_err(|NotANumber(value)| {
                fail(DatasetError::NotANumber {
                    line,
                    column: name.clone(),
                    value,
                })
            })?;
        }
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

/// Transposes chunk builders into columns and finishes each column (in parallel).
fn join_columns(chunks: Vec<ChunkColumns>, forced: &[Option<ColumnKind>]) -> Vec<Column> {
    let mut per_column: Vec<Vec<ColumnBuilder>> = forced.iter().map(|_| Vec::new()).collect();
    for chunk in chunks {
        for (parts, builder) in per_column.iter_mut().zip(chunk.columns) {
            parts.push(builder);
        }
    }
    per_column
        .into_par_iter()
        .zip(forced)
        .map(|(parts, &kind)| builder::finish(parts, kind))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_respect_quoted_newlines() {
        let body = b"a,\"x\ny\"\nb,c\n\"q\"\"\n\",d\ne,f\n";
        for parts in 1..8 {
            let bounds = chunk_bounds(body, parts);
            assert_eq!(bounds.first(), Some(&0));
            assert_eq!(bounds.last(), Some(&body.len()));
        }
    }

    #[test]
    fn cut_points_skip_quoted_line_breaks() {
        // Force tiny chunks by calling the scanner through a large body.
        let mut body = Vec::new();
        for i in 0..200_000 {
            body.extend_from_slice(format!("{i},\"multi\nline\"\n").as_bytes());
        }
        let bounds = chunk_bounds(&body, 8);
        assert!(bounds.len() > 2);
        for &b in &bounds[1..bounds.len() - 1] {
            assert!(body[b].is_ascii_digit());
        }
    }
}
