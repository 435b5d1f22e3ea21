//! SQLite's checkpoint after a write of many megabytes, moved off the request (see
//! `large_transaction!`).
//!
//! In WAL mode a commit goes into the WAL; SQLite's own checkpoint, which the committing
//! connection runs as soon as the WAL holds more than 1,000 pages, copies the pages into the
//! database file and syncs both. After a reference upload that is 150 MB copied and synced
//! inside the request. For that one commit the connection's automatic checkpoint is held, and a
//! passive checkpoint runs on another pooled connection once the answer is on its way.
//!
//! Every other commit keeps SQLite's own checkpoint, which the committing writer runs at
//! once: that is what lets the WAL start over under a steady stream of small writes (a
//! checkpointer thread of its own rarely finds the WAL fully copied and unused, and a full
//! disk filled up once it was the only one). If this checkpoint cannot run or copy
//! everything (a reader still on an old snapshot, another checkpoint running), the next
//! commit's own checkpoint copies the rest.

use crate::db::Database;
use crate::error::{pool_error, query_error};
use diesel_async::SimpleAsyncConnection;
use driftguard_core::DomainResult;

/// SQLite's default `wal_autocheckpoint`, in pages: what every connection runs with.
const AUTOCHECKPOINT_PAGES: u32 = 1000;

/// Holds the automatic checkpoint of `conn`'s next commits, until [`resume_checkpoints`].
pub(crate) async fn hold_checkpoints<C>(conn: &mut C) -> DomainResult<()>
where
    C: SimpleAsyncConnection + Send,
{
    conn.batch_execute("PRAGMA wal_autocheckpoint = 0")
        .await
        .map_err(query_error)
}

/// Gives `conn` back SQLite's own checkpoint. Setting a number cannot fail on a connection
/// that just ran a transaction; if it did, that connection would leave its checkpoints to
/// the other connections' commits, so the error is logged, not returned for a write that
/// was committed.
pub(crate) async fn resume_checkpoints<C>(conn: &mut C)
where
    C: SimpleAsyncConnection + Send,
{
    let pragma = format!("PRAGMA wal_autocheckpoint = {AUTOCHECKPOINT_PAGES}");
    if let Err(error) = conn.batch_execute(&pragma).await {
        tracing::error!(error = %error, "could not restore SQLite's automatic checkpoint on a connection");
    }
}

/// Copies the WAL into the database file in the background, on a pooled connection, without
/// waiting for readers or writers (a passive checkpoint). The next writer then starts the
/// WAL over, and `journal_size_limit` cuts it back.
pub(crate) fn checkpoint_soon(database: &Database) {
    let Database::Sqlite(pool) = database else {
        return;
    };
    let pool = pool.clone();
    tokio::spawn(async move {
        let done = async {
            let mut conn = pool.get().await.map_err(pool_error)?;
            conn.batch_execute("PRAGMA wal_checkpoint(PASSIVE)")
                .await
                .map_err(query_error)
        };
        if let Err(error) = done.await {
            tracing::warn!(error = %error, "the checkpoint after a large write failed; the next commit's checkpoint copies the WAL");
        }
    });
}
