//! The Redis adapter: one cache for every replica, which degrades to no cache while Redis is
//! unreachable instead of failing or stalling requests.
//!
//! Every call is bounded by [`RedisCacheOptions::timeout`], connecting included, and a circuit
//! breaker skips Redis altogether after repeated failures, so during an outage a request pays
//! nothing more than a map lookup that misses.
//!
//! A write that does not reach Redis (failed, or skipped by the open breaker) may be an
//! invalidation: the entry it should have removed would then outlive the database change that
//! made it stale. So after such a loss the adapter deletes its whole key prefix before it uses
//! Redis again. An outage thus ends with an empty cache, never with a stale one. A lost
//! [`Cache::fill`] does not count: it can leave nothing stale.

mod connection;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use redis::{Cmd, cmd};

use super::{Cache, CacheError};
use crate::breaker::CircuitBreaker;
use crate::redis_connection::{RedisConnection, RedisTls};

/// The longest TTL handed to Redis (ten years): beyond it `PX` overflows and Redis refuses.
const MAX_TTL_MS: u64 = 10 * 365 * 24 * 3600 * 1000;

/// How the Redis cache connects and when it gives up on Redis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisCacheOptions {
    /// Every key is stored as `{key_prefix}:{key}`, so the cache can be flushed without
    /// touching the rate limiter's keys; tests use a unique prefix each.
    pub key_prefix: String,
    /// The most one operation may wait for Redis, connecting included. Small, because a cache
    /// that answers slower than the database it saves is no use; 100 ms by default (as for the
    /// rate limiter), not less: on a busy 2-core server the load test's Redis calls timed out
    /// at 50 ms because the task awaiting Redis's reply was not scheduled in time, not because
    /// Redis was slow. Those timeouts opened the breaker, which made every request compute
    /// and the server busier still.
    pub timeout: Duration,
    /// Consecutive failures after which Redis is skipped for `cooldown`.
    pub failure_threshold: u32,
    /// How long Redis is skipped once the breaker opened, before one request probes it again.
    pub cooldown: Duration,
    /// Certificates for a `rediss://` URL.
    pub tls: RedisTls,
}

impl Default for RedisCacheOptions {
    fn default() -> Self {
        Self {
            key_prefix: "driftguard:cache".to_owned(),
            timeout: Duration::from_millis(100),
            failure_threshold: 3,
            cooldown: Duration::from_secs(5),
            tls: RedisTls::default(),
        }
    }
}

/// Cached values in Redis, shared by every replica that uses the same Redis and key prefix.
pub struct RedisCache {
    connection: RedisConnection,
    options: RedisCacheOptions,
    breaker: CircuitBreaker,
    /// Writes that did not reach Redis so far; compared with `flushed_up_to` to know whether
    /// the prefix must be flushed before Redis is trusted again. A counter rather than a flag,
    /// so that a write lost while a flush runs is not forgotten when that flush ends.
    lost_writes: AtomicU64,
    /// The value of `lost_writes` that the last successful flush covered.
    flushed_up_to: AtomicU64,
    /// One flush at a time; meanwhile reads skip Redis rather than read what it has not
    /// removed yet.
    flush_lock: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for RedisCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may carry a password: leave it out.
        f.debug_struct("RedisCache")
            .field("options", &self.options)
            .field("breaker", &self.breaker)
            .finish_non_exhaustive()
    }
}

impl RedisCache {
    /// A cache on the Redis at `url` (`redis://host:port/db`, or `rediss://` for TLS). Does not connect yet, so a Redis
    /// that is down at start-up only means no cache until it comes up.
    pub fn new(url: &str, options: RedisCacheOptions) -> Result<Self, CacheError> {
        Ok(Self {
            connection: RedisConnection::new(url, &options.tls, options.timeout)
                .map_err(CacheError::Config)?,
            breaker: CircuitBreaker::new(options.failure_threshold, options.cooldown),
            options,
            lost_writes: AtomicU64::new(0),
            flushed_up_to: AtomicU64::new(0),
            flush_lock: tokio::sync::Mutex::new(()),
        })
    }

    /// Whether Redis answers a `PING` within the timeout, bypassing the breaker: for health
    /// checks and tests.
    pub async fn ping(&self) -> Result<(), CacheError> {
        self.query::<String>(&cmd("PING")).await.map(drop)
    }

    fn redis_key(&self, key: &str) -> String {
        format!("{}:{key}", self.options.key_prefix)
    }

    /// `SET key value PX ttl`, the TTL at least 1 ms (Redis refuses `PX 0`).
    fn set_command(&self, key: &str, value: Vec<u8>, ttl: Duration) -> Cmd {
        let ttl_ms = u64::try_from(ttl.as_millis())
            .unwrap_or(MAX_TTL_MS)
            .clamp(1, MAX_TTL_MS);
        cmd("SET")
            .arg(self.redis_key(key))
            .arg(value)
            .arg("PX")
            .arg(ttl_ms)
            .clone()
    }

