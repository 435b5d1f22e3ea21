//! Announcing what a write changed, so that it reaches the [`ChangeFeed`] even when the
//! caller goes away: a front end may drop a use case's future once the write has committed
//! (actix does when the client hangs up), and an announcement lost then would leave cached
//! answers stale until they expire.

use std::sync::Arc;

use crate::ports::changes::{Change, ChangeFeed};

/// The feed a use case announces to. Cheap to clone.
#[derive(Clone)]
pub struct Announcer {
    feed: Arc<dyn ChangeFeed>,
}

impl Announcer {
    /// Announces to `feed`.
    pub fn new(feed: Arc<dyn ChangeFeed>) -> Self {
        Self { feed }
    }

    /// Runs `write` and announces `changes` once it has returned, also when it failed (a
    /// failure may come after the commit) and when the caller drops the future midway.
    pub(crate) async fn after<T>(
        &self,
        changes: &'static [Change],
        write: impl Future<Output = T>,
    ) -> T {
        // Owed before the write starts; dropped unsettled, it is announced on a task.
        let owed = Owed {
            feed: Some(self.feed.clone()),
            changes,
        };
        let result = write.await;
        owed.settle().await;
        result
    }
}

/// An announcement not yet made.
struct Owed {
    feed: Option<Arc<dyn ChangeFeed>>,
    changes: &'static [Change],
}

impl Owed {
    /// Announces now, returning once the feed has delivered.
    async fn settle(mut self) {
        if let Some(feed) = self.feed.take() {
            feed.changed(self.changes).await;
        }
    }
}

impl Drop for Owed {
    fn drop(&mut self) {
        // Outside a runtime (a process shutting down) there is nobody left to serve stale.
        if let (Some(feed), Ok(runtime)) = (self.feed.take(), tokio::runtime::Handle::try_current())
        {
            let changes = self.changes;
            runtime.spawn(async move { feed.changed(changes).await });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_trait::async_trait;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Recorder(Mutex<Vec<Change>>);

    #[async_trait]
    impl ChangeFeed for Recorder {
        async fn changed(&self, changes: &[Change]) {
            self.0.lock().expect("lock").extend_from_slice(changes);
        }
    }

    fn announced(recorder: &Recorder) -> Vec<Change> {
        recorder.0.lock().expect("lock").clone()
    }

    #[tokio::test]
    async fn a_write_announces_after_it_returns_even_when_it_failed() {
        let recorder = Arc::new(Recorder::default());
        let announcer = Announcer::new(recorder.clone());
        let ok: Result<(), ()> = announcer.after(&[Change::Model], async { Ok(()) }).await;
        assert_eq!(ok, Ok(()));
        let failed: Result<(), ()> = announcer.after(&[Change::Policy], async { Err(()) }).await;
        assert_eq!(failed, Err(()));
        assert_eq!(announced(&recorder), [Change::Model, Change::Policy]);
    }

    #[tokio::test]
    async fn a_write_dropped_midway_still_announces() {
        let recorder = Arc::new(Recorder::default());
        let announcer = Announcer::new(recorder.clone());
        let (started, wait) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let write = async move {
                let _ = started.send(());
                std::future::pending::<()>().await;
            };
            announcer.after(&[Change::Deployment], write).await;
        });
        let _ = wait.await;
        // The caller goes away after the write began: the announcement is made anyway.
        task.abort();
        let _ = task.await;
        for _ in 0..100 {
            if !announced(&recorder).is_empty() {
                break;
            }
            tokio::task::yield_now().await;
        }
        assert_eq!(announced(&recorder), [Change::Deployment]);
    }
}
