//! The store: one handle on the database that implements every storage port.

use crate::db::Database;
use driftguard_audit::ChainKey;

/// Implements every storage port over one database pool.
#[derive(Clone, Debug)]
pub struct Store {
    db: Database,
    chain_key: ChainKey,
}

impl Store {
    /// A store over this pool, signing the checkpoints of history appends with `chain_key`.
    pub fn new(db: Database, chain_key: ChainKey) -> Self {
        Self { db, chain_key }
    }

    /// The pool underneath (health checks, gauges).
    pub fn database(&self) -> &Database {
        &self.db
    }

    /// The key history appends sign their checkpoints with.
    pub(crate) fn chain_key(&self) -> &ChainKey {
        &self.chain_key
    }
}

#[async_trait::async_trait]
impl driftguard_app::Readiness for Store {
    async fn check(&self) -> driftguard_core::DomainResult<()> {
        self.db.ping().await
    }
}
