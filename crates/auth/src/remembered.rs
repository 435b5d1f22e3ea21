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
use driftguard_core::{DomainResult, UserId};
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

/// Forgetting owed after a change to a user, settled when the change returns: also when it
/// failed (a failure may come after the commit) and when the caller drops the future midway
/// (actix does when the client hangs up), then on a task of its own — a forgetting lost
/// there would leave replicas answering with the user as before for up to the TTL.
pub(crate) struct Forgetting(Option<Arc<dyn RememberedUsers>>);

impl Forgetting {
    /// Owed to `remembered` (nothing when users are not remembered).
    pub(crate) fn owed(remembered: Option<Arc<dyn RememberedUsers>>) -> Self {
        Self(remembered)
    }

    /// Forgets now, returning once every remembered user is forgotten.
    pub(crate) async fn settle(mut self) {
        if let Some(remembered) = self.0.take() {
            remembered.forget().await;
        }
    }
}

impl Drop for Forgetting {
    fn drop(&mut self) {
        // Outside a runtime (a process shutting down) there is nobody left to answer.
        if let (Some(remembered), Ok(runtime)) =
            (self.0.take(), tokio::runtime::Handle::try_current())
        {
            runtime.spawn(async move { remembered.forget().await });
        }
    }
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
    async fn forgetting_is_settled_once_or_made_on_a_task_when_dropped() {
        let counting = Arc::new(Counting::default());
        let remembered: Arc<dyn RememberedUsers> = counting.clone();
        Forgetting::owed(Some(remembered.clone())).settle().await;
        assert_eq!(counting.0.load(Ordering::SeqCst), 1);

        // A caller dropped midway: the change's future never finished.
        let change = async {
            let _owed = Forgetting::owed(Some(remembered.clone()));
            std::future::pending::<()>().await;
        };
        let dropped = tokio::time::timeout(std::time::Duration::from_millis(10), change).await;
        assert!(dropped.is_err());
        tokio::task::yield_now().await;
        assert_eq!(counting.0.load(Ordering::SeqCst), 2);

        // Nothing owed where nothing is remembered.
        Forgetting::owed(None).settle().await;
        assert_eq!(counting.0.load(Ordering::SeqCst), 2);
    }
}
