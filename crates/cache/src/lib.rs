//! DriftGuard's shared-state adapters. For now the rate limiter: a port with an in-process
//! adapter (the default) and a Redis adapter that shares limits between replicas and falls back
//! to the in-process one when Redis is unreachable. The response cache joins it later.

pub mod rate_limit;

pub use rate_limit::{
    Decision, InProcessRateLimiter, Quota, RateLimitError, RateLimiter, RedisLimiterOptions,
    RedisRateLimiter,
};
