//! The `UserRepository` port: how the auth use cases reach stored users. Adapters live in
//! the storage crate; its contract suite runs against each of them.

use crate::roles::{RoleChange, RoleChangeRecord};
use crate::user::{NewUser, User};
use async_trait::async_trait;
use driftguard_core::{DomainResult, Page, Timestamp, UserId};

/// Stored users.
#[async_trait]
pub trait UserRepository: Send + Sync {
    /// Inserts a user; a taken email is a `Conflict`.
    async fn create(&self, user: NewUser) -> DomainResult<User>;
    /// The user with this (normalised) email, if any.
    async fn find_by_email(&self, email: &str) -> DomainResult<Option<User>>;
    /// The user with this id, if any.
    async fn find_by_id(&self, id: UserId) -> DomainResult<Option<User>>;
    /// A page of users ordered by id, and the total count.
    async fn list(&self, page: Page) -> DomainResult<(Vec<User>, u64)>;
    /// Changes a user's role and records the change (whom, by whom, from, to, when) in the
    /// same transaction. A change that takes the admin role from the last admin is refused
    /// (`Conflict`, [`crate::roles::ensure_an_admin_remains`]), the admins counted in that
    /// transaction under a lock that concurrent role changes also take. Giving a user the
    /// role they have changes and records nothing. `NotFound` when there is no such user.
    async fn set_role(&self, change: RoleChange) -> DomainResult<User>;
    /// A page of a user's recorded role changes, newest first, and their total; `NotFound`
    /// when there is no such user.
    async fn role_changes(
        &self,
        user_id: UserId,
        page: Page,
    ) -> DomainResult<(Vec<RoleChangeRecord>, u64)>;
    /// Refuses every token of this user issued up to `at`: sets `tokens_valid_after` to `at`,
    /// unless it is already later (a revocation is never undone by an earlier one).
    /// `NotFound` when there is no such user.
    async fn end_sessions(&self, user_id: UserId, at: Timestamp) -> DomainResult<()>;
    /// How many users exist (bootstrap checks for an empty database).
    async fn count(&self) -> DomainResult<u64>;
}
