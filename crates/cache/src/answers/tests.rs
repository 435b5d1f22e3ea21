//! The answer cache on a store whose reads fail on demand: the failures Redis has (timeouts,
//! the open breaker, a flush in progress) without a Redis to break. The real-Redis outage
//! tests are in `tests/cache_outage.rs`.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use super::*;
use crate::store::InProcessCache;

/// Which reads of [`FlakyReads`] fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failing {
    Nothing,
    Everything,
    Generations,
    Answers,
}

/// An in-process store whose reads fail as `failing` says, and which counts the writes that
/// reach it. Writes always work, as they may on Redis while reads time out.
#[derive(Debug)]
struct FlakyReads {
    inner: InProcessCache,
    failing: Mutex<Failing>,
    writes: AtomicU32,
}

impl FlakyReads {
    fn new(failing: Failing) -> Arc<Self> {
        Arc::new(Self {
            inner: InProcessCache::new(1024 * 1024),
            failing: Mutex::new(failing),
            writes: AtomicU32::new(0),
        })
    }

    fn fail(&self, failing: Failing) {
        *self.failing.lock().expect("not poisoned") = failing;
    }

    fn writes(&self) -> u32 {
        self.writes.load(Ordering::SeqCst)
    }
}

#[async_trait::async_trait]
impl Cache for FlakyReads {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        let generation = key.ends_with(":generation");
        let fails = match *self.failing.lock().expect("not poisoned") {
            Failing::Nothing => false,
            Failing::Everything => true,
            Failing::Generations => generation,
            Failing::Answers => !generation,
        };
        if fails {
            return Err(CacheError::Timeout(Duration::from_millis(50)));
        }
        self.inner.get(key).await
    }

    async fn set(&self, key: &str, value: Vec<u8>, ttl: Duration) {
        self.writes.fetch_add(1, Ordering::SeqCst);
        self.inner.set(key, value, ttl).await;
    }

    async fn delete(&self, key: &str) {
        self.inner.delete(key).await;
    }

    async fn delete_prefix(&self, prefix: &str) {
        self.inner.delete_prefix(prefix).await;
    }
}

/// Looks up the policies, whose computation answers `value`.
async fn lookup(answers: &AnswerCache, value: u32) -> (u32, Lookup) {
    answers
        .get_or_compute(CacheClass::Policies, "all", || async { Ok::<_, ()>(value) })
        .await
        .expect("the computation does not fail")
}

#[tokio::test]
async fn a_store_that_cannot_be_read_is_bypassed_and_written_nothing() {
    let store = FlakyReads::new(Failing::Everything);
    let answers = AnswerCache::new(store.clone(), CacheTtls::default());
    for value in 1..=3 {
        assert_eq!(lookup(&answers, value).await, (value, Lookup::Miss));
    }
    assert_eq!(store.writes(), 0, "no generation minted, no answer stored");

    store.fail(Failing::Nothing);
    assert_eq!(
        lookup(&answers, 4).await,
        (4, Lookup::Miss),
        "nothing was cached"
    );
    assert_eq!(lookup(&answers, 5).await, (4, Lookup::Hit));
}

#[tokio::test]
async fn an_answer_that_cannot_be_read_is_computed_and_not_stored() {
    let store = FlakyReads::new(Failing::Answers);
    let answers = AnswerCache::new(store.clone(), CacheTtls::default());
    assert_eq!(lookup(&answers, 1).await, (1, Lookup::Miss));
    assert_eq!(lookup(&answers, 2).await, (2, Lookup::Miss));
    assert_eq!(store.writes(), 1, "the minted generation only");

    store.fail(Failing::Nothing);
    assert_eq!(
        lookup(&answers, 3).await,
        (3, Lookup::Miss),
        "nothing was cached"
    );
    assert_eq!(lookup(&answers, 4).await, (3, Lookup::Hit));
}

/// The bug this design fixes: generation reads that failed fell back to one constant, so an
/// answer stored under it during one failure was served during the next, across
/// invalidations.
#[tokio::test]
async fn an_unreadable_generation_never_serves_an_answer_from_before_an_invalidation() {
    let store = FlakyReads::new(Failing::Nothing);
    let answers = AnswerCache::new(store.clone(), CacheTtls::default());
    assert_eq!(lookup(&answers, 1).await, (1, Lookup::Miss));

    store.fail(Failing::Generations);
    assert_eq!(lookup(&answers, 2).await, (2, Lookup::Miss));
    answers.invalidate(&[CacheClass::Policies]).await;
    assert_eq!(
        lookup(&answers, 3).await,
        (3, Lookup::Miss),
        "2 is not served"
    );

    store.fail(Failing::Nothing);
    assert_eq!(
        lookup(&answers, 4).await,
        (4, Lookup::Miss),
        "1 is not served"
    );
    assert_eq!(lookup(&answers, 5).await, (4, Lookup::Hit));
}

#[tokio::test]
async fn a_missing_generation_is_minted_once_and_then_kept() {
    let store = FlakyReads::new(Failing::Nothing);
    let answers = AnswerCache::new(store.clone(), CacheTtls::default());
    assert_eq!(lookup(&answers, 1).await, (1, Lookup::Miss));
    let key = generation_key(CacheClass::Policies);
    let minted = store.get(&key).await.expect("reads work");
    let token = minted.and_then(|bytes| String::from_utf8(bytes).ok());
    assert!(
        token.as_deref().is_some_and(|t| t != "0" && t.len() == 32),
        "a random token: {token:?}"
    );
    assert_eq!(lookup(&answers, 2).await, (1, Lookup::Hit));
    assert_eq!(
        store.writes(),
        2,
        "the generation and the answer, once each"
    );
}
