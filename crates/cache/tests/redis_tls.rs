//! `rediss://`: both Redis adapters reach a redis-server that listens on a TLS port only,
//! trusting the CA the settings name, and refuse one whose certificate another CA signed.

mod support;

use std::time::Duration;

use driftguard_cache::{
    Cache, RedisCache, RedisCacheOptions, RedisLimiterOptions, RedisRateLimiter, RedisTls,
};
use driftguard_test_kit::{TestCertificates, start_tls_redis};
use support::{quota, unique_prefix};

/// Generous: the first call also makes the TLS handshake, on a busy 2-core machine.
const TIMEOUT: Duration = Duration::from_secs(2);

fn trusting(certs: &TestCertificates, ca: &str) -> RedisTls {
    RedisTls {
        ca_file: Some(certs.path(ca)),
        ..RedisTls::default()
    }
}

fn limiter(url: &str, tls: RedisTls) -> RedisRateLimiter {
    RedisRateLimiter::new(
        url,
        RedisLimiterOptions {
            key_prefix: unique_prefix(),
            timeout: TIMEOUT,
            tls,
            ..RedisLimiterOptions::default()
        },
    )
    .expect("valid settings")
}

#[tokio::test]
async fn both_adapters_speak_tls_with_the_configured_ca() {
    let certs = TestCertificates::generate();
    let Some(server) = start_tls_redis(&certs) else {
        return;
    };
    server.wait_until_ready();
    assert!(server.url().starts_with("rediss://"));

    let decision = limiter(&server.url(), trusting(&certs, "ca.pem"))
        .try_check("login", "client", quota(5))
        .await
        .expect("the limiter reaches Redis over TLS");
    assert!(decision.allowed);

    let cache = RedisCache::new(
        &server.url(),
        RedisCacheOptions {
            key_prefix: unique_prefix(),
            timeout: TIMEOUT,
            tls: trusting(&certs, "ca.pem"),
            ..RedisCacheOptions::default()
        },
    )
    .expect("valid settings");
    cache
        .set("answer", b"42".to_vec(), Duration::from_secs(60))
        .await;
    assert_eq!(
        cache
            .get("answer")
            .await
            .expect("the cache reaches Redis over TLS"),
        Some(b"42".to_vec())
    );
}

#[tokio::test]
async fn a_server_signed_by_another_ca_is_refused() {
    let certs = TestCertificates::generate();
    let Some(server) = start_tls_redis(&certs) else {
        return;
    };
    server.wait_until_ready();
    let error = limiter(&server.url(), trusting(&certs, "other-ca.pem"))
        .try_check("login", "client", quota(5))
        .await
        .expect_err("refused");
    assert!(error.to_string().contains("UnknownIssuer"), "{error}");
}

#[test]
fn tls_files_need_a_rediss_url() {
    let certs = TestCertificates::generate();
    let error = RedisRateLimiter::new(
        "redis://127.0.0.1:6379",
        RedisLimiterOptions {
            tls: trusting(&certs, "ca.pem"),
            ..RedisLimiterOptions::default()
        },
    )
    .expect_err("refused");
    assert!(error.to_string().contains("not rediss://"), "{error}");
}
