//! SQLite's WAL checkpoints beside the pool (issue #17 part 2).
//!
//! SQLite checkpoints in the connection whose commit takes the WAL past 1,000 pages: that
//! request copies the WAL into the database file before it answers. A thread of the pool's
//! own also checkpoints (`PASSIVE`: it never waits for a reader or the writer) every
//! [`INTERVAL`], on a connection of its own, for as long as the pool lives, so that small
//! commits rarely find a WAL to copy. Leaving checkpoints to this thread alone (SQLite's own
//! threshold at 1 GiB) took the upload's checkpoint off its path, but under a steady stream
//! of commits the WAL then never started over (it filled the disk-full drill's disk), and
//! making it start over from this thread (a RESTART checkpoint) stalled writers for seconds
//! (the redis-kill drill's seeding timed out); both are recorded in docs/performance.md.

use deadpool::managed::{Manager, WeakPool};
use diesel::connection::SimpleConnection;
use diesel::{Connection, SqliteConnection};
use std::time::Duration;

/// How often the thread checkpoints: often enough that many small commits do not grow the
/// WAL past what SQLite's own checkpoint let it (about 4 MiB), which a small disk noticed
/// (the disk-full drill's 16 MiB, at half a second); a checkpoint with nothing to copy costs
/// microseconds.
pub const INTERVAL: Duration = Duration::from_millis(100);

/// The WAL size, in pages, at which a committing connection checkpoints: SQLite's own
/// default, the one turn at which the WAL reliably starts over under a stream of commits.
pub const SAFETY_NET_PAGES: u32 = 1000;

/// The WAL file's size once a checkpoint has let it start over: a large write's WAL (an
/// upload's, hundreds of MiB) is truncated to this rather than kept on disk; about what
/// SQLite's own checkpoint at 1,000 pages kept it to.
pub const JOURNAL_SIZE_LIMIT: u64 = 4 << 20;

/// The pragmas each pooled connection runs.
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
