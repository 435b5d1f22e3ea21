//! The `ChangeFeed` port: what a committed write changed, announced by the use case that
//! made it, so that whatever keeps derived answers (the answer cache, on every replica that
//! shares it) can drop them — whichever front end (HTTP, UI, CLI, a linked Rust service)
//! called the use case.

use async_trait::async_trait;

/// What a write changed, in the domain's terms (not in cache keys or routes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Change {
    /// A model version was registered or edited: counts by status and tier.
    Model,
    /// A model's reference data was uploaded or replaced: its `has_reference`, and its
    /// `updated_at` (the order of model lists by last change).
    Reference,
    /// A model version was deleted, and its evaluations with it.
    ModelRemoved,
    /// An evaluation was recorded: a model's latest result and the risk over time.
    Evaluation,
    /// A deployment was recorded: deployed, overridden, blocked, or retired.
    Deployment,
    /// A policy was created, edited, activated or deleted.
    Policy,
}

/// Where use cases announce their changes. Implementations must not fail the write: an
/// announcement that cannot be delivered is theirs to log.
#[async_trait]
pub trait ChangeFeed: Send + Sync {
    /// These changes have been committed (or may have been: announcing once too often
    /// costs only a recomputation). Returns once readers of this process, and of every
    /// replica the feed reaches, no longer see answers from before them.
    async fn changed(&self, changes: &[Change]);
}

/// Announces to nobody (tests, the offline tools).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoChangeFeed;

#[async_trait]
impl ChangeFeed for NoChangeFeed {
    async fn changed(&self, _changes: &[Change]) {}
}
