//! Request coalescing ("single flight"): while one caller of this process computes the answer
//! for a key, the other callers that need the same key wait for its result instead of
//! computing it again.
//!
//! Without it, a cold cache under load computes each answer once per concurrent request: the
//! load test's full-rate start on an empty Redis cache saturated the server with identical
//! database reads, Redis round trips then timed out behind them, the breaker opened, and
//! every request computed from then on.
//!
//! Only the answer is shared, as JSON bytes; an error is not (callers' error types need not
//! be `Clone`), so when the leader fails each waiting caller computes on its own.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::watch;

/// What a leader publishes: `None` while it computes, then `Some(Some(json))` with its answer,
/// or `Some(None)` when it has none to share (its computation failed, or the answer could not
/// be encoded).
type Published = Option<Option<Arc<[u8]>>>;

/// The computations running in this process, by key. Shared by every clone of an
/// [`AnswerCache`](super::AnswerCache).
#[derive(Debug, Default)]
pub(super) struct Flights {
    running: Mutex<HashMap<String, watch::Receiver<Published>>>,
}

/// What a caller is to do about a key: compute it, or wait for the caller that does.
pub(super) enum Role<'a> {
    /// Nobody computes the key yet: this caller does, and publishes through this.
    Leader(Leader<'a>),
    /// Another caller computes the key: wait for it with [`Follower::outcome`].
    Follower(Follower),
}

impl Flights {
    /// Makes the caller the leader for `key` unless a computation of it is running already.
    pub(super) fn join(&self, key: &str) -> Role<'_> {
        let mut running = self.lock();
        if let Some(receiver) = running.get(key) {
            return Role::Follower(Follower(receiver.clone()));
        }
        let (sender, receiver) = watch::channel(None);
        running.insert(key.to_owned(), receiver);
        Role::Leader(Leader {
            flights: self,
            key: key.to_owned(),
            sender,
        })
    }

    /// How many computations are running, for tests.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.lock().len()
    }

    /// The map, even after a panic elsewhere while it was locked: every change to it is a
    /// single insert or remove, so it is never left half-updated. Held only for that change,
    /// never across an `.await`.
    fn lock(&self) -> MutexGuard<'_, HashMap<String, watch::Receiver<Published>>> {
        self.running.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The one caller computing a key. Dropping it (done, or its future dropped midway because
/// the client hung up) removes the key from the running computations and closes the channel,
/// so that no follower waits forever and no stale entry stays behind.
pub(super) struct Leader<'a> {
    flights: &'a Flights,
    key: String,
    sender: watch::Sender<Published>,
}

impl Leader<'_> {
    /// Hands `answer` (its JSON, or `None` for "compute it yourselves") to every follower, those
    /// that join until this leader is dropped included.
    pub(super) fn publish(&self, answer: Option<Arc<[u8]>>) {
        self.sender.send_replace(Some(answer));
    }
}

impl Drop for Leader<'_> {
    fn drop(&mut self) {
        // The entry is this leader's: only this drop removes it, and a new leader can only
        // insert one after that. The sender is dropped right after, which wakes the followers
        // of a leader that never published.
        self.flights.lock().remove(&self.key);
    }
}

/// A caller waiting for the leader of its key.
pub(super) struct Follower(watch::Receiver<Published>);

/// How a leader's computation ended, as a follower sees it.
pub(super) enum Outcome {
    /// The leader's answer, as JSON.
    Answer(Arc<[u8]>),
    /// The leader has no answer to share: the follower computes on its own.
    Failed,
    /// The leader was dropped before it published: another leader is to be elected.
    Vanished,
}

impl Follower {
    /// Waits until the leader publishes or goes away.
    pub(super) async fn outcome(mut self) -> Outcome {
        // `wait_for` looks at the current value first, so an answer published before this
        // follower started waiting (or before its leader was dropped) is seen too.
        match self.0.wait_for(Option::is_some).await {
            Ok(published) => match published.as_ref() {
                Some(Some(answer)) => Outcome::Answer(answer.clone()),
                _ => Outcome::Failed,
            },
            Err(_closed) => Outcome::Vanished,
        }
    }
}
