//! SQLite's WAL checkpoints run on a thread of the pool's own, not in the committing
//! request: a large commit stays in the WAL when it returns, and reaches the database file
//! shortly after, with nothing else done on the database.

use diesel_async::RunQueryDsl;
use driftguard_core::{DomainError, DomainResult};
use driftguard_storage::{Database, DatabaseSettings, settings::sqlite_path, with_conn};
use driftguard_test_kit::TestDatabase;
use std::time::{Duration, Instant};

async fn execute(database: &Database, sql: &str) -> DomainResult<()> {
    with_conn!(database, |conn| {
        diesel::sql_query(sql)
            .execute(conn)
            .await
            .map_err(|e| DomainError::internal_caused(sql.to_owned(), e))?;
    });
    Ok(())
}

fn size(path: &str) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

#[tokio::test]
async fn a_large_commit_is_checkpointed_off_the_request_path() {
    let db = TestDatabase::sqlite().await;
    let database = Database::connect(&DatabaseSettings {
        url: db.url.clone(),
        ..DatabaseSettings::default()
    })
    .expect("SQLite pool");
    let path = sqlite_path(&db.url).to_owned();
    execute(&database, "CREATE TABLE filler (b BLOB NOT NULL)")
        .await
        .expect("create");
    let before = size(&path);
    // 8 MiB: 2,048 pages, past SQLite's own checkpoint threshold of 1,000.
    execute(&database, "INSERT INTO filler VALUES (zeroblob(8388608))")
        .await
        .expect("insert");
    let wal = format!("{path}-wal");
    assert!(
        size(&wal) >= 8 << 20,
        "the commit is in the WAL: {} bytes",
        size(&wal)
    );
    assert!(
        size(&path) < before + (8 << 20),
        "the committing connection did not checkpoint"
    );
    // The checkpointer runs every half second; a generous deadline for a loaded machine.
    let deadline = Instant::now() + Duration::from_secs(30);
    while size(&path) < before + (8 << 20) {
        assert!(Instant::now() < deadline, "no checkpoint within 30 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
