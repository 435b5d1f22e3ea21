//! The Redis outage of `--kill-redis-after`: the load test's own redis-server, SIGKILLed in
//! the middle of the measured phase and optionally started again, empty, on the same port.

use crate::redis_server::Redis;
use std::time::Duration;
use tokio::time::Instant;

/// Kills `redis` at `kill_at`, then, with `restart_after`, starts it again that much later.
pub async fn outage(
    redis: &mut Redis,
    kill_at: Instant,
    restart_after: Option<Duration>,
) -> anyhow::Result<()> {
    tokio::time::sleep_until(kill_at).await;
    redis.kill();
    println!("redis-server killed (SIGKILL)");
    if let Some(after) = restart_after {
        tokio::time::sleep_until(kill_at + after).await;
        redis.restart().await?;
        println!(
            "redis-server restarted, empty, on the same port after {:.1} s",
            kill_at.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
