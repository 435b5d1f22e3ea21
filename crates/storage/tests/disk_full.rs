//! A database with no space left answers `StorageFull` (507 at the edge), never an internal
//! error, writes nothing half, and takes writes again once space returns — without a new
//! pool. SQLite's `max_page_count` stands in for a full disk here (the same `SQLITE_FULL`);
//! `cargo xtask drill disk-full` fills a real filesystem under the release binary.

use driftguard_core::{DomainError, Page, RiskTier, Role, Task};
use driftguard_registry::{ModelQuery, ModelRepository, NewModel};
use driftguard_storage::{Database, DatabaseSettings, Store};
use driftguard_test_kit::{TestDatabase, chain_key, raw};

/// Most models tried before the page limit must have been reached.
const ATTEMPTS: usize = 5_000;

#[tokio::test]
async fn a_full_sqlite_database_is_storage_full_and_recovers() {
    let db = TestDatabase::sqlite().await;
    // One connection, so that the per-connection page limit holds for every query.
    let database = Database::connect(&DatabaseSettings {
        url: db.url.clone(),
        pool_size: 1,
        max_connections: 1,
        ..DatabaseSettings::default()
    })
    .expect("SQLite pool");
    let store = Store::new(database, chain_key());
    let owner = driftguard_test_kit::user(&store, "owner@example.com", Role::Engineer).await;
    let models: &dyn ModelRepository = &store;
    let new = |i: usize| NewModel::new("filler", format!("{i}"), Task::Regression, RiskTier::Low);

    // The limit cannot go below the pages in use: this pins the file at its size now.
    raw(&store, "PRAGMA max_page_count = 1")
        .await
        .expect("page limit");
    let mut stored = 0;
    let full = loop {
        assert!(stored < ATTEMPTS, "{ATTEMPTS} models fitted in a full file");
        match models.create(new(stored), owner).await {
            Ok(_) => stored += 1,
            Err(e) => break e,
        }
    };
    assert!(
        matches!(full, DomainError::StorageFull { .. }),
        "a full database is StorageFull, not {full:?}"
    );
    assert_eq!(full.log_event(), "database.query_error");
    let (_, total) = models
        .list(&ModelQuery::default(), Page::default())
        .await
        .expect("reads go on while full");
    assert_eq!(
        total, stored as u64,
        "the refused write left nothing behind"
    );

    raw(&store, "PRAGMA max_page_count = 1073741823")
        .await
        .expect("space returns");
    models
        .create(new(stored), owner)
        .await
        .expect("writes work again on the same pool");
}