    /// Runs `op` on Redis unless the breaker skips it, flushing first after lost writes, and
    /// keeps the breaker (and the log) up to date with the outcome.
    async fn guarded<T>(
        &self,
        access: Access,
        op: impl Future<Output = Result<T, CacheError>>,
    ) -> Result<T, CacheError> {
        if !self.breaker.allows_attempt() {
            return Err(CacheError::Unavailable);
        }
        let outcome = async {
            let clean = self.flush_if_writes_were_lost().await?;
            // A read must not see what the running flush has not removed yet. A write may go
            // ahead: a delete only removes, and a set lands before the flush's cursor (and is
            // removed, a miss later) or after it (and is as fresh as any other).
            if !clean && access == Access::Read {
                return Err(CacheError::Flushing);
            }
            op.await
        }
        .await;
        match &outcome {
            Ok(_) => {
                if self.breaker.record_success() {
                    tracing::info!("cache.redis_recovered");
                }
            }
            // Redis answers; another caller is busy flushing it.
            Err(CacheError::Flushing) => {}
            Err(error) => {
                if self.breaker.record_failure() {
                    self.connection.abandon();
                    tracing::warn!(
                        error = %error,
                        cooldown_ms = u64::try_from(self.options.cooldown.as_millis()).unwrap_or(u64::MAX),
                        "cache.redis_unavailable"
                    );
                }
            }
        }
        outcome
    }

    /// A write: when it does not reach Redis, remember it was lost (see the module docs).
    async fn write(&self, op: impl Future<Output = Result<(), CacheError>>) {
        if self.guarded(Access::Write, op).await.is_err() {
            self.lost_writes.fetch_add(1, Ordering::AcqRel);
        }
    }

    /// Deletes the whole prefix if writes were lost since the last flush. Ok(true) when nothing
    /// stale is left to read; Ok(false) while another caller is flushing. Callers do not queue
    /// behind a flush: with Redis stalling, each would wait out its own timeouts in turn.
    async fn flush_if_writes_were_lost(&self) -> Result<bool, CacheError> {
        if self.lost_writes.load(Ordering::Acquire) == self.flushed_up_to.load(Ordering::Acquire) {
            return Ok(true);
        }
        let Ok(_one_at_a_time) = self.flush_lock.try_lock() else {
            return Ok(false);
        };
        let lost = self.lost_writes.load(Ordering::Acquire);
        if lost == self.flushed_up_to.load(Ordering::Acquire) {
            return Ok(true); // Flushed by the caller that held the lock before us.
        }
        self.unlink_matching(&format!("{}:*", glob_escape(&self.options.key_prefix)))
            .await?;
        self.flushed_up_to.store(lost, Ordering::Release);
        tracing::info!(lost_writes = lost, "cache.redis_flushed_after_lost_writes");
        Ok(true)
    }
}

/// Whether an operation only reads, which matters while a flush runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    Read,
    Write,
}

#[async_trait::async_trait]
impl Cache for RedisCache {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        let get = cmd("GET").arg(self.redis_key(key)).clone();
        self.guarded(Access::Read, self.query::<Option<Vec<u8>>>(&get))
            .await
    }

    async fn get_many(&self, keys: &[&str]) -> Result<Vec<Option<Vec<u8>>>, CacheError> {
        // `MGET` with no key is an error to Redis.
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let mut mget = cmd("MGET");
        for key in keys {
            mget.arg(self.redis_key(key));
        }
        self.guarded(Access::Read, self.query::<Vec<Option<Vec<u8>>>>(&mget))
            .await
    }

    async fn set(&self, key: &str, value: Vec<u8>, ttl: Duration) {
        let set = self.set_command(key, value, ttl);
        self.write(self.query::<()>(&set)).await;
    }

    async fn fill(&self, key: &str, value: Vec<u8>, ttl: Duration) {
        // Not counted as lost when it fails: it leaves nothing stale. Counting it made every
        // overload of the load test (Redis calls timing out behind a busy runtime) end with
        // the whole cache flushed, and the database, computing it all again, busier still.
        let set = self.set_command(key, value, ttl);
        let _ = self.guarded(Access::Write, self.query::<()>(&set)).await;
    }

    async fn delete(&self, key: &str) {
        let unlink = cmd("UNLINK").arg(self.redis_key(key)).clone();
        self.write(self.query::<()>(&unlink)).await;
    }
}

/// `text` with Redis's glob metacharacters escaped, so that it matches only itself in `MATCH`.
fn glob_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::glob_escape;

    #[test]
    fn escapes_every_glob_metacharacter() {
        assert_eq!(glob_escape("a*b?c[d]e\\f:g"), "a\\*b\\?c\\[d\\]e\\\\f:g");
    }
}
