//! The [`Cache`] port: bytes under string keys with a time to live, and two adapters.
//!
//! Writes are infallible on purpose: a write that cannot reach the store only costs a later
//! miss (the Redis adapter empties its prefix after a lost write, so a lost delete cannot
//! leave a stale entry behind; a lost [`Cache::fill`], which can leave nothing stale, costs
//! no such flush). Reads report a failure instead of passing it off as a miss:
//! "absent" and "unknown" differ for [`crate::AnswerCache`], which must not treat a
//! generation it could not read as one it knows. Callers still never see an error or a stall
//! from the store; they only choose what to do without it.

mod in_process;
mod json;
mod redis_cache;

use std::time::Duration;

pub use in_process::InProcessCache;
pub use json::CacheExt;
pub use redis_cache::{RedisCache, RedisCacheOptions};

/// A key-value store for cached answers, shared by every replica when it is remote.
#[async_trait::async_trait]
pub trait Cache: Send + Sync + std::fmt::Debug {
    /// Bytes under `key`: `Ok(None)` when absent or expired, `Err` when the store could not
    /// say (unreachable, timed out, skipped by the open breaker, or being flushed).
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError>;
    /// The bytes under each of `keys`, in their order, as [`Cache::get`] reads one, and read
    /// at once where the store can (Redis: one `MGET`, one round trip): `Err` when the store
    /// could not say.
    async fn get_many(&self, keys: &[&str]) -> Result<Vec<Option<Vec<u8>>>, CacheError> {
        let mut values = Vec::with_capacity(keys.len());
        for key in keys {
            values.push(self.get(key).await?);
        }
        Ok(values)
    }
    /// Stores `value` under `key` for `ttl`. Never fails: an unreachable store means no cache.
    async fn set(&self, key: &str, value: Vec<u8>, ttl: Duration);
    /// Removes `key`, if present.
    async fn delete(&self, key: &str);
    /// Stores a value computed from the source of truth, as [`Cache::set`] does, for writes
    /// whose loss can leave nothing stale behind, only a later miss: an answer stamped with
    /// the generation it was computed under, which no reader accepts once an invalidation
    /// has replaced that generation, whenever the write lands (the answer cache). An adapter need not make up for losing one, so an overloaded store does
    /// not empty the cache (the Redis adapter's flush after lost writes).
    async fn fill(&self, key: &str, value: Vec<u8>, ttl: Duration) {
        self.set(key, value, ttl).await;
    }
}

/// Why a cache could not be built, or why one call to its store failed.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// The Redis URL or TLS settings were rejected.
    #[error("invalid cache configuration: {0}")]
    Config(String),
    /// The store did not answer within the timeout.
    #[error("the cache store did not answer within {0:?}")]
    Timeout(Duration),
    /// The store answered with an error, or the connection failed.
    #[error("cache store error: {0}")]
    Store(String),
    /// The circuit breaker is open: the store is skipped until its cooldown has passed.
    #[error("the cache store is skipped after repeated failures")]
    Unavailable,
    /// The store is being emptied after writes to it were lost, and is not read meanwhile.
    #[error("the cache store is being flushed after lost writes")]
    Flushing,
}
