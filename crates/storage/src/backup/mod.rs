//! Backup and restore of the whole database while the server keeps serving: SQLite through
//! `VACUUM INTO`, PostgreSQL through `pg_dump`/`pg_restore` in custom format; both wrapped in
//! one file format with a manifest ([`manifest`]) that restore checks before and after it
//! writes anything. `docs/operations.md` has the runbook.

#[macro_use]
mod facts;
pub mod manifest;
mod postgres;
mod sqlite;

use crate::migrate;
use crate::settings::Backend;
pub use facts::Facts;
pub use manifest::{Head, Manifest};
use std::path::{Path, PathBuf};

/// Why a backup or a restore did not happen.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// A file could not be read or written.
    #[error("{what}")]
    Io {
        /// What was being done.
        what: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The output file exists.
    #[error("{} exists; pass --force to overwrite it", .0.display())]
    Exists(PathBuf),
    /// The SQLite database to back up is not there.
    #[error("there is no SQLite database at {}", .0.display())]
    NoDatabase(PathBuf),
    /// The file does not start like a backup.
    #[error("{} is not a DriftGuard backup (it does not start with DRIFTGUARD-BACKUP)", .0.display())]
    NotABackup(PathBuf),
    /// A manifest format this build does not know.
    #[error("the backup's format version {0} is not one this DriftGuard reads (it reads {v})", v = manifest::FORMAT_VERSION)]
    UnsupportedFormat(u32),
    /// The file is damaged.
    #[error("the backup is damaged, nothing was restored: {0}")]
    Corrupt(String),
    /// The backup is of the other backend.
    #[error(
        "this is a {backup} backup; the target database is {target}: restore it into a {backup} database"
    )]
    WrongBackend {
        /// The backup's backend.
        backup: String,
        /// The target's backend.
        target: Backend,
    },
    /// The backup's schema is newer than this build's migrations.
    #[error(
        "the backup is at migration {backup}, newer than this DriftGuard knows ({known}): restore it with the DriftGuard version that took it ({version}) or a later one"
    )]
    NewerSchema {
        /// The backup's migration version.
        backup: String,
        /// The newest migration this build has.
        known: String,
        /// The version that took the backup.
        version: String,
    },
    /// The target holds data.
    #[error(
        "the target database already holds data ({0}); restore only into an empty database (nothing was changed)"
    )]
    NotEmpty(String),
    /// The restored copy is not what the manifest describes.
    #[error("the restored database differs from the backup's manifest: {0}")]
    Mismatch(String),
    /// A client tool is missing.
    #[error(
        "{0} was not found on the PATH: install the PostgreSQL client tools of the server's major version or newer (Debian/Ubuntu: apt install postgresql-client)"
    )]
    ToolMissing(&'static str),
    /// A client tool failed.
    #[error("{tool} failed ({status}): {stderr}")]
    ToolFailed {
        /// The tool.
        tool: &'static str,
        /// Its exit status.
        status: String,
        /// What it printed on standard error.
        stderr: String,
    },
    /// A query failed, or the database could not be reached.
    #[error("database: {0}")]
    Database(String),
}

impl From<diesel::result::Error> for BackupError {
    fn from(e: diesel::result::Error) -> Self {
        BackupError::Database(e.to_string())
    }
}

impl From<diesel::ConnectionError> for BackupError {
    fn from(e: diesel::ConnectionError) -> Self {
        BackupError::Database(e.to_string())
    }
}

impl From<driftguard_core::DomainError> for BackupError {
    fn from(e: driftguard_core::DomainError) -> Self {
        BackupError::Database(e.to_string())
    }
}

/// What a restore did.
#[derive(Debug, Clone)]
pub struct Restored {
    /// The backup's manifest (its `head` is the restored history's head).
    pub manifest: Manifest,
    /// Migrations applied after the restore, to bring an older backup forward.
    pub migrated: Vec<String>,
}

