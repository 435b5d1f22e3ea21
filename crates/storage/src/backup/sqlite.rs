//! SQLite: `VACUUM INTO` copies the database as one read transaction sees it, so the server
//! keeps writing (WAL) while the copy is made and the copy is consistent. Restore builds the
//! database in a file beside the target and renames it into place only once it is checked
//! and migrated, so that the target is either untouched or whole.

use super::manifest::Opened;
use super::{BackupError, Facts, Manifest, ensure_empty, ensure_matches, work_folder_beside};
use crate::db::SqliteConn;
use crate::migrate;
use crate::settings::{Backend, ensure_sqlite_folder, sqlite_path};
use diesel::Connection;
use diesel::connection::SimpleConnection;
use diesel::sql_types::Text;
use diesel_async::RunQueryDsl;
use std::path::{Path, PathBuf};

/// A connection of its own to the SQLite file at `path` (which must exist: SQLite would
/// otherwise make an empty one), waiting for locks rather than failing on them.
async fn open(path: &Path) -> Result<SqliteConn, BackupError> {
    if !path.is_file() {
        return Err(BackupError::NoDatabase(path.to_owned()));
    }
    let path = path.to_string_lossy().into_owned();
    tokio::task::spawn_blocking(move || -> Result<SqliteConn, BackupError> {
        let mut conn = diesel::SqliteConnection::establish(&path)?;
        conn.batch_execute("PRAGMA busy_timeout = 10000;")?;
        Ok(SqliteConn::new(conn))
    })
    .await
    .map_err(|e| BackupError::Database(e.to_string()))?
}

async fn facts_of(path: &Path) -> Result<Facts, BackupError> {
    let mut conn = open(path).await?;
    let conn = &mut conn;
    Ok(read_facts!(conn, Backend::Sqlite)?)
}

/// Copies the database at `url` into the new file `payload` and answers the copy's facts.
pub(super) async fn snapshot(url: &str, payload: &Path) -> Result<Facts, BackupError> {
    let mut conn = open(Path::new(sqlite_path(url))).await?;
    diesel::sql_query("VACUUM INTO ?")
        .bind::<Text, _>(payload.to_string_lossy().into_owned())
        .execute(&mut conn)
        .await?;
    drop(conn);
    // Read from the copy, not the live file: these are the snapshot's own head and counts.
    facts_of(payload).await
}

/// `path` with `suffix` appended to its file name (SQLite's `-wal` and `-shm` files).
fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Restores `opened` into the SQLite database at `url`; answers the manifest and the
/// migrations applied to bring it forward.
pub(super) async fn restore(
    url: &str,
    opened: Opened,
) -> Result<(Manifest, Vec<String>), BackupError> {
    let target = PathBuf::from(sqlite_path(url));
    if target.exists() {
        ensure_empty(&facts_of(&target).await?)?;
    }
    ensure_sqlite_folder(url).map_err(|source| BackupError::Io {
        what: format!("making the folder of {}", target.display()),
        source,
    })?;
    let work = work_folder_beside(&target, ".driftguard-restore-")?;
    let restored = work.path().join("restored.db");
    let manifest = opened.extract(&restored)?;
    check_integrity(&restored).await?;
    ensure_matches(&facts_of(&restored).await?, &manifest)?;
    let migrated = migrate::run_pending(&format!("sqlite://{}", restored.display())).await?;
    // An empty target's leftover WAL must not be replayed onto the restored file.
    for suffix in ["-wal", "-shm"] {
        match std::fs::remove_file(beside(&target, suffix)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(BackupError::Io {
                    what: format!("removing {}", beside(&target, suffix).display()),
                    source: e,
                });
            }
            _ => {}
        }
    }
    std::fs::rename(&restored, &target).map_err(|source| BackupError::Io {
        what: format!("moving the restored database to {}", target.display()),
        source,
    })?;
    Ok((manifest, migrated))
}

/// Refuses a payload that SQLite itself finds damaged (a hand-made file whose hash matches).
async fn check_integrity(path: &Path) -> Result<(), BackupError> {
    #[derive(diesel::QueryableByName)]
    struct Check {
        #[diesel(sql_type = Text)]
        quick_check: String,
    }
    let mut conn = open(path).await?;
    let answer = diesel::sql_query("PRAGMA quick_check")
        .get_result::<Check>(&mut conn)
        .await
        .map_err(|e| BackupError::Corrupt(format!("the database does not open: {e}")))?;
    match answer.quick_check.as_str() {
        "ok" => Ok(()),
        other => Err(BackupError::Corrupt(format!("SQLite's check says {other}"))),
    }
}
