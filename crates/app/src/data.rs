//! Uploaded data: reading it in its format (CSV, JSON, Parquet) under the upload limits (on
//! the blocking pool), from memory or as it arrives, its SHA-256, and its stored form,
//! compressed (`crate::packing`).

use std::collections::BTreeMap;
use std::io::Read;

use bytes::Bytes;
use driftguard_core::{DomainError, DomainResult};
use driftguard_stats::{ColumnKind, Dataset, DatasetError, Limits, ParseOptions};
use sha2::{Digest, Sha256};

use crate::incoming::BodyReader;
use crate::packing::{Packer, compress};
use crate::ports::references::DataFormat;

/// Largest upload by default: 256 MiB.
pub const DEFAULT_MAX_BYTES: usize = 256 << 20;

/// The upload limits by default: 256 MiB and the statistics engine's row and column limits.
pub fn default_limits() -> Limits {
    Limits {
        max_bytes: DEFAULT_MAX_BYTES,
        ..Limits::default()
    }
}

/// Uploaded data as the use cases take it.
#[derive(Debug)]
pub enum UploadData {
    /// Every byte, in memory (a JSON envelope's data, a file the demo loads).
    Bytes(Bytes),
    /// A body still arriving (a CSV or Parquet body sent to the HTTP API, a file of any
    /// format sent from the UI's data page): CSV is parsed as it arrives; the others are
    /// read whole first (Parquet's footer comes last).
    Arriving(BodyReader),
}

impl From<Vec<u8>> for UploadData {
    fn from(bytes: Vec<u8>) -> Self {
        Self::Bytes(bytes.into())
    }
}

impl From<Bytes> for UploadData {
    fn from(bytes: Bytes) -> Self {
        Self::Bytes(bytes)
    }
}

impl From<BodyReader> for UploadData {
    fn from(body: BodyReader) -> Self {
        Self::Arriving(body)
    }
}

impl UploadData {
    /// Every byte, at most `max_bytes` of them (`TooLarge` past them).
    fn into_bytes(self, max_bytes: usize) -> DomainResult<Bytes> {
        let body = match self {
            Self::Bytes(bytes) => return Ok(bytes),
            Self::Arriving(body) => body,
        };
        // Sized once from the announced length, which the front end held to its limit.
        let announced = body.announced_len().and_then(|n| usize::try_from(n).ok());
        let mut bytes = Vec::with_capacity(announced.unwrap_or(0).min(max_bytes));
        let bound = u64::try_from(max_bytes)
            .unwrap_or(u64::MAX)
            .saturating_add(1);
        body.take(bound)
            .read_to_end(&mut bytes)
            .map_err(|e| DomainError::invalid_field("data", e.to_string()))?;
        if bytes.len() > max_bytes {
            return Err(domain_error(DatasetError::TooLarge {
                found: bytes.len(),
                limit: max_bytes,
            }));
        }
        Ok(bytes.into())
    }
}

/// Reads a dataset held in memory, with `kinds` forced; going over a limit is `TooLarge`,
/// any other problem `Invalid`.
pub fn parse(
    bytes: Vec<u8>,
    format: DataFormat,
    limits: Limits,
    kinds: BTreeMap<String, ColumnKind>,
) -> DomainResult<Dataset> {
    let options = ParseOptions {
        limits,
        kinds,
        ..ParseOptions::default()
    };
    read_bytes(bytes.into(), format, &options)
}

/// `TooLarge` for going over a limit, `Invalid` for any other problem of the data.
fn domain_error(e: DatasetError) -> DomainError {
    match e {
        DatasetError::TooLarge { .. }
        | DatasetError::DecodesTooLarge { .. }
        | DatasetError::TooManyRows { .. }
        | DatasetError::TooManyColumns { .. }
        | DatasetError::RecordTooLarge { .. } => DomainError::TooLarge(e.to_string()),
        other => DomainError::invalid_field("data", other.to_string()),
    }
}

