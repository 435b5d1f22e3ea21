//! The data files of `driftguard check`: CSV streamed from the file block by block (never
//! read whole), JSON and Parquet read whole up to a bound, all under the limits a local file
//! is held to.

use anyhow::Context;
use clap::Args;
use driftguard_stats::{Dataset, DatasetError, Limits, ParseOptions};
use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Most bytes of a JSON file read when `--max-bytes` is not given. The JSON reader parses a
/// document held whole in memory, so unlike a CSV file (streamed) its size adds to the
/// columns'; without a bound a mistaken multi-gigabyte JSON file would take that much first.
pub const JSON_MAX_BYTES: usize = 512 << 20;

/// Most columns of a local file. The server's 1,000 guards against hostile uploads; a local
/// file is the user's own, and wide feature tables (1,000 features and their prediction,
/// label and score) are ordinary. Still bounded, so a file without line breaks is refused at
/// its header instead of being read as a million columns.
pub const MAX_COLUMNS: usize = 100_000;

/// Most bytes of one CSV record (the header or a row) of a local file: the most the reader
/// holds of a record it has not finished. 100,000 columns of 16-digit numbers fit in 1.7 MB.
pub const MAX_RECORD_BYTES: usize = 16 << 20;

/// The size limits of the reference and current files; none by default but memory's.
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct FileLimits {
    /// Refuse a data file larger than this many bytes (each file). Default: no limit for
    /// CSV, which is streamed; 536870912 (512 MiB) for JSON and Parquet, which are read whole.
    #[arg(long, value_name = "BYTES")]
    pub max_bytes: Option<usize>,
    /// Refuse a data file with more data rows than this (each file). Default: no limit.
    #[arg(long, value_name = "ROWS")]
    pub max_rows: Option<usize>,
}

impl FileLimits {
    /// The reader's limits for a CSV file; the category limit stays the server's (a column
    /// of 100,000 distinct labels is an identifier to `--ignore`, not a feature).
    fn csv(self) -> Limits {
        Limits {
            max_bytes: self.max_bytes.unwrap_or(usize::MAX),
            max_rows: self.max_rows.unwrap_or(usize::MAX),
            max_columns: MAX_COLUMNS,
            max_record_bytes: MAX_RECORD_BYTES,
            ..Limits::default()
        }
    }

    /// As [`FileLimits::csv`], with the bound on a document read whole (JSON, Parquet).
    fn json(self) -> Limits {
        Limits {
            max_bytes: self.max_bytes.unwrap_or(JSON_MAX_BYTES),
            ..self.csv()
        }
    }
}

/// Reads a data file: JSON when its name ends in `.json`, Parquet when in `.parquet`, CSV
/// otherwise.
pub fn read_dataset(path: &Path, limits: FileLimits) -> anyhow::Result<Dataset> {
    let file = File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let extension_is = |wanted: &str| {
        path.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case(wanted))
    };
    let is_json = extension_is("json");
    // The length where known (not for a pipe), so that the columns are reserved once.
    let len = file
        .metadata()
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.len());
    let dataset = if is_json {
        read_whole(file, len, limits, "JSON", |bytes, options| {
            Dataset::from_json(&bytes, options)
        })
    } else if extension_is("parquet") {
        read_whole(file, len, limits, "Parquet", |bytes, options| {
            driftguard_app::parquet::read(bytes, options)
        })
    } else {
        let options = ParseOptions {
            limits: limits.csv(),
            ..ParseOptions::default()
        };
        match len {
            Some(len) => Dataset::from_csv_reader_sized(file, len, &options),
            None => Dataset::from_csv_reader(file, &options),
        }
        .map_err(anyhow::Error::from)
    };
    dataset.with_context(|| format!("reading {}", path.display()))
}

/// Reads at most one byte past the bound, so that a larger file is refused having cost no
/// more than the bound, then parses the document with `parse`.
fn read_whole(
    file: File,
    len: Option<u64>,
    limits: FileLimits,
    format: &str,
    parse: impl FnOnce(Vec<u8>, &ParseOptions) -> Result<Dataset, DatasetError>,
) -> anyhow::Result<Dataset> {
    let options = ParseOptions {
        limits: limits.json(),
        ..ParseOptions::default()
    };
    let bound = options.limits.max_bytes.saturating_add(1);
    // Sized from the file's length where known: growing by doubling would copy it.
    let expected = len.map_or(0, |len| usize::try_from(len).unwrap_or(bound));
    let mut bytes = Vec::with_capacity(expected.min(bound));
    file.take(bound as u64).read_to_end(&mut bytes)?;
    parse(bytes, &options).map_err(|e| match e {
        DatasetError::TooLarge { .. } if limits.max_bytes.is_none() => anyhow::Error::from(e)
            .context(format!("a {format} file is read whole and bounded to 512 MiB: raise --max-bytes, or use CSV, which is streamed")),
        e => e.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_files_have_no_size_or_row_limit_unless_a_flag_sets_one() {
        let server = Limits::default();
        let csv = FileLimits::default().csv();
        assert_eq!((csv.max_bytes, csv.max_rows), (usize::MAX, usize::MAX));
        assert_eq!(
            (csv.max_columns, csv.max_record_bytes),
            (MAX_COLUMNS, MAX_RECORD_BYTES)
        );
        assert_eq!(csv.max_categories, server.max_categories);
        assert_eq!(FileLimits::default().json().max_bytes, JSON_MAX_BYTES);
        let set = FileLimits {
            max_bytes: Some(10),
            max_rows: Some(5),
        };
        assert_eq!(
            (
                set.csv().max_bytes,
                set.csv().max_rows,
                set.json().max_bytes
            ),
            (10, 5, 10)
        );
    }
}
