//! Each Redis adapter sends every command on one shared connection: many requests at once
//! pipeline their commands on it instead of each taking (and checking) a pooled connection,
//! and a connection Redis broke is replaced by the next command.

mod support;

use std::sync::Arc;
use std::time::Duration;

use driftguard_cache::{
    Cache, RedisCache, RedisCacheOptions, RedisLimiterOptions, RedisRateLimiter,
};
use driftguard_test_kit::{RedisServer, free_port, start_redis};
use redis::aio::MultiplexedConnection;
use support::{quota, unique_prefix};
use tokio::task::JoinSet;

const LONG: Duration = Duration::from_secs(60);

/// A connection of the test's own to the Redis at `url`, to inspect or disturb it.
async fn admin(url: &str) -> MultiplexedConnection {
    redis::Client::open(url)
        .expect("a valid URL")
        .get_multiplexed_async_connection()
        .await
        .expect("an admin connection")
}

/// The number `INFO {section}` gives for `field`, asked on `admin`.
async fn info(admin: &mut MultiplexedConnection, section: &str, field: &str) -> u64 {
    let info: String = redis::cmd("INFO")
        .arg(section)
        .query_async(admin)
        .await
        .expect("INFO");
    info.lines()
        .find_map(|line| line.strip_prefix(&format!("{field}:")))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {field} in {info}"))
}

/// How many clients the Redis at `url` has, asked on a connection of its own (counted).
async fn connected_clients(url: &str) -> u64 {
    info(&mut admin(url).await, "clients", "connected_clients").await
}

/// A Redis server of the test's own, listening; `None` when none can be started here.
fn own_redis() -> Option<RedisServer> {
    let server = start_redis(free_port())?;
    server.wait_until_ready();
    Some(server)
}

/// A cache on `url` with these options and a key prefix of its own.
fn cache_on(url: &str, options: RedisCacheOptions) -> RedisCache {
    let options = RedisCacheOptions {
        key_prefix: unique_prefix(),
        ..options
    };
    RedisCache::new(url, options).expect("a valid URL")
}

#[tokio::test]
async fn two_hundred_requests_at_once_share_one_connection_an_adapter() {
    let Some(server) = own_redis() else {
        return;
    };
    let url = server.url();
    let generous = Duration::from_secs(2);
    let cache = Arc::new(cache_on(
        &url,
        RedisCacheOptions {
            timeout: generous,
            ..RedisCacheOptions::default()
        },
    ));
    let limiter = Arc::new(
        RedisRateLimiter::new(
            &url,
            RedisLimiterOptions {
                key_prefix: unique_prefix(),
                timeout: generous,
                ..RedisLimiterOptions::default()
            },
        )
        .expect("a valid URL"),
    );

    let mut requests = JoinSet::new();
    for i in 0..200 {
        let (cache, limiter) = (cache.clone(), limiter.clone());
        requests.spawn(async move {
            let key = format!("k{i}");
            cache.set(&key, b"v".to_vec(), LONG).await;
            let cached = cache.get(&key).await;
            let counted = limiter.try_check("api", &key, quota(10)).await;
            (cached, counted)
        });
    }
    while let Some(done) = requests.join_next().await {
        let (cached, counted) = done.expect("the request ran");
        assert_eq!(cached.expect("Redis answers"), Some(b"v".to_vec()));
        assert!(counted.expect("Redis answers").allowed);
    }
    assert_eq!(
        connected_clients(&url).await,
        3,
        "the cache's, the limiter's and the one asking"
    );
}

#[tokio::test]
async fn a_connection_redis_closed_is_replaced_by_the_next_command() {
    let Some(server) = own_redis() else {
        return;
    };
    let cache = cache_on(
        &server.url(),
        RedisCacheOptions {
            timeout: Duration::from_secs(2),
            // Not opened by the one failure this test causes.
            failure_threshold: 10,
            ..RedisCacheOptions::default()
        },
    );
    assert_eq!(cache.get("probe").await.expect("Redis answers"), None);
    let mut admin = admin(&server.url()).await;
    // Every normal client but the one asking: the cache's connection.
    let _: () = redis::cmd("CLIENT")
        .arg("KILL")
        .arg("TYPE")
        .arg("normal")
        .arg("SKIPME")
        .arg("yes")
        .query_async(&mut admin)
        .await
        .expect("CLIENT KILL");

    // The command that finds the connection closed fails (or, if the close was seen first,
    // already reconnects); the next one has a new connection either way.
    let _ = cache.get("k").await;
    cache.fill("k", b"v".to_vec(), LONG).await;
    assert_eq!(
        cache.get("k").await.expect("reconnected"),
        Some(b"v".to_vec())
    );
    assert_eq!(
        connected_clients(&server.url()).await,
        3,
        "the admin's, the cache's new one and the one asking"
    );
}

#[tokio::test]
async fn the_probe_after_the_breaker_opened_comes_on_a_new_connection() {
    let Some(server) = own_redis() else {
        return;
    };
    let cache = cache_on(
        &server.url(),
        RedisCacheOptions {
            timeout: Duration::from_millis(100),
            failure_threshold: 1,
            cooldown: Duration::from_millis(200),
            ..RedisCacheOptions::default()
        },
    );
    assert_eq!(cache.get("probe").await.expect("Redis answers"), None);
    let mut admin = admin(&server.url()).await;
    let accepted = "total_connections_received";
    let before = info(&mut admin, "stats", accepted).await;
    // Redis stops answering, as a host gone silent does, but keeps the connection open.
    let _: () = redis::cmd("CLIENT")
        .arg("PAUSE")
        .arg(400)
        .arg("ALL")
        .query_async(&mut admin)
        .await
        .expect("CLIENT PAUSE");
    assert!(
        cache.get("k").await.is_err(),
        "times out: the breaker opens"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;

    assert_eq!(cache.get("k").await.expect("the probe"), None);
    let after = info(&mut admin, "stats", accepted).await;
    assert_eq!(after, before + 1, "the probe opened one new connection");
}
