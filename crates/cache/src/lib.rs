//! DriftGuard's shared-state adapters: the rate limiter and the answer cache. Each has an
//! in-process adapter (the default, for one replica) and a Redis adapter that every replica
//! shares; a Redis outage degrades to per-replica limits and to no cache, never to errors or
//! stalls.

pub mod answers;
mod breaker;
pub mod rate_limit;
mod redis_connection;
pub mod store;

pub use answers::{AnswerCache, CacheClass, CacheTtls, KEY_SCHEMA_VERSION, Lookup, ModelPage};
pub use rate_limit::{
    Decision, InProcessRateLimiter, Quota, RateLimitError, RateLimiter, RedisLimiterOptions,
    RedisRateLimiter,
};
pub use redis_connection::RedisTls;
pub use store::{Cache, CacheError, CacheExt, InProcessCache, RedisCache, RedisCacheOptions};