/// Reads a dataset from an upload: CSV as it arrives, when it is arriving. Errors as for
/// [`parse`]. Blocking: call it on the blocking pool.
pub fn read(data: UploadData, format: DataFormat, options: &ParseOptions) -> DomainResult<Dataset> {
    match (data, format) {
        (UploadData::Arriving(body), DataFormat::Csv) => {
            let announced = body.announced_len();
            read_csv(body, announced, options)
        }
        (data, format) => read_bytes(data.into_bytes(options.limits.max_bytes)?, format, options),
    }
}

fn read_csv(
    body: impl Read,
    announced: Option<u64>,
    options: &ParseOptions,
) -> DomainResult<Dataset> {
    match announced {
        Some(len) => Dataset::from_csv_reader_sized(body, len, options),
        None => Dataset::from_csv_reader(body, options),
    }
    .map_err(domain_error)
}

fn read_bytes(bytes: Bytes, format: DataFormat, options: &ParseOptions) -> DomainResult<Dataset> {
    match format {
        DataFormat::Csv => Dataset::from_csv(&bytes, options),
        DataFormat::Json => Dataset::from_json(&bytes, options),
        // The bytes themselves, not a copy.
        DataFormat::Parquet => crate::parquet::read(bytes, options),
    }
    .map_err(domain_error)
}

/// What is stored of reference data: the SHA-256 of the bytes as sent, and the data
/// compressed, in `format`.
#[derive(Debug)]
pub struct StoredData {
    /// Lower-case hex SHA-256 of the bytes as sent.
    pub sha256: String,
    /// The stored form, compressed (`crate::packing`).
    pub compressed: Vec<u8>,
    /// The stored form's format: the upload's, but CSV for Parquet (see [`crate::stored_csv`]).
    pub format: DataFormat,
}

/// Reads reference data and the form it is stored in. CSV arriving is hashed and
/// compressed as it passes to the parser, so that the stored form is made in the same pass,
/// without a copy of the body; other data is hashed and compressed once parsed. Errors as
/// for [`parse`]. Blocking: call it on the blocking pool.
pub fn read_for_storing(
    data: UploadData,
    format: DataFormat,
    options: &ParseOptions,
) -> DomainResult<(Dataset, StoredData)> {
    let bytes = match data {
        UploadData::Arriving(body) if format == DataFormat::Csv => {
            let announced = body.announced_len();
            let mut keeping = Keeping::new(body, announced)?;
            let dataset = read_csv(&mut keeping, announced, options)?;
            let (sha256, compressed) = keeping.finish()?;
            let stored = StoredData {
                sha256,
                compressed,
                format,
            };
            return Ok((dataset, stored));
        }
        data => data.into_bytes(options.limits.max_bytes)?,
    };
    // `Bytes` clones share the buffer (a reference count), so the parser and the hash
    // below read the one copy of the data.
    let dataset = read_bytes(bytes.clone(), format, options)?;
    let sha256 = sha256_hex(&bytes);
    let stored = if format == DataFormat::Parquet {
        // Stored as CSV: the stored data stays in the formats it always was.
        drop(bytes);
        StoredData {
            sha256,
            compressed: compress(&crate::stored_csv::write(&dataset)?)?,
            format: DataFormat::Csv,
        }
    } else {
        StoredData {
            sha256,
            compressed: compress(&bytes)?,
            format,
        }
    };
    Ok((dataset, stored))
}

/// Passes a body through to the parser, hashing and compressing every byte on the way.
struct Keeping<R> {
    body: R,
    hash: Sha256,
    packed: Packer,
}

impl<R: Read> Keeping<R> {
    fn new(body: R, announced: Option<u64>) -> DomainResult<Self> {
        let guess = announced.and_then(|n| usize::try_from(n / 3).ok());
        Ok(Self {
            body,
            hash: Sha256::new(),
            packed: Packer::new(guess.unwrap_or(0))?,
        })
    }

    /// The hex SHA-256 and the compressed bytes of all that was read.
    fn finish(self) -> DomainResult<(String, Vec<u8>)> {
        let compressed = self.packed.finish()?;
        Ok((hex::encode(self.hash.finalize()), compressed))
    }
}

