//! The `UserRepository` port: how the auth use cases reach stored users. Adapters live in
//! the storage crate; its contract suite runs against each of them.

use crate::user::{NewUser, User};
use async_trait::async_trait;
use driftguard_core::{DomainResult, Page, Role};

/// Stored users.
#[async_trait]
pub trait UserRepository: Send + Sync {
    /// Inserts a user; a taken email is a `Conflict`.
    async fn create(&self, user: NewUser) -> DomainResult<User>;
    /// The user with this (normalised) email, if any.
    async fn find_by_email(&self, email: &str) -> DomainResult<Option<User>>;
    /// The user with this id, if any.
    async fn find_by_id(&self, id: i64) -> DomainResult<Option<User>>;
    /// A page of users ordered by id, and the total count.
    async fn list(&self, page: Page) -> DomainResult<(Vec<User>, u64)>;
    /// Changes a user's role; `NotFound` when there is no such user.
    async fn set_role(&self, id: i64, role: Role) -> DomainResult<User>;
    /// How many users exist (bootstrap checks for an empty database).
    async fn count(&self) -> DomainResult<u64>;
}
