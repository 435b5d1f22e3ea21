//! The `RememberedUsers` port: the users that tokens name, as authentication read them,
//! remembered between requests so that a request need not read its user from the database.
//!
//! A role change or the end of a user's sessions must still take effect on the next request,
//! on every replica: the use cases that make those changes call [`RememberedUsers::forget`]
//! once the change has committed and before they answer, and an adapter may only remember
//! where every replica sees that (the answer cache on Redis shared by every replica, or a
//! single process's own memory when its database is a local file). Without one, nothing is
//! remembered (see `driftguard_app::Setup`).

use crate::user::User;
use async_trait::async_trait;
use driftguard_core::{DomainError, DomainResult, UserId};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// How a remembered user is read when it is not remembered: the store's answer.
pub type ReadUser<'a> = Pin<Box<dyn Future<Output = DomainResult<Option<User>>> + Send + 'a>>;

/// Users remembered between requests.
#[async_trait]
pub trait RememberedUsers: Send + Sync {
    /// User `id` as remembered, or as `read` answers (remembered then, if found). Never
    /// remembers that a user does not exist.
    async fn user(&self, id: UserId, read: ReadUser<'_>) -> DomainResult<Option<User>>;
    /// Forgets every remembered user, on every replica that shares what this one remembers.
    async fn forget(&self);
}

/// Runs `change` (to what authentication reads of a user: role, sessions) and then makes
/// `remembered` forget every user, both on a task of their own that the caller awaits: when
/// the caller goes away midway (actix drops a handler whose client hung up), the change
/// still finishes before the forgetting starts. Forgetting before a commit that is still
/// under way (PostgreSQL runs a `COMMIT` already sent) would let a replica read the old row
/// and remember it under the new generation. The forgetting follows whatever the change
/// returned: a failure may come after the commit. Without `remembered`, `change` runs in
/// the caller, as any write does.
pub(crate) async fn change_then_forget<T: Send + 'static>(
    change: impl Future<Output = DomainResult<T>> + Send + 'static,
    remembered: Option<Arc<dyn RememberedUsers>>,
) -> DomainResult<T> {
    // Nothing to forget: nothing to order, and no task needed.
    let Some(remembered) = remembered else {
        return change.await;
    };
    let task = tokio::spawn(async move {
        let result = change.await;
        remembered.forget().await;
        result
    });
    task.await
        .map_err(|e| DomainError::internal_caused("a change to a user failed", e))?
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    /// Counts its forgettings; remembers nothing.
    #[derive(Default)]
    struct Counting(AtomicU32);

    #[async_trait]
    impl RememberedUsers for Counting {
        async fn user(&self, _id: UserId, read: ReadUser<'_>) -> DomainResult<Option<User>> {
            read.await
        }

        async fn forget(&self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[tokio::test]
    async fn the_forgetting_follows_the_change_even_when_the_caller_goes_away() {
        let counting = Arc::new(Counting::default());
        let remembered: Arc<dyn RememberedUsers> = counting.clone();
        let changed = Arc::new(AtomicU32::new(0));
        let answer = change_then_forget(async { Ok(7) }, Some(remembered.clone())).await;
        assert_eq!(answer.ok(), Some(7));
        assert_eq!(counting.0.load(Ordering::SeqCst), 1);

        // The caller is dropped while the change is still running: the change finishes,
        // and only then is every user forgotten.
        let slow = {
            let (changed, counting) = (changed.clone(), counting.clone());
            async move {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                // Not forgotten yet when the change ends.
                changed.store(counting.0.load(Ordering::SeqCst) + 1, Ordering::SeqCst);
                Ok(())
            }
        };
        let caller = change_then_forget(slow, Some(remembered.clone()));
        let gone = tokio::time::timeout(std::time::Duration::from_millis(10), caller).await;
        assert!(gone.is_err(), "the caller went away first");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        assert_eq!(
            changed.load(Ordering::SeqCst),
            2,
            "the change ran before the forgetting"
        );
        assert_eq!(counting.0.load(Ordering::SeqCst), 2);

        // Nothing to forget where nothing is remembered.
        let failed: DomainResult<()> =
            change_then_forget(async { Err(DomainError::internal("no")) }, None).await;
        assert!(failed.is_err());
        assert_eq!(counting.0.load(Ordering::SeqCst), 2);
    }
}