impl<R: Read> Read for Keeping<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.body.read(out)?;
        self.hash.update(&out[..n]);
        self.packed.write(&out[..n])?;
        Ok(n)
    }
}

/// Runs CPU-bound work on the blocking pool.
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> DomainResult<T> + Send + 'static,
) -> DomainResult<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| DomainError::internal_caused("a blocking task failed", e))?
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packing::decompress;

    #[test]
    fn content_types_name_formats() {
        assert_eq!(
            DataFormat::from_content_type("text/csv; charset=utf-8"),
            Some(DataFormat::Csv)
        );
        assert_eq!(
            DataFormat::from_content_type("Application/JSON"),
            Some(DataFormat::Json)
        );
        assert_eq!(DataFormat::from_content_type("text/plain"), None);
    }

    /// `input` as a body arriving in chunks cut at `cuts`.
    fn arriving(input: &[u8], cuts: &[usize]) -> UploadData {
        let (sender, reader) = crate::incoming::channel(Some(input.len() as u64));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let mut from = 0;
            for &cut in cuts.iter().chain([&input.len()]) {
                let chunk = Bytes::copy_from_slice(&input[from..cut]);
                sender.send(chunk).await.expect("room for every chunk");
                from = cut;
            }
            sender.finish().await;
        });
        reader.into()
    }

    /// A CSV body read as it arrives, cut into chunks at every byte (inside a quoted field,
    /// between `\r` and `\n`, inside a multi-byte character and the byte-order mark), gives
    /// the dataset, the hash and the stored bytes of the body read whole; errors too.
    #[test]
    fn a_body_cut_anywhere_reads_and_stores_as_the_whole_body() {
        let inputs: [&[u8]; 3] = [
            "\u{feff}id,\"na,me\",v\r\n1,\"a\r\nb\",é\r\n2,\"q\"\"x\",€\r\n".as_bytes(),
            "x,y\n1.5,😀\n,2\n".as_bytes(),
            b"a,b\n1,2,3\n",
        ];
        let options = ParseOptions::default();
        let outcome = |data| {
            read_for_storing(data, DataFormat::Csv, &options).map(|(dataset, stored)| {
                let bytes = decompress(&stored.compressed, usize::MAX).expect("decompresses");
                (dataset, stored.sha256, bytes, stored.format)
            })
        };
        for input in inputs {
            let whole = format!("{:?}", outcome(input.to_vec().into()));
            assert!(whole.contains(&sha256_hex(input)) || whole.starts_with("Err"));
            for at in 0..=input.len() {
                let cut = format!("{:?}", outcome(arriving(input, &[at])));
                assert_eq!(cut, whole, "{input:?} cut at {at}");
            }
            // Three chunks at a time: with the end, as many as the channel holds unread.
            let every_byte: Vec<usize> = (1..input.len()).collect();
            for cuts in every_byte.chunks(2) {
                let cut = format!("{:?}", outcome(arriving(input, cuts)));
                assert_eq!(cut, whole, "{input:?} cut at {cuts:?}");
            }
            let evaluated = read(arriving(input, &[1]), DataFormat::Csv, &options);
            assert_eq!(
                format!("{evaluated:?}"),
                format!(
                    "{:?}",
                    read(input.to_vec().into(), DataFormat::Csv, &options)
                )
            );
        }
    }

    #[test]
    fn limits_are_too_large_and_bad_data_invalid() {
        let limits = Limits {
            max_bytes: 4,
            ..default_limits()
        };
        let big = parse(
            b"a,b\n1,2\n".to_vec(),
            DataFormat::Csv,
            limits,
            BTreeMap::new(),
        );
        assert!(matches!(big, Err(DomainError::TooLarge(_))));
        let bad = parse(
            b"{".to_vec(),
            DataFormat::Json,
            default_limits(),
            BTreeMap::new(),
        );
        assert!(matches!(bad, Err(DomainError::Invalid { .. })));
        assert_eq!(sha256_hex(b"").len(), 64);
    }
}
