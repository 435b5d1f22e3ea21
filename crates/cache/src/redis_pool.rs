//! The Redis connection pool both Redis adapters use: it connects lazily (a Redis that is
//! down at start-up costs nothing until it is used) and bounds every wait by one timeout.

use std::time::Duration;

use deadpool_redis::{Config, Pool, PoolConfig, Runtime, Timeouts};

/// A pool of at most `max_connections` connections to `url`; waiting for, opening and
/// recycling a connection each give up after `timeout`. The error is the rejected setting.
pub(crate) fn redis_pool(
    url: &str,
    max_connections: usize,
    timeout: Duration,
) -> Result<Pool, String> {
    let mut config = Config::from_url(url);
    let mut pool = PoolConfig::new(max_connections.max(1));
    pool.timeouts = Timeouts {
        wait: Some(timeout),
        create: Some(timeout),
        recycle: Some(timeout),
    };
    config.pool = Some(pool);
    config
        .create_pool(Some(Runtime::Tokio1))
        .map_err(|e| e.to_string())
}
