//! The `PolicyRepository` port: how governance reaches stored, versioned policies.
//!
//! Contract every adapter keeps (one contract suite runs against each):
//! - a policy is a sequence of versions sharing one id; version 1 is written by `create`,
//!   each `update` appends version n + 1 and never changes an older one, so an evaluation or
//!   deployment that recorded `{policy_id, version}` can always read what judged it;
//! - `get`, `list` and `active_for_tier` return each policy's latest version; `active` is a
//!   property of the policy (not of a version) and every version reports its current value;
//! - callers validate drafts ([`PolicyDraft::validate`]) before handing them over; adapters
//!   store them as they are;
//! - a missing policy is `Ok(None)` from the readers and `DomainError::NotFound` from the
//!   writers.

use async_trait::async_trait;
use driftguard_core::{DomainResult, Page, PolicyId, RiskTier, UserId};

use crate::policy::{Policy, PolicyDraft};

/// Stored policies and all their versions.
#[async_trait]
pub trait PolicyRepository: Send + Sync {
    /// Stores a validated draft as version 1 of a new, active policy.
    async fn create(&self, draft: PolicyDraft, created_by: Option<UserId>) -> DomainResult<Policy>;

    /// The latest version of a policy, if there is one.
    async fn get(&self, id: PolicyId) -> DomainResult<Option<Policy>>;

    /// A page of policies (latest versions, active or not) in id order, and how many there
    /// are in all.
    async fn list(&self, page: Page) -> DomainResult<(Vec<Policy>, u64)>;

    /// Writes a validated draft as the next version of a policy and returns it; `updated_at`
    /// is now, `created_at` and `created_by` stay those of version 1.
    async fn update(&self, id: PolicyId, draft: PolicyDraft) -> DomainResult<Policy>;

    /// Every version of a policy, oldest first; empty when there is no such policy.
    async fn versions(&self, id: PolicyId) -> DomainResult<Vec<Policy>>;

    /// Switches a policy on or off: a change writes the next version, the current one with
    /// `active` changed; setting what already holds writes nothing (`DELETE /policies/{id}`
    /// switches it off: its versions stay readable because evaluations refer to them).
    /// Returns the latest version.
    async fn set_active(&self, id: PolicyId, active: bool) -> DomainResult<Policy>;

    /// The latest versions of the active policies that apply to `tier` (an empty tier list
    /// applies to every tier), in id order. This is what a deploy is judged by.
    async fn active_for_tier(&self, tier: RiskTier) -> DomainResult<Vec<Policy>>;
}
