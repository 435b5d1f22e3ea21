//! The `Readiness` port: whether the backing services (the database) can serve requests now.

use async_trait::async_trait;
use driftguard_core::DomainResult;

/// Answers whether DriftGuard can serve requests now.
#[async_trait]
pub trait Readiness: Send + Sync {
    /// `Ok` when every backing service answers; `Unavailable` naming the first that does not.
    async fn check(&self) -> DomainResult<()>;
}
