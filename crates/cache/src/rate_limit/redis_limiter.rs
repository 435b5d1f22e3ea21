//! The Redis adapter: GCRA in one Lua script, so that every replica shares one budget per
//! client, with the in-process limiter as the fallback while Redis is unreachable.

use std::time::Duration;

use redis::Script;

use crate::redis_connection::{RedisConnection, RedisTls};

use super::{Decision, InProcessRateLimiter, Quota, RateLimitError, RateLimiter};
use crate::breaker::CircuitBreaker;

/// How the Redis adapter connects and when it gives up on Redis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisLimiterOptions {
    /// Keys are `{key_prefix}:{class}:{key}`; tests use a unique prefix each.
    pub key_prefix: String,
    /// The most one check may wait for Redis (connecting included) before using the fallback.
    pub timeout: Duration,
    /// Consecutive failures after which Redis is skipped for `cooldown`.
    pub failure_threshold: u32,
    /// How long Redis is skipped once the breaker opened, before one request probes it again.
    pub cooldown: Duration,
    /// Certificates for a `rediss://` URL.
    pub tls: RedisTls,
}

impl Default for RedisLimiterOptions {
    fn default() -> Self {
        Self {
            key_prefix: "driftguard:rl".to_owned(),
            timeout: Duration::from_millis(100),
            failure_threshold: 3,
            cooldown: Duration::from_secs(5),
            tls: RedisTls::default(),
        }
    }
}

/// Rate limits shared through Redis, degrading to per-replica limits while Redis is down.
pub struct RedisRateLimiter {
    connection: RedisConnection,
    script: Script,
    options: RedisLimiterOptions,
    breaker: CircuitBreaker,
    fallback: InProcessRateLimiter,
}

impl std::fmt::Debug for RedisRateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may carry a password: leave it out.
        f.debug_struct("RedisRateLimiter")
            .field("options", &self.options)
            .field("breaker", &self.breaker)
            .finish_non_exhaustive()
    }
}

impl RedisRateLimiter {
    /// A limiter on the Redis at `url` (`redis://host:port/db`, or `rediss://` for TLS). Does not connect yet, so a
    /// Redis that is down at start-up only means the fallback is used until it comes up.
    pub fn new(url: &str, options: RedisLimiterOptions) -> Result<Self, RateLimitError> {
        let connection = RedisConnection::new(url, &options.tls, options.timeout)
            .map_err(RateLimitError::Config)?;
        Ok(Self {
            connection,
            script: Script::new(include_str!("gcra.lua")),
            breaker: CircuitBreaker::new(options.failure_threshold, options.cooldown),
            options,
            fallback: InProcessRateLimiter::new(),
        })
    }

    /// Counts one request in Redis only, without fallback or breaker; errors when Redis does
    /// not answer within the timeout.
    pub async fn try_check(
        &self,
        class: &str,
        key: &str,
        quota: Quota,
    ) -> Result<Decision, RateLimitError> {
        let timeout = self.options.timeout;
        tokio::time::timeout(timeout, self.run_script(class, key, quota))
            .await
            .map_err(|_| RateLimitError::Timeout(timeout))?
    }

    async fn run_script(
        &self,
        class: &str,
        key: &str,
        quota: Quota,
    ) -> Result<Decision, RateLimitError> {
        let redis_key = format!("{}:{class}:{key}", self.options.key_prefix);
        // At least 1 µs, so that the script's expiry is never zero.
        let interval_us = u64::try_from(quota.interval().as_micros())
            .unwrap_or(u64::MAX)
            .max(1);
        let limit = quota.per_minute.get();
        let mut invocation = self.script.key(redis_key);
        invocation.arg(interval_us).arg(limit);
        let (allowed, remaining, retry_us, reset_us): (i64, i64, i64, i64) = self
            .connection
            .run(async |connection| invocation.invoke_async(connection).await)
            .await
            .map_err(|e| RateLimitError::Redis(e.to_string()))?;
        Ok(Decision {
            allowed: allowed == 1,
            limit,
            remaining: u32::try_from(remaining.max(0)).unwrap_or(limit).min(limit),
            retry_after: micros(retry_us),
            reset_after: micros(reset_us),
        })
    }
}

fn micros(value: i64) -> Duration {
    Duration::from_micros(u64::try_from(value).unwrap_or(0))
}

#[async_trait::async_trait]
impl RateLimiter for RedisRateLimiter {
    async fn check(&self, class: &str, key: &str, quota: Quota) -> Decision {
        if self.breaker.allows_attempt() {
            match self.try_check(class, key, quota).await {
                Ok(decision) => {
                    if self.breaker.record_success() {
                        tracing::info!("rate_limit.redis_recovered");
                    }
                    return decision;
                }
                Err(error) => {
                    if self.breaker.record_failure() {
                        self.connection.abandon();
                        tracing::warn!(
                            error = %error,
                            cooldown_ms = u64::try_from(self.options.cooldown.as_millis()).unwrap_or(u64::MAX),
                            "rate_limit.redis_unavailable"
                        );
                    }
                }
            }
        }
        self.fallback.decide(class, key, quota)
    }
}
