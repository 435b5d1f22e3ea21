//! Tests of the rate-limit middleware on a tiny app.

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::{App, HttpResponse, test, web};
use driftguard_cache::InProcessRateLimiter;

use super::*;
use crate::middleware::request_id::{AssignRequestId, X_REQUEST_ID};

fn limit(settings: RateLimitSettings, metrics: &Metrics) -> RateLimit {
    RateLimit::new(
        settings,
        Arc::new(InProcessRateLimiter::new()),
        metrics.clone(),
    )
    .expect("valid settings")
}

fn peer(ip: &str) -> SocketAddr {
    SocketAddr::new(ip.parse().expect("valid test IP"), 40000)
}

fn header<B>(res: &ServiceResponse<B>, name: &str) -> String {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

macro_rules! app {
    ($limit:expr) => {
        test::init_service(
            App::new()
                .route("/auth/login", web::post().to(HttpResponse::Ok))
                .route("/health/live", web::get().to(HttpResponse::Ok))
                .route("/models", web::get().to(HttpResponse::Ok))
                .wrap($limit)
                .wrap(AssignRequestId),
        )
        .await
    };
}

fn login(ip: &str) -> test::TestRequest {
    test::TestRequest::post()
        .uri("/auth/login")
        .peer_addr(peer(ip))
}

#[actix_web::test]
async fn the_sixth_login_in_a_minute_gets_429_with_headers_and_json() {
    let metrics = Metrics::new().expect("registry");
    let app = app!(limit(RateLimitSettings::default(), &metrics));
    for expected_remaining in ["4", "3", "2", "1", "0"] {
        let res = login("203.0.113.1").send_request(&app).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(header(&res, "x-ratelimit-limit"), "5");
        assert_eq!(header(&res, "x-ratelimit-remaining"), expected_remaining);
        assert!(!header(&res, "x-ratelimit-reset").is_empty());
    }
    let res = login("203.0.113.1")
        .insert_header((X_REQUEST_ID, "rl-1"))
        .send_request(&app)
        .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = header(&res, "retry-after").parse().expect("whole seconds");
    assert!((1..=12).contains(&retry), "{retry}");
    assert_eq!(header(&res, "x-ratelimit-remaining"), "0");
    assert_eq!(header(&res, "x-ratelimit-limit"), "5");
    assert_eq!(header(&res, "x-request-id"), "rl-1");
    let body: serde_json::Value = test::read_body_json(res).await;
    assert_eq!(
        body,
        serde_json::json!({"detail": "Rate limit exceeded", "code": "rate_limited", "request_id": "rl-1"})
    );
    assert!(
        metrics
            .render()
            .contains(r#"rate_limited_total{class="auth_login"} 1"#)
    );
    // Another client and another class are unaffected.
    assert_eq!(
        login("203.0.113.2").send_request(&app).await.status(),
        StatusCode::OK
    );
    let other = test::TestRequest::get()
        .uri("/models")
        .peer_addr(peer("203.0.113.1"));
    assert_eq!(other.send_request(&app).await.status(), StatusCode::OK);
}

#[actix_web::test]
async fn malformed_and_unrouted_requests_count_too_and_health_is_exempt() {
    let metrics = Metrics::new().expect("registry");
    let settings = RateLimitSettings {
        default: NonZeroU32::MIN,
        ..RateLimitSettings::default()
    };
    let app = app!(limit(settings, &metrics));
    let unrouted = || {
        test::TestRequest::get()
            .uri("/nope")
            .peer_addr(peer("198.51.100.3"))
    };
    assert_eq!(
        unrouted().send_request(&app).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        unrouted().send_request(&app).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    for _ in 0..5 {
        let health = test::TestRequest::get()
            .uri("/health/live")
            .peer_addr(peer("198.51.100.3"));
        let res = health.send_request(&app).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.headers().get("x-ratelimit-limit").is_none());
    }
}

#[actix_web::test]
async fn forwarded_for_is_believed_only_from_trusted_proxies() {
    let metrics = Metrics::new().expect("registry");
    let settings = RateLimitSettings {
        auth_login: NonZeroU32::MIN,
        trusted_proxies: vec!["10.0.0.0/8".to_owned()],
        ..RateLimitSettings::default()
    };
    let app = app!(limit(settings, &metrics));
    let via = |peer_ip: &str, client: &str| {
        login(peer_ip).insert_header(("x-forwarded-for", client.to_owned()))
    };
    // Untrusted peer: a new forged address each time does not help.
    assert_eq!(
        via("203.0.113.9", "1.1.1.1")
            .send_request(&app)
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        via("203.0.113.9", "2.2.2.2")
            .send_request(&app)
            .await
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    // Trusted proxy: each forwarded client has its own budget, the proxy itself none.
    assert_eq!(
        via("10.0.0.1", "198.51.100.1")
            .send_request(&app)
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        via("10.0.0.1", "198.51.100.2")
            .send_request(&app)
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        via("10.0.0.2", "198.51.100.1")
            .send_request(&app)
            .await
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[actix_web::test]
async fn disabled_means_no_limits_and_bad_proxies_are_refused() {
    let metrics = Metrics::new().expect("registry");
    let settings = RateLimitSettings {
        enabled: false,
        auth_login: NonZeroU32::MIN,
        ..RateLimitSettings::default()
    };
    let app = app!(limit(settings, &metrics));
    for _ in 0..3 {
        assert_eq!(
            login("203.0.113.1").send_request(&app).await.status(),
            StatusCode::OK
        );
    }
    let bad = RateLimitSettings {
        trusted_proxies: vec!["not-an-ip".to_owned()],
        ..RateLimitSettings::default()
    };
    assert!(RateLimit::new(bad, Arc::new(InProcessRateLimiter::new()), metrics).is_err());
}

/// Issue #11: `/auth/%6Cogin` reaches login, so it is counted as login.
#[actix_web::test]
async fn an_encoded_path_is_limited_as_the_route_it_reaches() {
    let metrics = Metrics::new().expect("registry");
    let app = app!(limit(RateLimitSettings::default(), &metrics));
    let encoded = |path: &str| {
        test::TestRequest::post()
            .uri(path)
            .peer_addr(peer("203.0.113.9"))
    };
    for path in [
        "/auth/%6Cogin",
        "/auth/login",
        "/%61uth/login",
        "/auth/lo%67in",
        "/auth/login",
    ] {
        let res = encoded(path).send_request(&app).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert_eq!(
            header(&res, "x-ratelimit-limit"),
            "5",
            "{path}: the login class"
        );
    }
    let res = encoded("/auth/%6C%6Fgin").send_request(&app).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}

/// Issue #11: an IPv6 client is its /64; walking its addresses buys no new quota.
#[actix_web::test]
async fn ipv6_clients_are_keyed_by_their_64() {
    let metrics = Metrics::new().expect("registry");
    let app = app!(limit(RateLimitSettings::default(), &metrics));
    for host in 1..=5 {
        let res = login(&format!("2001:db8:1:2::{host:x}"))
            .send_request(&app)
            .await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    let res = login("2001:db8:1:2:ffff::1").send_request(&app).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "same /64");
    let res = login("2001:db8:1:3::1").send_request(&app).await;
    assert_eq!(res.status(), StatusCode::OK, "another /64");
    assert_eq!(
        client_ip::limiter_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd".parse().expect("ip")),
        "2001:db8:1:2::/64"
    );
    assert_eq!(
        client_ip::limiter_key("192.0.2.7".parse().expect("ip")),
        "192.0.2.7"
    );
}
