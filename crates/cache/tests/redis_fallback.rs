//! The Redis adapter keeps limiting, quickly, while Redis is unreachable, and goes back to
//! Redis once it returns.

mod support;

use std::time::{Duration, Instant};

use driftguard_cache::{RateLimiter, RedisLimiterOptions, RedisRateLimiter};
use driftguard_test_kit::{free_port, start_redis};
use support::{quota, unique_prefix};

fn options(cooldown: Duration) -> RedisLimiterOptions {
    RedisLimiterOptions {
        key_prefix: unique_prefix(),
        timeout: Duration::from_millis(100),
        failure_threshold: 1,
        cooldown,
        ..RedisLimiterOptions::default()
    }
}

#[tokio::test]
async fn limits_in_process_and_fast_when_redis_is_down() {
    let url = format!("redis://127.0.0.1:{}", free_port());
    let limiter = RedisRateLimiter::new(&url, options(Duration::from_secs(60))).expect("url");
    let started = Instant::now();
    let decisions: Vec<bool> = allowed_in_a_row(&limiter, 5).await;
    assert_eq!(decisions, [true, true, true, false, false]);
    // One failed attempt at most (~100 ms); the breaker skips Redis after it.
    assert!(
        started.elapsed() < Duration::from_millis(600),
        "{:?}",
        started.elapsed()
    );

    let skipped = Instant::now();
    for _ in 0..50 {
        limiter.check("login", "other", quota(1000)).await;
    }
    assert!(
        skipped.elapsed() < Duration::from_millis(100),
        "{:?}",
        skipped.elapsed()
    );
}

async fn allowed_in_a_row(limiter: &RedisRateLimiter, n: usize) -> Vec<bool> {
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(limiter.check("login", "10.0.0.9", quota(3)).await.allowed);
    }
    out
}

#[tokio::test]
async fn goes_back_to_redis_when_it_returns() {
    let port = free_port();
    let url = format!("redis://127.0.0.1:{port}");
    let limiter = RedisRateLimiter::new(&url, options(Duration::from_millis(200))).expect("url");
    // Down: the in-process fallback answers.
    assert!(limiter.check("deploy", "ip", quota(2)).await.allowed);

    let Some(_server) = start_redis(port) else {
        return;
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while limiter.try_check("probe", "ip", quota(100)).await.is_err() {
        assert!(Instant::now() < deadline, "redis-server did not come up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(250)).await;
    // Back on Redis: a fresh budget there (the fallback had already used one of two).
    let mut remaining = Vec::new();
    for _ in 0..2 {
        remaining.push(limiter.check("deploy", "ip", quota(2)).await.remaining);
    }
    assert_eq!(remaining, [1, 0], "counted in Redis again");
}
