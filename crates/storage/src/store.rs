//! The store: one handle on the database that implements every storage port.

use crate::db::Database;

/// Implements every storage port over one database pool.
#[derive(Clone, Debug)]
pub struct Store {
    db: Database,
}

impl Store {
    /// A store over this pool.
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    /// The pool underneath (health checks, gauges).
    pub fn database(&self) -> &Database {
        &self.db
    }
}

#[async_trait::async_trait]
impl driftguard_app::Readiness for Store {
    async fn check(&self) -> driftguard_core::DomainResult<()> {
        self.db.ping().await
    }
}