/// Backs up the database at `url` to the file `out` (refused if it exists, unless `force`),
/// while the database keeps serving; answers the manifest written.
pub async fn backup(url: &str, out: &Path, force: bool) -> Result<Manifest, BackupError> {
    if !force && out.exists() {
        return Err(BackupError::Exists(out.to_owned()));
    }
    // Built beside the output and renamed onto it, so that a failed backup leaves nothing and
    // a file under that name is always whole.
    let work = work_folder_beside(out, ".driftguard-backup-")?;
    let payload = work.path().join("payload");
    let backend = Backend::of_url(url);
    let facts = match backend {
        Backend::Sqlite => sqlite::snapshot(url, &payload).await?,
        Backend::Postgres => postgres::snapshot(url, &payload).await?,
    };
    let Some(migration_version) = facts.migration_version else {
        return Err(BackupError::Database(
            "the database was never migrated: it holds no DriftGuard data to back up".into(),
        ));
    };
    let (payload_sha256, payload_bytes) = manifest::digest(&payload)?;
    let manifest = Manifest {
        format_version: manifest::FORMAT_VERSION,
        backend: backend.as_str().to_owned(),
        migration_version,
        head: facts.head,
        rows: facts.rows,
        created_at: chrono::Utc::now(),
        driftguard_version: env!("CARGO_PKG_VERSION").to_owned(),
        payload_bytes,
        payload_sha256,
    };
    let built = work.path().join("backup");
    manifest::write(&built, &manifest, &payload)?;
    publish(&built, out, force)?;
    Ok(manifest)
}

/// A temporary folder in the folder of `path` (so that a rename from it onto `path` stays on
/// one file system), removed with whatever is in it when dropped, as on any error.
fn work_folder_beside(path: &Path, prefix: &str) -> Result<tempfile::TempDir, BackupError> {
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir_in(folder)
        .map_err(|source| BackupError::Io {
            what: format!("making a work folder in {}", folder.display()),
            source,
        })
}

/// Moves the finished backup onto `out`: a hard link when it must not overwrite (which fails
/// if `out` appeared meanwhile), a rename when it may.
fn publish(built: &Path, out: &Path, force: bool) -> Result<(), BackupError> {
    let result = if force {
        std::fs::rename(built, out)
    } else {
        std::fs::hard_link(built, out)
    };
    result.map_err(|source| match source.kind() {
        std::io::ErrorKind::AlreadyExists => BackupError::Exists(out.to_owned()),
        _ => BackupError::Io {
            what: format!("writing {}", out.display()),
            source,
        },
    })
}

/// Restores the backup `file` into the database at `url`, which must hold no data, and
/// migrates it forward when the backup is older than this build. Refuses a file that is not
/// a backup, is damaged, is of the other backend or of a newer schema, before writing.
pub async fn restore(url: &str, file: &Path) -> Result<Restored, BackupError> {
    let opened = manifest::open(file)?;
    let backend = Backend::of_url(url);
    let manifest = &opened.manifest;
    if manifest.backend != backend.as_str() {
        return Err(BackupError::WrongBackend {
            backup: manifest.backend.clone(),
            target: backend,
        });
    }
    let known = migrate::known_versions(backend);
    if !known.contains(&manifest.migration_version) {
        return Err(BackupError::NewerSchema {
            backup: manifest.migration_version.clone(),
            known: known.last().cloned().unwrap_or_default(),
            version: manifest.driftguard_version.clone(),
        });
    }
    let (manifest, migrated) = match backend {
        Backend::Sqlite => sqlite::restore(url, opened).await?,
        Backend::Postgres => postgres::restore(url, opened).await?,
    };
    Ok(Restored { manifest, migrated })
}

/// Refuses a target that holds data.
fn ensure_empty(target: &Facts) -> Result<(), BackupError> {
    match target.data_held() {
        Some(held) => Err(BackupError::NotEmpty(held)),
        None => Ok(()),
    }
}

/// Refuses a restored copy that is not the backup's snapshot.
fn ensure_matches(restored: &Facts, manifest: &Manifest) -> Result<(), BackupError> {
    match restored.differs_from(manifest) {
        Some(difference) => Err(BackupError::Mismatch(difference)),
        None => Ok(()),
    }
}
