//! The Redis cache while Redis is unreachable, hangs, or comes back: it answers quickly as an
//! empty cache, never errs, recovers, and never serves an entry that missed an invalidation.

mod support;

use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use driftguard_cache::{
    AnswerCache, Cache, CacheClass, CacheError, CacheTtls, Lookup, RedisCache, RedisCacheOptions,
};
use driftguard_test_kit::{RedisServer, free_port, start_redis};

const LONG: Duration = Duration::from_secs(60);

fn options(timeout: Duration, failure_threshold: u32, cooldown: Duration) -> RedisCacheOptions {
    RedisCacheOptions {
        key_prefix: format!("driftguard-test:outage:{}", uuid::Uuid::new_v4()),
        timeout,
        failure_threshold,
        cooldown,
        ..RedisCacheOptions::default()
    }
}

fn redis_at(port: u16, options: RedisCacheOptions) -> Arc<RedisCache> {
    let url = format!("redis://127.0.0.1:{port}");
    Arc::new(RedisCache::new(&url, options).expect("a valid URL"))
}

/// A Redis server of this test's own (stopped when dropped), its port, and a cache on it
/// with these [`options`] (in milliseconds), up; `None` when no `redis-server` can be
/// started here.
async fn own_redis(
    timeout_ms: u64,
    failure_threshold: u32,
    cooldown_ms: u64,
) -> Option<(RedisServer, u16, Arc<RedisCache>)> {
    let port = free_port();
    let server = start_redis(port)?;
    let cache = redis_at(
        port,
        options(
            Duration::from_millis(timeout_ms),
            failure_threshold,
            Duration::from_millis(cooldown_ms),
        ),
    );
    wait_until_up(&cache).await;
    Some((server, port, cache))
}

/// Asserts that 50 gets and 50 sets together take far less than their timeouts would: the
/// open breaker skips Redis instead of waiting on it, and says so to readers.
async fn assert_skipped_quickly(cache: &RedisCache) {
    let started = Instant::now();
    for i in 0..50 {
        let key = format!("k{i}");
        cache.set(&key, b"v".to_vec(), LONG).await;
        let read = cache.get(&key).await;
        assert!(matches!(read, Err(CacheError::Unavailable)), "{read:?}");
    }
    // 100 calls × 50 ms of timeout would be 5 s.
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn refused_connections_make_a_fast_empty_cache() {
    let options = options(Duration::from_millis(50), 3, Duration::from_secs(60));
    let cache = redis_at(free_port(), options);
    let answers = AnswerCache::new(cache.clone(), CacheTtls::default());
    let started = Instant::now();
    for run in 1..=3 {
        let answer = answers
            .get_or_compute(CacheClass::RiskTrends, "", || async { Ok::<_, ()>(run) })
            .await;
        assert_eq!(
            answer,
            Ok((run, Lookup::Miss)),
            "computed every time, never an error"
        );
    }
    answers.invalidate(&CacheClass::ALL).await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_skipped_quickly(&cache).await;
}

#[tokio::test]
async fn a_hanging_redis_costs_a_timeout_per_call_only_until_the_breaker_opens() {
    // Accepts connections (the kernel does) but never answers, like a stuck Redis.
    let silent = TcpListener::bind("127.0.0.1:0").expect("a local listener");
    let port = silent.local_addr().expect("its address").port();
    let cache = redis_at(
        port,
        options(Duration::from_millis(50), 3, Duration::from_secs(60)),
    );
    let started = Instant::now();
    for _ in 0..3 {
        // A failure (the connect timeout or the command's), never a miss.
        assert!(cache.get("k").await.is_err());
    }
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "each call waits at most its timeout: {:?}",
        started.elapsed()
    );
    assert_skipped_quickly(&cache).await;
}

