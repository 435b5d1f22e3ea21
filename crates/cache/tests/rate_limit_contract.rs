//! The rate-limiter contract, run against the in-process adapter always and against Redis
//! whenever `DRIFTGUARD_TEST_REDIS_URL` is set. Each test runs once per adapter, in a test of
//! its own (`in_process::…`, `redis::…`), so that a Redis failure cannot hide the in-process
//! result.

mod support;

use std::sync::Arc;
use std::time::Duration;

use driftguard_cache::RateLimiter;
use driftguard_test_kit::per_backend;
use support::quota;

/// The adapter's name, for assertion messages, and the limiter under test.
type Adapter = (&'static str, Arc<dyn RateLimiter>);

async fn allows_the_quota_then_denies_with_a_retry_time((name, limiter): Adapter) {
    for expected_remaining in [2, 1, 0] {
        let d = limiter.check("login", "10.0.0.1", quota(3)).await;
        assert!(d.allowed, "{name}: within the quota");
        assert_eq!(d.limit, 3, "{name}");
        assert_eq!(d.remaining, expected_remaining, "{name}");
        assert_eq!(d.retry_after, Duration::ZERO, "{name}");
    }
    let denied = limiter.check("login", "10.0.0.1", quota(3)).await;
    assert!(!denied.allowed, "{name}: the fourth of 3/min is refused");
    assert_eq!(denied.remaining, 0, "{name}");
    // One request comes back every 20 s.
    assert!(
        denied.retry_after > Duration::from_secs(19),
        "{name}: {denied:?}"
    );
    assert!(
        denied.retry_after <= Duration::from_secs(20),
        "{name}: {denied:?}"
    );
    assert!(
        denied.reset_after >= denied.retry_after,
        "{name}: {denied:?}"
    );
    assert!(
        denied.reset_after <= Duration::from_secs(60),
        "{name}: {denied:?}"
    );
}

async fn reset_after_grows_with_use((name, limiter): Adapter) {
    let first = limiter.check("models", "k", quota(6)).await;
    let second = limiter.check("models", "k", quota(6)).await;
    assert!(
        first.reset_after <= Duration::from_secs(10),
        "{name}: {first:?}"
    );
    assert!(
        first.reset_after > Duration::from_secs(9),
        "{name}: {first:?}"
    );
    assert!(second.reset_after > first.reset_after, "{name}: {second:?}");
}

async fn keys_and_classes_are_counted_apart((name, limiter): Adapter) {
    assert!(
        limiter.check("register", "a", quota(1)).await.allowed,
        "{name}"
    );
    assert!(
        !limiter.check("register", "a", quota(1)).await.allowed,
        "{name}"
    );
    assert!(
        limiter.check("register", "b", quota(1)).await.allowed,
        "{name}: other key"
    );
    assert!(
        limiter.check("login", "a", quota(1)).await.allowed,
        "{name}: other class"
    );
}

async fn a_decision_reports_the_quota_it_was_made_under((name, limiter): Adapter) {
    // Quotas change only with settings (a restart); how much of an old budget carries over
    // differs by adapter and is deliberately not part of the contract.
    assert!(
        limiter.check("deploy", "a", quota(1)).await.allowed,
        "{name}"
    );
    assert_eq!(
        limiter.check("deploy", "a", quota(100)).await.limit,
        100,
        "{name}"
    );
}

async fn concurrent_checks_never_exceed_the_quota((name, limiter): Adapter) {
    let tasks: Vec<_> = (0..40)
        .map(|_| {
            let limiter = limiter.clone();
            tokio::spawn(async move { limiter.check("sim", "ip", quota(10)).await.allowed })
        })
        .collect();
    let mut allowed = 0;
    for task in tasks {
        if task.await.expect("the check task runs to the end") {
            allowed += 1;
        }
    }
    assert_eq!(allowed, 10, "{name}: exactly the quota gets through");
}

per_backend!(
    crate::support::with_limiter,
    [
        in_process = crate::support::CacheBackend::InProcess,
        redis = crate::support::CacheBackend::Redis,
    ],
    [
        allows_the_quota_then_denies_with_a_retry_time,
        reset_after_grows_with_use,
        keys_and_classes_are_counted_apart,
        a_decision_reports_the_quota_it_was_made_under,
        concurrent_checks_never_exceed_the_quota,
    ]
);
