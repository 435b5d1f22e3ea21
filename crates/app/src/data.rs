//! Uploaded data: parsing in its format (CSV, JSON, Parquet) under the upload limits (on the
//! blocking pool), its SHA-256, and the DEFLATE compression it is stored under.

use std::collections::BTreeMap;
use std::io::{Read, Write};

use driftguard_core::{DomainError, DomainResult};
use driftguard_stats::{ColumnKind, Dataset, DatasetError, Limits, ParseOptions};
use flate2::Compression;
use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;
use sha2::{Digest, Sha256};

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

/// Reads a dataset; going over a limit is `TooLarge`, any other problem `Invalid`.
pub fn parse(
    bytes: &[u8],
    format: DataFormat,
    limits: Limits,
    kinds: BTreeMap<String, ColumnKind>,
) -> DomainResult<Dataset> {
    let options = ParseOptions { limits, kinds };
    let parsed = match format {
        DataFormat::Csv => Dataset::from_csv(bytes, &options),
        DataFormat::Json => Dataset::from_json(bytes, &options),
        DataFormat::Parquet => crate::parquet::read(bytes.to_vec(), &options),
    };
    parsed.map_err(|e| match e {
        DatasetError::TooLarge { .. }
        | DatasetError::DecodesTooLarge { .. }
        | DatasetError::TooManyRows { .. }
        | DatasetError::TooManyColumns { .. }
        | DatasetError::RecordTooLarge { .. } => DomainError::TooLarge(e.to_string()),
        other => DomainError::invalid_field("data", other.to_string()),
    })
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

/// `bytes` compressed with zlib (DEFLATE).
pub fn compress(bytes: &[u8]) -> DomainResult<Vec<u8>> {
    let mut encoder = ZlibEncoder::new(Vec::with_capacity(bytes.len() / 4), Compression::fast());
    encoder
        .write_all(bytes)
        .and_then(|()| encoder.finish())
        .map_err(|e| DomainError::internal_caused("compressing reference data failed", e))
}

/// Decompresses stored data, refusing more than `max_bytes` of output.
pub fn decompress(compressed: &[u8], max_bytes: usize) -> DomainResult<Vec<u8>> {
    let mut out = Vec::new();
    let limit = u64::try_from(max_bytes)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    ZlibDecoder::new(compressed)
        .take(limit)
        .read_to_end(&mut out)
        .map_err(|e| DomainError::internal_caused("stored reference data is corrupt", e))?;
    if out.len() > max_bytes {
        return Err(DomainError::TooLarge(format!(
            "the stored reference data is larger than the limit of {max_bytes} bytes"
        )));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn compression_round_trips_and_limits_hold() {
        let data = b"a,b\n1,2\n".repeat(1000);
        let packed = compress(&data).expect("compresses");
        assert!(packed.len() < data.len());
        assert_eq!(decompress(&packed, data.len()).expect("decompresses"), data);
        assert!(matches!(
            decompress(&packed, data.len() - 1),
            Err(DomainError::TooLarge(_))
        ));
    }

    #[test]
    fn limits_are_too_large_and_bad_data_invalid() {
        let limits = Limits {
            max_bytes: 4,
            ..default_limits()
        };
        let big = parse(b"a,b\n1,2\n", DataFormat::Csv, limits, BTreeMap::new());
        assert!(matches!(big, Err(DomainError::TooLarge(_))));
        let bad = parse(b"{", DataFormat::Json, default_limits(), BTreeMap::new());
        assert!(matches!(bad, Err(DomainError::Invalid { .. })));
        assert_eq!(sha256_hex(b"").len(), 64);
    }
}
