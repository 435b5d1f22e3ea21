//! The cache adapters under test: in-process always, Redis when `DRIFTGUARD_TEST_REDIS_URL`
//! is set, each with a fresh namespace and its own test function.

use std::sync::Arc;
use std::time::Duration;

use driftguard_cache::{Cache, InProcessCache, RedisCache, RedisCacheOptions};

use crate::redis::redis_url;

/// Which cache adapter a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheBackend {
    /// [`InProcessCache`]: always there.
    InProcess,
    /// [`RedisCache`] on the test Redis.
    Redis,
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

/// Runs `test` over a fresh adapter of `backend`; skips it (returns) when Redis is not set up
/// and services are not required. A Redis that is set up but does not answer fails the
/// test here, before it could pass as a cache that only misses.
pub async fn with_cache(backend: CacheBackend, test: impl AsyncFnOnce(CacheAdapter)) {
    let adapter = match backend {
        CacheBackend::InProcess => in_process(),
        CacheBackend::Redis => {
            let Some(url) = redis_url() else { return };
            redis(url).await
        }
    };
    test(adapter).await;
}

fn in_process() -> CacheAdapter {
    let store: Arc<dyn Cache> = Arc::new(InProcessCache::new(64 * 1024 * 1024));
    let shared = store.clone();
    CacheAdapter {
        name: "in-process",
        store,
        replica: Box::new(move || shared.clone()),
    }
}

async fn redis(url: String) -> CacheAdapter {
    let options = RedisCacheOptions {
        key_prefix: format!("driftguard-test:cache:{}", uuid::Uuid::new_v4()),
        // Generous: CI machines are shared and a slow answer is not what is tested here.
        timeout: Duration::from_secs(2),
        ..RedisCacheOptions::default()
    };
    let open = move || -> Arc<dyn Cache> {
        Arc::new(RedisCache::new(&url, options.clone()).expect("valid test Redis URL"))
    };
    let store = open();
    if let Err(e) = store.get("probe").await {
        panic!("the test Redis (DRIFTGUARD_TEST_REDIS_URL) does not answer: {e}");
    }
    CacheAdapter {
        name: "redis",
        store,
        replica: Box::new(open),
    }
}
