//! How SQLite connections are set up: each pooled connection gets the page cache the settings
//! give it (`database_sqlite_cache_kib`, applied as a negative `PRAGMA cache_size`, which is
//! KiB); SQLite is built with the query planner stability guarantee (`.cargo/config.toml`);
//! and a large commit reaches the database file, its WAL cut back once it starts over.

use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Integer};
use diesel_async::RunQueryDsl;
use driftguard_core::{DomainError, DomainResult};
use driftguard_storage::{Database, DatabaseSettings, settings::sqlite_path, with_conn};
use driftguard_test_kit::TestDatabase;

/// A test database and a pool on it, each connection with a page cache of `cache_kib`.
async fn pool(cache_kib: u32) -> (TestDatabase, Database) {
    let db = TestDatabase::sqlite().await;
    let database = Database::connect(&DatabaseSettings {
        url: db.url.clone(),
        sqlite_cache_kib: cache_kib,
        ..DatabaseSettings::default()
    })
    .expect("SQLite pool");
    (db, database)
}

#[derive(QueryableByName)]
struct CacheSize {
    #[diesel(sql_type = BigInt)]
    cache_size: i64,
}

/// What `PRAGMA cache_size` says on a pooled connection.
async fn cache_size(database: &Database) -> DomainResult<i64> {
    Ok(with_conn!(database, |conn| {
        diesel::sql_query("PRAGMA cache_size")
            .get_result::<CacheSize>(conn)
            .await
            .map_err(|e| DomainError::internal_caused("PRAGMA cache_size", e))?
            .cache_size
    }))
}

#[tokio::test]
async fn every_sqlite_connection_has_the_configured_page_cache() {
    let (_db, database) = pool(300).await;
    assert_eq!(cache_size(&database).await.expect("read"), -300);
}

#[derive(QueryableByName)]
struct Used {
    #[diesel(sql_type = Integer)]
    used: i32,
}

/// Without the guarantee SQLite plans with the value bound to a `LIMIT ?` and then prepares
/// the statement again at every execution, cached or not (docs/performance.md).
#[tokio::test]
async fn sqlite_plans_without_looking_at_bound_values() {
    let (_db, database) = pool(300).await;
    let used = async {
        Ok::<_, DomainError>(with_conn!(&database, |conn| {
            diesel::sql_query("SELECT sqlite_compileoption_used('ENABLE_QPSG') AS used")
                .get_result::<Used>(conn)
                .await
                .map_err(|e| DomainError::internal_caused("compile options", e))?
                .used
        }))
    };
    assert_eq!(
        used.await.expect("read"),
        1,
        "SQLite built without SQLITE_ENABLE_QPSG"
    );
}

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
async fn a_large_commit_reaches_the_database_file_and_its_wal_is_cut_back() {
    let (db, database) = pool(300).await;
    let path = sqlite_path(&db.url).to_owned();
    execute(&database, "CREATE TABLE filler (b BLOB NOT NULL)")
        .await
        .expect("create");
    let before = size(&path);
    // 8 MiB: 2,048 pages, past SQLite's own checkpoint threshold of 1,000.
    execute(&database, "INSERT INTO filler VALUES (zeroblob(8388608))")
        .await
        .expect("insert");
    assert!(size(&path) >= before + (8 << 20), "no checkpoint");
    let wal = format!("{path}-wal");
    assert!(size(&wal) >= 8 << 20, "the WAL held the commit");
    // The next write starts the WAL over, and `journal_size_limit` cuts the file back.
    execute(&database, "INSERT INTO filler VALUES (x'00')")
        .await
        .expect("insert");
    assert!(size(&wal) <= 4 << 20, "the WAL kept {} bytes", size(&wal));
}
