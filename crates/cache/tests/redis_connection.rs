//! Each Redis adapter sends every command on one shared connection: many requests at once
//! pipeline their commands on it instead of each taking (and checking) a pooled connection,
//! and a connection Redis broke is replaced by the next command.

mod support;

use std::sync::Arc;
use std::time::Duration;

use driftguard_cache::{
    Cache, RedisCache, RedisCacheOptions, RedisLimiterOptions, RedisRateLimiter,
};
use driftguard_test_kit::{free_port, start_redis};
use support::{quota, unique_prefix};
use tokio::task::JoinSet;

const LONG: Duration = Duration::from_secs(60);

/// What `INFO clients` says of `field` on the Redis at `port`, asked on a connection of its
/// own (counted among the clients).
async fn clients_info(port: u16, field: &str) -> u64 {
    let client = redis::Client::open(format!("redis://127.0.0.1:{port}")).expect("a valid URL");
    let mut admin = client
        .get_multiplexed_async_connection()
        .await
        .expect("an admin connection");
    let info: String = redis::cmd("INFO")
        .arg("clients")
        .query_async(&mut admin)
        .await
        .expect("INFO clients");
    info.lines()
        .find_map(|line| line.strip_prefix(&format!("{field}:")))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {field} in {info}"))
}

#[tokio::test]
async fn two_hundred_requests_at_once_share_one_connection_an_adapter() {
    let port = free_port();
    let Some(_server) = start_redis(port) else {
        return;
    };
    let url = format!("redis://127.0.0.1:{port}");
    let generous = Duration::from_secs(2);
    let cache = Arc::new(
        RedisCache::new(
            &url,
            RedisCacheOptions {
                key_prefix: unique_prefix(),
                timeout: generous,
                ..RedisCacheOptions::default()
            },
        )
        .expect("a valid URL"),
    );
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
    // The server may take a moment to listen.
    for _ in 0..50 {
        if cache.get("probe").await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

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
        clients_info(port, "connected_clients").await,
        3,
        "the cache's, the limiter's and the one asking"
    );
}

#[tokio::test]
async fn a_connection_redis_closed_is_replaced_by_the_next_command() {
    let port = free_port();
    let Some(_server) = start_redis(port) else {
        return;
    };
    let cache = RedisCache::new(
        &format!("redis://127.0.0.1:{port}"),
        RedisCacheOptions {
            key_prefix: unique_prefix(),
            timeout: Duration::from_secs(2),
            // Not opened by the one failure this test causes.
            failure_threshold: 10,
            ..RedisCacheOptions::default()
        },
    )
    .expect("a valid URL");
    for _ in 0..50 {
        if cache.get("probe").await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let client = redis::Client::open(format!("redis://127.0.0.1:{port}")).expect("a valid URL");
    let mut admin = client
        .get_multiplexed_async_connection()
        .await
        .expect("an admin connection");
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
        clients_info(port, "connected_clients").await,
        3,
        "the admin's, the cache's new one and the one asking"
    );
}

#[tokio::test]
async fn the_probe_after_the_breaker_opened_comes_on_a_new_connection() {
    let port = free_port();
    let Some(_server) = start_redis(port) else {
        return;
    };
    let cache = RedisCache::new(
        &format!("redis://127.0.0.1:{port}"),
        RedisCacheOptions {
            key_prefix: unique_prefix(),
            timeout: Duration::from_millis(100),
            failure_threshold: 1,
            cooldown: Duration::from_millis(200),
            ..RedisCacheOptions::default()
        },
    )
    .expect("a valid URL");
    for _ in 0..50 {
        if cache.get("probe").await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let client = redis::Client::open(format!("redis://127.0.0.1:{port}")).expect("a valid URL");
    let mut admin = client
        .get_multiplexed_async_connection()
        .await
        .expect("an admin connection");
    let accepted = |info: String| -> u64 {
        info.lines()
            .find_map(|line| line.strip_prefix("total_connections_received:"))
            .and_then(|value| value.trim().parse().ok())
            .unwrap_or_else(|| panic!("no total_connections_received in {info}"))
    };
    let stats = redis::cmd("INFO").arg("stats").clone();
    let before = accepted(stats.query_async(&mut admin).await.expect("INFO"));
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
    let after = accepted(stats.query_async(&mut admin).await.expect("INFO"));
    assert_eq!(after, before + 1, "the probe opened one new connection");
}