/// Waits until the server on `cache`'s port answers (it takes a moment to start).
async fn wait_until_up(cache: &RedisCache) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while cache.ping().await.is_err() {
        assert!(Instant::now() < deadline, "redis-server did not come up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Sets a fresh key until it reads back, which it does once the breaker let Redis in again.
async fn wait_until_cached(cache: &RedisCache) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        cache.set("probe", b"v".to_vec(), LONG).await;
        if matches!(cache.get("probe").await, Ok(Some(_))) {
            return;
        }
        assert!(Instant::now() < deadline, "the cache did not come back");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_killed_redis_means_no_cache_until_it_is_back() {
    let Some((server, port, cache)) = own_redis(200, 1, 200).await else {
        return;
    };
    cache.set("k", b"v".to_vec(), LONG).await;
    assert!(matches!(cache.get("k").await, Ok(Some(_))));

    drop(server);
    let started = Instant::now();
    assert!(cache.get("k").await.is_err(), "a failure, not a miss");
    let answers = AnswerCache::new(cache.clone(), CacheTtls::default());
    tokio::time::timeout(
        Duration::from_secs(2),
        answers.invalidate(&[CacheClass::Policies]),
    )
    .await
    .expect("invalidate does not hang while Redis is down");
    let answer = answers
        .get_or_compute(CacheClass::Policies, "", || async { Ok::<_, ()>(7) })
        .await;
    assert_eq!(answer, Ok((7, Lookup::Miss)));
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );

    let Some(_server) = start_redis(port) else {
        return;
    };
    wait_until_up(&cache).await;
    wait_until_cached(&cache).await;
    let cached = answers
        .get_or_compute(CacheClass::Policies, "", || async { Ok::<_, ()>(8) })
        .await;
    assert_eq!(cached, Ok((8, Lookup::Miss)));
    let cached = answers
        .get_or_compute(CacheClass::Policies, "", || async { Ok::<_, ()>(9) })
        .await;
    assert_eq!(cached, Ok((8, Lookup::Hit)), "cached in Redis again");
}

/// Stops `server` from answering any client for `pause`, keeping its data.
async fn pause_all_clients(port: u16, pause: Duration) {
    let admin = redis::Client::open(format!("redis://127.0.0.1:{port}")).expect("a valid URL");
    let mut conn = admin
        .get_multiplexed_async_connection()
        .await
        .expect("an admin connection");
    redis::cmd("CLIENT")
        .arg("PAUSE")
        .arg(u64::try_from(pause.as_millis()).expect("a short pause"))
        .arg("ALL")
        .query_async::<()>(&mut conn)
        .await
        .expect("CLIENT PAUSE");
}

#[tokio::test]
async fn an_invalidation_lost_in_an_outage_empties_the_cache_when_redis_is_back() {
    // The cooldown outlasts the pause, so that the invalidation below is skipped, never sent
    // (a command that timed out is still run by Redis once the pause ends).
    let Some((_server, port, cache)) = own_redis(100, 1, 1500).await else {
        return;
    };
    let answers = AnswerCache::new(cache.clone(), CacheTtls::default());
    let before = answers
        .get_or_compute(CacheClass::DashboardSummary, "", || async {
            Ok::<_, ()>(1)
        })
        .await;
    assert_eq!(before, Ok((1, Lookup::Miss)));
    cache.set("unrelated", b"v".to_vec(), LONG).await;

    // Redis stops answering but keeps its data: the cached answer survives the outage.
    pause_all_clients(port, Duration::from_millis(600)).await;
    let paused = Instant::now();
    assert!(
        cache.get("unrelated").await.is_err(),
        "times out, opens the breaker"
    );
    // A write changes the dashboard; its invalidation cannot reach Redis.
    answers.invalidate(&[CacheClass::DashboardSummary]).await;
    assert!(
        paused.elapsed() < Duration::from_millis(600),
        "{:?}",
        paused.elapsed()
    );

    tokio::time::sleep(Duration::from_millis(1700)).await;
    let after = answers
        .get_or_compute(CacheClass::DashboardSummary, "", || async {
            Ok::<_, ()>(2)
        })
        .await;
    assert_eq!(
        after,
        Ok((2, Lookup::Miss)),
        "the stale answer is not served"
    );
    assert!(
        matches!(cache.get("unrelated").await, Ok(None)),
        "the whole prefix was flushed"
    );
    let again = answers
        .get_or_compute(CacheClass::DashboardSummary, "", || async {
            Ok::<_, ()>(3)
        })
        .await;
    assert_eq!(again, Ok((2, Lookup::Hit)), "and caching goes on");
}

/// A fill (an answer stored under its generation) lost in an outage leaves nothing stale, so
/// the cache is not emptied for it: what was cached before the outage is served after it.
#[tokio::test]
async fn a_fill_lost_in_an_outage_keeps_the_cache() {
    let Some((_server, port, cache)) = own_redis(100, 1, 1500).await else {
        return;
    };
    let answers = AnswerCache::new(cache.clone(), CacheTtls::default());
    let summary = |value: u32| {
        answers.get_or_compute(CacheClass::DashboardSummary, "", move || async move {
            Ok::<_, ()>(value)
        })
    };
    assert_eq!(summary(1).await, Ok((1, Lookup::Miss)));

    pause_all_clients(port, Duration::from_millis(600)).await;
    assert!(
        cache.get("any").await.is_err(),
        "times out, opens the breaker"
    );
    // Computed without the cache, stored nowhere; then a fill skipped by the open breaker.
    assert_eq!(
        answers
            .get_or_compute(CacheClass::RiskTrends, "", || async { Ok::<_, ()>(7) })
            .await,
        Ok((7, Lookup::Miss))
    );
    cache.fill("filled", b"v".to_vec(), LONG).await;

    tokio::time::sleep(Duration::from_millis(1700)).await;
    assert_eq!(summary(2).await, Ok((1, Lookup::Hit)), "not flushed");
    assert!(matches!(cache.get("filled").await, Ok(None)), "lost");
    assert_eq!(
        answers
            .get_or_compute(CacheClass::RiskTrends, "", || async { Ok::<_, ()>(8) })
            .await,
        Ok((8, Lookup::Miss)),
        "caching goes on"
    );
}

#[tokio::test]
async fn nothing_computed_or_cached_around_an_outage_is_served_after_it() {
    // A threshold above the failures below, so that every call during the pause really goes
    // to Redis and times out instead of being skipped by the breaker.
    let Some((_server, port, cache)) = own_redis(100, 10, 300).await else {
        return;
    };
    let answers = AnswerCache::new(cache.clone(), CacheTtls::default());
    let lookup = |value: u32| {
        answers.get_or_compute(CacheClass::ComplianceDistribution, "", move || async move {
            Ok::<_, ()>(value)
        })
    };
    assert_eq!(lookup(1).await, Ok((1, Lookup::Miss)));
    assert_eq!(lookup(2).await, Ok((1, Lookup::Hit)));

    // Redis stops answering but keeps its data, the pre-outage answer included.
    let pause = Duration::from_millis(900);
    pause_all_clients(port, pause).await;
    let paused = Instant::now();
    // The generation cannot be read: every lookup computes, and none stores its answer where
    // a later lookup (on this replica or another) could find it.
    assert_eq!(lookup(3).await, Ok((3, Lookup::Miss)));
    assert_eq!(lookup(4).await, Ok((4, Lookup::Miss)), "3 was not cached");
    // A write changes the distribution; its invalidation cannot reach Redis.
    answers
        .invalidate(&[CacheClass::ComplianceDistribution])
        .await;
    assert!(paused.elapsed() < pause, "{:?}", paused.elapsed());

    tokio::time::sleep(pause.saturating_sub(paused.elapsed()) + Duration::from_millis(400)).await;
    // Neither the answer from before the invalidation (1) nor one computed during the outage
    // (3, 4) comes back.
    assert_eq!(lookup(5).await, Ok((5, Lookup::Miss)));
    assert_eq!(lookup(6).await, Ok((5, Lookup::Hit)), "and caching goes on");
}
