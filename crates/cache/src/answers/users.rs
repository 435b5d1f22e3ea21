//! The answer cache as authentication's [`RememberedUsers`]: the user a token names is read
//! from the store once per [`CacheClass::Users`] TTL, not on every request, and a role change
//! or an ended session drops every remembered user (a new generation of the class, on every
//! replica sharing Redis) before its answer. A store that cannot be read remembers nothing:
//! every request reads its user, as the module docs of `answers` say of any answer.

use async_trait::async_trait;
use driftguard_auth::{ReadUser, RememberedUsers, User};
use driftguard_core::{DomainError, DomainResult, UserId};

use super::{AnswerCache, CacheClass};

/// Why a user was not found, kept apart from a user found: only a user found is remembered.
enum NotFound {
    /// No such user.
    Absent,
    /// The store failed.
    Failed(DomainError),
}

#[async_trait]
impl RememberedUsers for AnswerCache {
    async fn user(&self, id: UserId, read: ReadUser<'_>) -> DomainResult<Option<User>> {
        let read = async {
            match read.await {
                Ok(Some(user)) => Ok(user),
                Ok(None) => Err(NotFound::Absent),
                Err(error) => Err(NotFound::Failed(error)),
            }
        };
        match self
            .get_or_compute(CacheClass::Users, &id.to_string(), || read)
            .await
        {
            Ok((user, _)) => Ok(Some(user)),
            Err(NotFound::Absent) => Ok(None),
            Err(NotFound::Failed(error)) => Err(error),
        }
    }

    async fn forget(&self) {
        self.invalidate(&[CacheClass::Users]).await;
    }
}
