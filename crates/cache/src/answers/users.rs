//! The answer cache as authentication's [`RememberedUsers`]: the user a token names is read
//! from the store once per [`CacheClass::Users`] TTL, not on every request, and a role change
//! or an ended session drops every remembered user (a new generation of the class, on every
//! replica sharing Redis) before its answer. A store that cannot be read remembers nothing:
//! every request reads its user, as the module docs of `answers` say of any answer.

use async_trait::async_trait;
use driftguard_auth::{ReadUser, RememberedUsers, User};
use driftguard_core::{DomainError, DomainResult, UserId};

use super::{AnswerCache, CacheClass, generation_key};
use crate::store::CacheError;

/// Why a user was not found, kept apart from a user found: only a user found is remembered.
enum NotFound {
    /// No such user.
    Absent,
    /// The store failed.
    Failed(DomainError),
}

/// Whether the generation read `after` an invalidation shows that it replaced the one read
/// `before` it.
fn generation_replaced(before: &Generation, after: &Generation) -> bool {
    match (before, after) {
        (Ok(before), Ok(after)) => after.is_some() && after != before,
        // Unreadable before and readable now: whatever it holds was written since.
        (Err(_), Ok(after)) => after.is_some(),
        (_, Err(_)) => false,
    }
}

/// A generation as read from the store.
type Generation = Result<Option<Vec<u8>>, CacheError>;

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
        // The generation read before and after: a store that could not take the new one (a
        // Redis write timed out, or skipped while the breaker is open) leaves replicas that
        // can still read it answering with what they remember, for up to the TTL. Nothing
        // here can undo that, but it must not go unseen.
        let key = generation_key(CacheClass::Users);
        let before = self.store.get(&key).await;
        self.invalidate(&[CacheClass::Users]).await;
        let after = self.store.get(&key).await;
        if !generation_replaced(&before, &after) {
            tracing::error!(
                class = CacheClass::Users.label(),
                risk = "other replicas may answer with users as remembered before a role change or ended sessions, for up to the users TTL",
                "cache.invalidation_unconfirmed"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn only_a_new_generation_read_back_confirms_the_forgetting() {
        let token = |t: &[u8]| -> Generation { Ok(Some(t.to_vec())) };
        let unreadable = || -> Generation { Err(CacheError::Timeout(Duration::from_millis(100))) };
        assert!(generation_replaced(&token(b"a"), &token(b"b")));
        assert!(generation_replaced(&Ok(None), &token(b"b")));
        assert!(generation_replaced(&unreadable(), &token(b"b")));
        // The write was lost (Redis timed out, or its breaker skipped it).
        assert!(!generation_replaced(&token(b"a"), &token(b"a")));
        assert!(!generation_replaced(&Ok(None), &Ok(None)));
        assert!(!generation_replaced(&token(b"a"), &unreadable()));
        assert!(!generation_replaced(&unreadable(), &unreadable()));
    }
}
