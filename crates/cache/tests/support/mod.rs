//! Helpers shared by the rate-limiter test files: the limiter under test, by adapter, and
//! unique names (the cache adapters are the test kit's).

// Each test file compiles this module on its own and uses only part of it.
#![allow(dead_code)]

pub use driftguard_test_kit::{CacheBackend, redis_url};

use std::num::NonZeroU32;
use std::sync::Arc;

use driftguard_cache::{
    Decision, InProcessRateLimiter, Quota, RateLimiter, RedisLimiterOptions, RedisRateLimiter,
};

/// A quota of `n` a minute; panics on zero, which no test asks for.
pub fn quota(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n).expect("tests use non-zero quotas"))
}

/// A key prefix no other test (or earlier run) uses, so tests can share one Redis.
pub fn unique_prefix() -> String {
    format!("driftguard-test:rl:{}", uuid::Uuid::new_v4())
}

/// Runs Redis-only checks, so that a contract test cannot pass by silently falling back.
#[derive(Debug)]
pub struct StrictRedis(pub RedisRateLimiter);

#[async_trait::async_trait]
impl RateLimiter for StrictRedis {
    async fn check(&self, class: &str, key: &str, quota: Quota) -> Decision {
        self.0
            .try_check(class, key, quota)
            .await
            .expect("the test Redis must answer")
    }
}

/// Runs `test` over a fresh limiter of `backend`, in a namespace of its own; skips it
/// (returns) when Redis is not set up and services are not required. The Redis limiter is
/// strict: a Redis that does not answer fails the test instead of falling back.
pub async fn with_limiter(
    backend: CacheBackend,
    test: impl AsyncFnOnce((&'static str, Arc<dyn RateLimiter>)),
) {
    let adapter: (&'static str, Arc<dyn RateLimiter>) = match backend {
        CacheBackend::InProcess => ("in-process", Arc::new(InProcessRateLimiter::new())),
        CacheBackend::Redis => {
            let Some(url) = redis_url() else { return };
            let options = RedisLimiterOptions {
                key_prefix: unique_prefix(),
                // Generous: CI machines are shared and a slow answer is not what is tested here.
                timeout: std::time::Duration::from_secs(2),
                ..RedisLimiterOptions::default()
            };
            let limiter = RedisRateLimiter::new(&url, options).expect("valid test Redis URL");
            ("redis", Arc::new(StrictRedis(limiter)))
        }
    };
    test(adapter).await;
}
