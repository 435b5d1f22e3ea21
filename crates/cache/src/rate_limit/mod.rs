//! Rate limiting: the [`RateLimiter`] port, its [`Quota`] and [`Decision`], and two adapters.
//!
//! Both adapters implement the same algorithm, GCRA (the generic cell rate algorithm): a quota
//! of `n` per minute lets a burst of `n` through at once, then one more every `60 s / n`.

mod in_process;
mod redis_limiter;

use std::num::NonZeroU32;
use std::time::Duration;

pub use in_process::InProcessRateLimiter;
pub use redis_limiter::{RedisLimiterOptions, RedisRateLimiter};

/// How many requests a client may make: `per_minute` as a burst, refilled evenly over a minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Quota {
    /// Requests allowed per minute (and the largest burst).
    pub per_minute: NonZeroU32,
}

impl Quota {
    /// A quota of `per_minute` requests a minute.
    pub const fn per_minute(per_minute: NonZeroU32) -> Self {
        Self { per_minute }
    }

    /// The time it takes to earn back one request.
    pub fn interval(&self) -> Duration {
        Duration::from_secs(60) / self.per_minute.get()
    }
}

/// The answer to one [`RateLimiter::check`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// Whether the request may go ahead (it has then been counted).
    pub allowed: bool,
    /// The quota's `per_minute`.
    pub limit: u32,
    /// How many more requests would be allowed right now.
    pub remaining: u32,
    /// How long until the next request would be allowed; zero when this one was.
    pub retry_after: Duration,
    /// How long until the whole burst is available again.
    pub reset_after: Duration,
}

/// Counts requests of one class (say `auth_login`) from one key (say a client IP).
///
/// Infallible by design: an adapter that depends on a remote store answers from a local
/// fallback when the store is unreachable, because refusing or stalling every request when
/// Redis blinks would be worse than per-replica limits for a while.
#[async_trait::async_trait]
pub trait RateLimiter: Send + Sync + std::fmt::Debug {
    /// Counts one request of `class` from `key` against `quota` and says whether it may proceed.
    async fn check(&self, class: &str, key: &str, quota: Quota) -> Decision;
}

/// Why a rate limiter could not be built or could not reach its store.
#[derive(Debug, thiserror::Error)]
pub enum RateLimitError {
    /// The Redis URL or TLS settings were rejected.
    #[error("invalid Redis configuration: {0}")]
    Config(String),
    /// Redis did not answer in time.
    #[error("Redis did not answer within {0:?}")]
    Timeout(Duration),
    /// Redis answered with an error or the connection failed.
    #[error("Redis error: {0}")]
    Redis(String),
}
