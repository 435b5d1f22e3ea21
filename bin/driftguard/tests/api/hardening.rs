//! The production behaviour of SPEC §4 seen from outside: the seed plan's own checks
//! (CORS from an allowed and a disallowed origin, ten logins and 429s after five, metrics by
//! route pattern), end to end through the real server.

use crate::helpers::{Backend, spawn_app_with};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_logins_then_429_after_five() {
    let app = spawn_app_with(Backend::Sqlite, |s| s.rate_limits.enabled = true)
        .await
        .expect("app");
    let mut statuses = Vec::new();
    for _ in 0..10 {
        let response = app
            .client
            .post(app.url("/auth/login"))
            .json(&json!({"email": "test", "password": "test"}))
            .send()
            .await
            .expect("request");
        statuses.push(response.status().as_u16());
        if response.status() == 429 {
            assert!(response.headers().contains_key("retry-after"));
            assert_eq!(response.headers()["x-ratelimit-limit"], "5");
            let body: serde_json::Value = response.json().await.expect("json");
            assert_eq!(body["detail"], "Rate limit exceeded");
            assert!(body["request_id"].as_str().is_some());
        }
    }
    assert_eq!(&statuses[..5], &[401; 5], "{statuses:?}");
    assert_eq!(&statuses[5..], &[429; 5], "{statuses:?}");
    // Malformed requests count too, and health stays exempt.
    let response = app
        .client
        .post(app.url("/auth/login"))
        .body("{not json")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 429);
    for _ in 0..20 {
        let live = app
            .client
            .get(app.url("/health/live"))
            .send()
            .await
            .expect("request");
        assert_eq!(live.status(), 200);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_allows_only_listed_origins() {
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.cors.origins = vec!["https://yourdomain.com".into()];
    })
    .await
    .expect("app");
    let allowed = app
        .client
        .get(app.url("/health/live"))
        .header("Origin", "https://yourdomain.com")
        .send()
        .await
        .expect("request");
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://yourdomain.com"
    );
    let preflight = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/models"))
        .header("Origin", "https://yourdomain.com")
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "authorization, content-type",
        )
        .send()
        .await
        .expect("request");
    assert_eq!(preflight.status(), 200);
    assert!(
        preflight
            .headers()
            .contains_key("access-control-allow-methods")
    );
    for request in [
        app.client.get(app.url("/health/live")),
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/models"))
            .header("Access-Control-Request-Method", "GET"),
    ] {
        let response = request
            .header("Origin", "https://evil.com")
            .send()
            .await
            .expect("request");
        assert!(
            !response
                .headers()
                .contains_key("access-control-allow-origin"),
            "a disallowed origin got CORS headers"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_use_route_patterns_and_an_optional_token() {
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.metrics.token = Some(secrecy::SecretString::from("scrape-token".to_owned()));
    })
    .await
    .expect("app");
    let _ = app
        .client
        .get(app.url("/models/12345"))
        .send()
        .await
        .expect("request");
    let denied = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("request");
    assert_eq!(denied.status(), 401);
    let text = app.metrics_text(Some("scrape-token")).await;
    assert!(text.contains(r#"endpoint="/models/{id}""#), "{text}");
    assert!(
        !text.contains("/models/12345"),
        "raw paths must not be labels"
    );
    for name in [
        "app_requests_total",
        "app_request_duration_seconds_bucket",
        "database_connections_active",
    ] {
        assert!(text.contains(name), "missing {name}");
    }
}
