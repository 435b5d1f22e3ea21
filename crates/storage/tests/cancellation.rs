//! A query cancelled mid-flight on a single-threaded runtime (what every actix worker is)
//! neither panics nor leaves a connection the next query cannot use.

use driftguard_core::Page;
use driftguard_registry::{ModelQuery, ModelRepository};
use driftguard_test_kit::TestDatabase;
use std::time::Duration;

#[tokio::test(flavor = "current_thread")]
async fn cancelled_sqlite_queries_leave_the_pool_usable() {
    let db = TestDatabase::sqlite().await;
    let store = db.store();
    let models: &dyn ModelRepository = &store;
    for _ in 0..50 {
        // Cancelled at its first await, usually while the query runs on the blocking pool.
        let _ = tokio::time::timeout(
            Duration::ZERO,
            models.list(&ModelQuery::default(), Page::default()),
        )
        .await;
        let (page, total) = models
            .list(&ModelQuery::default(), Page::default())
            .await
            .expect("the next query works");
        assert!(page.is_empty());
        assert_eq!(total, 0);
    }
}
