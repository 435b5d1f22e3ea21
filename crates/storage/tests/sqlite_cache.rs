//! Each pooled SQLite connection gets the page cache the settings give it
//! (`database_sqlite_cache_kib`, applied as a negative `PRAGMA cache_size`, which is KiB).

use diesel::QueryableByName;
use diesel::sql_types::BigInt;
use diesel_async::RunQueryDsl;
use driftguard_core::{DomainError, DomainResult};
use driftguard_storage::{Database, DatabaseSettings, with_conn};
use driftguard_test_kit::TestDatabase;

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
    let db = TestDatabase::sqlite().await;
    let database = Database::connect(&DatabaseSettings {
        url: db.url.clone(),
        sqlite_cache_kib: 300,
        ..DatabaseSettings::default()
    })
    .expect("SQLite pool");
    assert_eq!(cache_size(&database).await.expect("read"), -300);
}
