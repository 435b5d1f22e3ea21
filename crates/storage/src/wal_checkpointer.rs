//! SQLite's WAL checkpoints, off the request path (issue #17 part 2).
//!
//! By default SQLite checkpoints in the connection whose commit takes the WAL past 1,000
//! pages: that request then copies every page of the WAL into the database file before it
//! answers (a reference upload, some 200 MB of prepared columns, waited seconds for it). The
//! pool's connections leave checkpoints to a thread of their own, which checkpoints
//! (`PASSIVE`: it never waits for a reader or the writer) once a [`INTERVAL`], on a connection
//! of its own, for as long as the pool lives. [`SAFETY_NET_PAGES`] keeps SQLite's own
//! checkpoint as a backstop should this thread fall behind or fail.

use deadpool::managed::{Manager, WeakPool};
use diesel::connection::SimpleConnection;
use diesel::{Connection, SqliteConnection};
use std::time::Duration;

/// How often the thread checkpoints.
pub const INTERVAL: Duration = Duration::from_millis(500);

/// The WAL size, in pages, at which a committing connection checkpoints anyway (1 GiB of
/// 4 KiB pages: past any one upload's writes, so never on the request path while this
/// thread keeps up).
pub const SAFETY_NET_PAGES: u32 = 262_144;

/// The WAL file's size once a checkpoint has let it start over: a large write's WAL is
/// truncated to this rather than kept on disk.
pub const JOURNAL_SIZE_LIMIT: u64 = 64 << 20;

/// The pragmas each pooled connection runs: checkpoints left to the thread, bar the safety net.
pub fn pragmas() -> String {
    format!(
        "PRAGMA wal_autocheckpoint = {SAFETY_NET_PAGES}; \
         PRAGMA journal_size_limit = {JOURNAL_SIZE_LIMIT};"
    )
}

/// Starts the thread that checkpoints the database at `path` while `pool` lives. The thread
/// opens its connection once the file exists (the first pooled connection makes it: a pool
/// never used leaves no file behind), and ends at the first tick after the pool is dropped.
pub fn spawn<M: Manager + 'static>(path: String, pool: WeakPool<M>) -> std::io::Result<()>
where
    M::Type: Send,
    M::Error: Send,
{
    std::thread::Builder::new()
        .name("sqlite-checkpoint".into())
        .spawn(move || {
            let mut conn: Option<SqliteConnection> = None;
            loop {
                std::thread::sleep(INTERVAL);
                if pool.upgrade().is_none() {
                    return;
                }
                if conn.is_none() && !std::path::Path::new(&path).exists() {
                    continue;
                }
                if let Err(e) = checkpoint(&path, &mut conn) {
                    // The safety net checkpoints meanwhile; a new connection is tried next time.
                    tracing::warn!(error = %e, "the WAL checkpoint failed");
                    conn = None;
                }
            }
        })
        .map(|_| ())
}

/// One passive checkpoint, on `conn` (opened if it is not yet).
fn checkpoint(
    path: &str,
    conn: &mut Option<SqliteConnection>,
) -> Result<(), Box<dyn std::error::Error>> {
    let conn = match conn {
        Some(conn) => conn,
        None => {
            let mut opened = SqliteConnection::establish(path)?;
            opened.batch_execute(&format!("PRAGMA busy_timeout = 1000; {}", pragmas()))?;
            conn.insert(opened)
        }
    };
    conn.batch_execute("PRAGMA wal_checkpoint(PASSIVE);")?;
    Ok(())
}
