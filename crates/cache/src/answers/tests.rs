//! The answer cache on a store whose reads fail on demand: the failures Redis has (timeouts,
//! the open breaker, a flush in progress) without a Redis to break. The real-Redis outage
//! tests are in `tests/cache_outage.rs`.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
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
    assert_eq!(
        store.writes(),
        0,
        "read with the answer, the missing generation is not minted either"
    );

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

/// How long the slow computations below take: long enough for every other caller to join.
const SLOW: Duration = Duration::from_millis(50);

/// Runs `n` lookups of the policies at once on clones of `answers`, each computing `value`
/// slowly and counting its runs in `runs`.
async fn at_once(answers: &AnswerCache, n: u32, runs: &Arc<AtomicU32>) -> Vec<(u32, Lookup)> {
    at_once_of(CacheClass::Policies, answers, n, runs).await
}

/// [`at_once`] for the answers of `class`.
async fn at_once_of(
    class: CacheClass,
    answers: &AnswerCache,
    n: u32,
    runs: &Arc<AtomicU32>,
) -> Vec<(u32, Lookup)> {
    let mut lookups = tokio::task::JoinSet::new();
    for value in 1..=n {
        let (answers, runs) = (answers.clone(), runs.clone());
        lookups.spawn(async move {
            answers
                .get_or_compute(class, "all", || async move {
                    runs.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(SLOW).await;
                    Ok::<_, ()>(value)
                })
                .await
                .expect("the computation does not fail")
        });
    }
    lookups.join_all().await
}

/// Asserts that `lookups` got one answer, computed by one of them.
#[track_caller]
fn assert_one_answer(lookups: &[(u32, Lookup)]) {
    let misses: Vec<u32> = lookups
        .iter()
        .filter(|(_, lookup)| *lookup == Lookup::Miss)
        .map(|&(value, _)| value)
        .collect();
    assert_eq!(misses.len(), 1, "{lookups:?}");
    assert!(
        lookups.iter().all(|&(value, _)| value == misses[0]),
        "{lookups:?}"
    );
}

#[tokio::test]
async fn concurrent_misses_mint_one_generation_and_compute_once() {
    let store = FlakyReads::new(Failing::Nothing);
    let answers = AnswerCache::new(store.clone(), CacheTtls::default());
    let runs = Arc::new(AtomicU32::new(0));
    let lookups = at_once(&answers, 20, &runs).await;
    assert_one_answer(&lookups);
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    assert_eq!(store.writes(), 2, "one generation, one answer");
    assert_eq!(answers.local.flights.len(), 0, "nothing left running");
}

#[tokio::test]
async fn callers_bypassing_an_unreadable_store_compute_once_and_store_nothing() {
    let store = FlakyReads::new(Failing::Everything);
    let answers = AnswerCache::new(store.clone(), CacheTtls::default());
    let runs = Arc::new(AtomicU32::new(0));
    let lookups = at_once(&answers, 20, &runs).await;
    assert_one_answer(&lookups);
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    assert_eq!(store.writes(), 0, "no generation minted, no answer stored");
    assert_eq!(answers.local.flights.len(), 0, "nothing left running");

    // Shared only while it runs: the next caller computes again.
    assert_eq!(lookup(&answers, 99).await, (99, Lookup::Miss));
}

