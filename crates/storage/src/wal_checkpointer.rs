//! SQLite's WAL checkpoints, off the request path (issue #17 part 2).
//!
//! By default SQLite checkpoints in the connection whose commit takes the WAL past 1,000
//! pages: that request then copies every page of the WAL into the database file before it
//! answers (a reference upload, some 200 MB of prepared columns, waited seconds for it). The
//! pool's connections leave checkpoints to a thread of their own, which checkpoints
//! (`PASSIVE`: it never waits for a reader or the writer) every [`INTERVAL`], on a connection
//! of its own, for as long as the pool lives. [`SAFETY_NET_PAGES`] keeps SQLite's own
//! checkpoint as a backstop should this thread fall behind or fail.

use deadpool::managed::{Manager, WeakPool};
use diesel::connection::SimpleConnection;
use diesel::sql_types::Integer;
use diesel::{Connection, QueryableByName, RunQueryDsl, SqliteConnection};
use std::time::Duration;

/// How often the thread checkpoints: often enough that many small commits do not grow the
/// WAL past what SQLite's own checkpoint let it (about 4 MiB), which a small disk noticed
/// (the disk-full drill's 16 MiB, at half a second); a checkpoint with nothing to copy costs
/// microseconds.
pub const INTERVAL: Duration = Duration::from_millis(100);

/// The WAL's size, in frames, past which the thread makes it start over: SQLite's own
/// checkpoint threshold, which kept the WAL file at about 4 MiB.
const RESTART_FRAMES: i32 = 1000;

/// The WAL size, in pages, at which a committing connection checkpoints anyway (1 GiB of
/// 4 KiB pages: past any one upload's writes, so never on the request path while this
/// thread keeps up).
pub const SAFETY_NET_PAGES: u32 = 262_144;

/// The WAL file's size once a checkpoint has let it start over: a large write's WAL (an
/// upload's, hundreds of MiB) is truncated to this rather than kept on disk; about what
/// SQLite's own checkpoint at 1,000 pages kept it to.
pub const JOURNAL_SIZE_LIMIT: u64 = 4 << 20;

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

/// What `PRAGMA wal_checkpoint` answers.
#[derive(QueryableByName)]
struct Checkpointed {
    /// Frames in the WAL.
    #[diesel(sql_type = Integer)]
    log: i32,
}

/// One passive checkpoint, on `conn` (opened if it is not yet); then, when the WAL holds
/// [`RESTART_FRAMES`] or more, a checkpoint that lets it start over.
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
    let passive: Checkpointed =
        diesel::sql_query("PRAGMA wal_checkpoint(PASSIVE)").get_result(conn)?;
    if passive.log >= RESTART_FRAMES {
        // The WAL starts over only when a writer begins after a checkpoint of every frame
        // and before any other commit: SQLite's own checkpoint, run by the writer right
        // after its commit, gets that turn; one from this thread, under a steady stream of
        // commits, almost never does. RESTART waits (the busy timeout) for the readers of
        // the WAL to finish, holding new writers back meanwhile: milliseconds, past the size
        // SQLite's own checkpoint would have run at.
        diesel::sql_query("PRAGMA wal_checkpoint(RESTART)").execute(conn)?;
    }
    Ok(())
}
