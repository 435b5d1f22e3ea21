//! The backup file: a header line, the manifest as one line of JSON, then the payload (an
//! SQLite database, or a `pg_dump` custom-format archive) byte for byte. The manifest records
//! what restore checks: the format, the backend, the migration version, the head of the
//! deployment history and the row count of every table as they were in the backup's
//! snapshot, and the payload's length and SHA-256, so that a damaged file is refused before
//! anything is written.

use super::BackupError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;

/// The first line of every backup file.
const MAGIC: &[u8] = b"DRIFTGUARD-BACKUP\n";
/// The manifest format this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;
/// The longest manifest line read: a manifest is a few hundred bytes, and a garbage file must
/// not make restore read gigabytes looking for a newline.
const MAX_MANIFEST_BYTES: u64 = 64 * 1024;

/// The head of the deployment history in a backup's snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    /// The last row's id; 0 when the history is empty.
    pub last_id: i64,
    /// The last row's hash (the genesis hash when the history is empty): what
    /// `GET /audit/verify` answers as `head_hash` on the restored database.
    pub hash: String,
}

/// What a backup holds, written at its start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The manifest format ([`FORMAT_VERSION`]).
    pub format_version: u32,
    /// `sqlite` or `postgres`: a backup restores into the backend it came from.
    pub backend: String,
    /// The newest migration applied to the backed-up database.
    pub migration_version: String,
    /// The deployment history's head in the snapshot.
    pub head: Head,
    /// Rows per table in the snapshot (the migrations table aside).
    pub rows: BTreeMap<String, u64>,
    /// When the backup was taken.
    pub created_at: DateTime<Utc>,
    /// The DriftGuard version that took it.
    pub driftguard_version: String,
    /// The payload's length in bytes.
    pub payload_bytes: u64,
    /// The payload's SHA-256, hex.
    pub payload_sha256: String,
}

fn io(what: String) -> impl FnOnce(std::io::Error) -> BackupError {
    move |source| BackupError::Io { what, source }
}

/// Reads `from` to its end, hashing what it reads and handing it to `sink`; answers the
/// SHA-256 (hex) and the length.
fn hash_through(
    from: &mut impl Read,
    what: &Path,
    mut sink: impl FnMut(&[u8]) -> Result<(), BackupError>,
) -> Result<(String, u64), BackupError> {
    let mut hash = Sha256::new();
    let mut buf = vec![0; 1 << 16];
    let mut bytes = 0u64;
    loop {
        let n = from
            .read(&mut buf)
            .map_err(io(format!("reading {}", what.display())))?;
        if n == 0 {
            return Ok((hex::encode(hash.finalize()), bytes));
        }
        hash.update(&buf[..n]);
        sink(&buf[..n])?;
        bytes += n as u64;
    }
}

/// The SHA-256 and length of the file at `path`.
pub fn digest(path: &Path) -> Result<(String, u64), BackupError> {
    let mut file = std::fs::File::open(path).map_err(io(format!("reading {}", path.display())))?;
    hash_through(&mut file, path, |_| Ok(()))
}

/// Writes the backup file `out`: header, `manifest`, then the payload at `payload`.
pub fn write(out: &Path, manifest: &Manifest, payload: &Path) -> Result<(), BackupError> {
    let what = || format!("writing {}", out.display());
    // The backup holds password hashes and the whole history: readable by its owner only.
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(out).map_err(io(what()))?;
    let json = serde_json::to_vec(manifest).map_err(|e| BackupError::Io {
        what: what(),
        source: std::io::Error::other(e),
    })?;
    file.write_all(MAGIC).map_err(io(what()))?;
    file.write_all(&json).map_err(io(what()))?;
    file.write_all(b"\n").map_err(io(what()))?;
    let mut source =
        std::fs::File::open(payload).map_err(io(format!("reading {}", payload.display())))?;
    std::io::copy(&mut source, &mut file).map_err(io(what()))?;
    // On disk before the caller publishes the file under its name.
    file.sync_all().map_err(io(what()))
}

/// An opened backup file: its manifest read and checked, the payload next.
pub struct Opened {
    /// The manifest.
    pub manifest: Manifest,
    reader: BufReader<std::fs::File>,
    path: std::path::PathBuf,
}

/// Opens the backup at `path` and reads its manifest.
pub fn open(path: &Path) -> Result<Opened, BackupError> {
    let file = std::fs::File::open(path).map_err(io(format!("opening {}", path.display())))?;
    let mut reader = BufReader::new(file);
    let not_a_backup = || BackupError::NotABackup(path.to_owned());
    let mut magic = vec![0; MAGIC.len()];
    match reader.read_exact(&mut magic) {
        Ok(()) if magic == MAGIC => {}
        Ok(()) => return Err(not_a_backup()),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Err(not_a_backup()),
        Err(e) => return Err(io(format!("reading {}", path.display()))(e)),
    }
    let mut line = Vec::new();
    (&mut reader)
        .take(MAX_MANIFEST_BYTES)
        .read_until(b'\n', &mut line)
        .map_err(io(format!("reading {}", path.display())))?;
    if line.pop() != Some(b'\n') {
        return Err(BackupError::Corrupt("the manifest line is cut off".into()));
    }
    let manifest: Manifest = serde_json::from_slice(&line)
        .map_err(|e| BackupError::Corrupt(format!("the manifest does not parse: {e}")))?;
    if manifest.format_version != FORMAT_VERSION {
        return Err(BackupError::UnsupportedFormat(manifest.format_version));
    }
    Ok(Opened {
        manifest,
        reader,
        path: path.to_owned(),
    })
}

impl Opened {
    /// Copies the payload to a new file at `to`, refusing it when its length or SHA-256
    /// differ from the manifest's.
    pub fn extract(mut self, to: &Path) -> Result<Manifest, BackupError> {
        let what = || format!("writing {}", to.display());
        let mut out = std::fs::File::create_new(to).map_err(io(what()))?;
        let (sha, bytes) = hash_through(&mut self.reader, &self.path, |chunk| {
            out.write_all(chunk).map_err(io(what()))
        })?;
        out.sync_all().map_err(io(what()))?;
        if bytes != self.manifest.payload_bytes || sha != self.manifest.payload_sha256 {
            return Err(BackupError::Corrupt(format!(
                "the payload is {bytes} bytes with SHA-256 {sha}; the manifest says {} bytes \
                 with {}",
                self.manifest.payload_bytes, self.manifest.payload_sha256
            )));
        }
        Ok(self.manifest)
    }
}
