//! Helpers shared by the test files: which adapters to run and unique names.

// Each test file compiles this module on its own and uses only part of it.
#![allow(dead_code)]

pub use driftguard_cache::testing::redis_url;

use std::num::NonZeroU32;
use std::sync::Arc;

use driftguard_cache::{
    Cache, Decision, InProcessCache, InProcessRateLimiter, Quota, RateLimiter, RedisCache,
    RedisCacheOptions, RedisLimiterOptions, RedisRateLimiter,
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

/// Every adapter the contract suite runs against here, each with a fresh namespace.
pub fn adapters() -> Vec<(&'static str, Arc<dyn RateLimiter>)> {
    let mut all: Vec<(&'static str, Arc<dyn RateLimiter>)> =
        vec![("in-process", Arc::new(InProcessRateLimiter::new()))];
    if let Some(url) = redis_url() {
        let options = RedisLimiterOptions {
            key_prefix: unique_prefix(),
            // Generous: CI machines are shared and a slow answer is not what is tested here.
            timeout: std::time::Duration::from_secs(2),
            ..RedisLimiterOptions::default()
        };
        let limiter = RedisRateLimiter::new(&url, options).expect("valid test Redis URL");
        all.push(("redis", Arc::new(StrictRedis(limiter))));
    }
    all
}

/// One cache adapter under test, and a way to open another handle on the same store: for
/// Redis that is a second client, as a second replica would have.
pub struct CacheAdapter {
    /// For assertion messages.
    pub name: &'static str,
    /// The store under test, in a fresh namespace.
    pub store: Arc<dyn Cache>,
    /// Another handle on the same store and namespace.
    pub replica: Box<dyn Fn() -> Arc<dyn Cache>>,
}

/// Every cache adapter the contract suite runs against here, each with a fresh namespace.
pub fn cache_adapters() -> Vec<CacheAdapter> {
    let in_process: Arc<dyn Cache> = Arc::new(InProcessCache::new(64 * 1024 * 1024));
    let shared = in_process.clone();
    let mut all = vec![CacheAdapter {
        name: "in-process",
        store: in_process,
        replica: Box::new(move || shared.clone()),
    }];
    if let Some(url) = redis_url() {
        let options = RedisCacheOptions {
            key_prefix: format!("driftguard-test:cache:{}", uuid::Uuid::new_v4()),
            // Generous: CI machines are shared and a slow answer is not what is tested here.
            timeout: std::time::Duration::from_secs(2),
            ..RedisCacheOptions::default()
        };
        let open = move || -> Arc<dyn Cache> {
            Arc::new(RedisCache::new(&url, options.clone()).expect("valid test Redis URL"))
        };
        all.push(CacheAdapter {
            name: "redis",
            store: open(),
            replica: Box::new(open),
        });
    }
    all
}