/// Users are not shared while the store cannot be read: the key of a shared computation
/// knows only this process's invalidations, not a role change made through another replica.
#[tokio::test]
async fn users_are_read_by_each_caller_while_the_store_cannot_be_read() {
    let store = FlakyReads::new(Failing::Everything);
    let answers = AnswerCache::new(store.clone(), CacheTtls::default());
    let runs = Arc::new(AtomicU32::new(0));
    let lookups = at_once_of(CacheClass::Users, &answers, 5, &runs).await;
    assert_eq!(runs.load(Ordering::SeqCst), 5);
    assert!(lookups.iter().all(|&(_, lookup)| lookup == Lookup::Miss));
    assert_eq!(store.writes(), 0, "nothing stored");
    // With the store back, they are shared again, as every answer is.
    store.fail(Failing::Nothing);
    let runs = Arc::new(AtomicU32::new(0));
    assert_one_answer(&at_once_of(CacheClass::Users, &answers, 5, &runs).await);
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_caller_bypassing_the_store_after_an_invalidation_does_not_join_an_older_computation() {
    let store = FlakyReads::new(Failing::Everything);
    let answers = AnswerCache::new(store.clone(), CacheTtls::default());
    let (started, mut has_started) = tokio::sync::watch::channel(false);
    let before = answers.get_or_compute(CacheClass::Policies, "all", || async {
        // Reads the database before the write below commits.
        started.send_replace(true);
        tokio::time::sleep(SLOW).await;
        Ok::<_, ()>(1)
    });
    let after = async {
        has_started.wait_for(|&s| s).await.expect("the reader runs");
        // A write commits and invalidates; its writer then reads.
        answers.invalidate(&[CacheClass::Policies]).await;
        lookup(&answers, 2).await
    };
    let (before, after) = tokio::join!(before, after);
    assert_eq!(before, Ok((1, Lookup::Miss)));
    assert_eq!(after, (2, Lookup::Miss), "the writer sees its write");
}

/// Sets its flag when dropped: tells whether a future holding it was dropped.
struct SetOnDrop(Arc<AtomicBool>);

impl Drop for SetOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[tokio::test]
async fn when_the_computing_caller_is_dropped_one_waiting_caller_computes_instead() {
    let store = FlakyReads::new(Failing::Nothing);
    let answers = AnswerCache::new(store.clone(), CacheTtls::default());
    let (started, has_started) = tokio::sync::watch::channel(false);
    let leader_dropped = Arc::new(AtomicBool::new(false));
    let runs = AtomicU32::new(0);

    // Computes until it is dropped: a request handler whose client hung up.
    let leader = tokio::time::timeout(
        SLOW,
        answers.get_or_compute(CacheClass::Policies, "all", || async {
            let _dropped = SetOnDrop(leader_dropped.clone());
            started.send_replace(true);
            std::future::pending::<Result<u32, ()>>().await
        }),
    );
    let follower = |value: u32| {
        let (answers, runs, leader_dropped) = (&answers, &runs, &leader_dropped);
        let mut has_started = has_started.clone();
        async move {
            has_started.wait_for(|&s| s).await.expect("the leader runs");
            answers
                .get_or_compute(CacheClass::Policies, "all", || async move {
                    assert!(
                        leader_dropped.load(Ordering::SeqCst),
                        "computes only once the leader is gone"
                    );
                    runs.fetch_add(1, Ordering::SeqCst);
                    Ok::<_, ()>(value)
                })
                .await
                .expect("the computation does not fail")
        }
    };
    let all = tokio::time::timeout(Duration::from_secs(5), async {
        tokio::join!(leader, follower(1), follower(2), follower(3))
    });
    let (leader, one, two, three) = all.await.expect("nobody waits forever");
    assert!(leader.is_err(), "the leader was dropped");
    assert_one_answer(&[one, two, three]);
    assert_eq!(runs.load(Ordering::SeqCst), 1, "one follower took over");
    assert_eq!(answers.local.flights.len(), 0, "nothing left running");
    assert_eq!(store.writes(), 2, "one generation, one answer");
}

#[tokio::test]
async fn a_caller_aborted_while_computing_leaves_nothing_behind() {
    let store = FlakyReads::new(Failing::Nothing);
    let answers = AnswerCache::new(store.clone(), CacheTtls::default());
    let (started, mut has_started) = tokio::sync::watch::channel(false);
    let task = tokio::spawn({
        let answers = answers.clone();
        async move {
            answers
                .get_or_compute(CacheClass::Policies, "all", || async move {
                    started.send_replace(true);
                    std::future::pending::<Result<u32, ()>>().await
                })
                .await
        }
    });
    has_started.wait_for(|&s| s).await.expect("the task runs");
    task.abort();
    assert!(task.await.is_err_and(|e| e.is_cancelled()));
    assert_eq!(answers.local.flights.len(), 0, "nothing left running");
    assert_eq!(lookup(&answers, 1).await, (1, Lookup::Miss));
}

#[tokio::test]
async fn when_the_computing_caller_fails_each_waiting_caller_computes_on_its_own() {
    let store = FlakyReads::new(Failing::Nothing);
    let answers = AnswerCache::new(store.clone(), CacheTtls::default());
    let (started, has_started) = tokio::sync::watch::channel(false);
    let leader_failed = AtomicBool::new(false);
    let runs = AtomicU32::new(0);

    let leader = answers.get_or_compute(CacheClass::Policies, "all", || async {
        started.send_replace(true);
        tokio::time::sleep(SLOW).await;
        leader_failed.store(true, Ordering::SeqCst);
        Err::<u32, _>("db down".to_owned())
    });
    let follower = |outcome: Result<u32, String>| {
        let (answers, runs, leader_failed) = (&answers, &runs, &leader_failed);
        let mut has_started = has_started.clone();
        async move {
            has_started.wait_for(|&s| s).await.expect("the leader runs");
            answers
                .get_or_compute(CacheClass::Policies, "all", || async move {
                    assert!(
                        leader_failed.load(Ordering::SeqCst),
                        "computes only once the leader failed"
                    );
                    runs.fetch_add(1, Ordering::SeqCst);
                    outcome
                })
                .await
        }
    };
    let (leader, one, two, mine) = tokio::join!(
        leader,
        follower(Ok(1)),
        follower(Ok(2)),
        follower(Err("mine".to_owned()))
    );
    assert_eq!(leader, Err("db down".to_owned()));
    assert_eq!(one, Ok((1, Lookup::Miss)), "not the leader's error");
    assert_eq!(two, Ok((2, Lookup::Miss)));
    assert_eq!(mine, Err("mine".to_owned()), "its own error only");
    assert_eq!(runs.load(Ordering::SeqCst), 3);
    assert_eq!(answers.local.flights.len(), 0, "nothing left running");
    assert_eq!(
        store.writes(),
        1,
        "the generation; no answer stored by followers"
    );
}
