//! How SQLite connections are set up: each pooled connection gets the page cache the settings
//! give it (`database_sqlite_cache_kib`, applied as a negative `PRAGMA cache_size`, which is
//! KiB); SQLite is built with the query planner stability guarantee (`.cargo/config.toml`);
//! a large commit reaches the database file, its WAL cut back once it starts over; and a
//! reference upload's commit leaves that copy to a checkpoint after it.

mod support;

use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Integer};
use diesel_async::RunQueryDsl;
use driftguard_app::{
    DataFormat, NewReference, ReferenceProfile, ReferenceRepository, StoredColumn,
};
use driftguard_core::{DomainError, DomainResult, now};
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

#[derive(QueryableByName)]
struct Autocheckpoint {
    #[diesel(sql_type = BigInt)]
    wal_autocheckpoint: i64,
}

/// A reference upload (150 MB for a million rows) answers once it is committed to the WAL:
/// the checkpoint that copies it into the database file (SQLite's own would run inside the
/// commit) follows in the background, and every connection keeps SQLite's own checkpoint
/// for the commits after it.
#[tokio::test]
async fn a_reference_upload_is_copied_into_the_database_file_after_its_commit() {
    let db = TestDatabase::sqlite().await;
    let store = db.store();
    let path = sqlite_path(&db.url).to_owned();
    let by = support::user(&store).await;
    let model = support::model(&store, by, "large", "1").await;
    let before = size(&path);
    let profile = ReferenceProfile {
        model_id: model.id,
        rows: 1,
        columns: vec![],
        sha256: "aa".into(),
        uploaded_at: now(),
        uploaded_by: by,
        format: DataFormat::Csv,
    };
    let column = StoredColumn {
        name: "x".into(),
        prepared: vec![1; 4 << 20],
        ordered: None,
    };
    store
        .put(NewReference {
            profile,
            compressed: vec![7; 8 << 20],
            columns: vec![column],
        })
        .await
        .expect("put");
    // This test's runtime has one thread, busy here: the checkpoint has not begun.
    assert!(
        size(&path) < before + (8 << 20),
        "checkpointed in the commit"
    );
    assert!(
        size(&format!("{path}-wal")) >= 12 << 20,
        "the WAL holds the commit"
    );
    let mut waited = 0;
    while size(&path) < before + (12 << 20) {
        assert!(waited < 60_000, "no checkpoint after the commit");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        waited += 20;
    }
    // Every connection the pool has opened, held at once so that each is asked.
    let Database::Sqlite(pool) = store.database() else {
        panic!("an SQLite store");
    };
    let mut connections = Vec::new();
    for _ in 0..pool.status().size {
        connections.push(pool.get().await.expect("a connection"));
    }
    for conn in &mut connections {
        let pages = diesel::sql_query("PRAGMA wal_autocheckpoint")
            .get_result::<Autocheckpoint>(&mut **conn)
            .await
            .expect("read")
            .wal_autocheckpoint;
        assert_eq!(pages, 1000);
    }
}
