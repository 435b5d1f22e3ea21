//! The middleware wrapped in the documented order work together: a 429 keeps its CORS and
//! request-id headers, is logged with the id and counted.

use std::num::NonZeroU32;
use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::http::header::{ACCESS_CONTROL_ALLOW_ORIGIN, ORIGIN};
use actix_web::{App, HttpResponse, test, web};
use driftguard_cache::InProcessRateLimiter;
use driftguard_observability::{LogCapture, Metrics};
use serde_json::json;

use super::cors::{CorsSettings, cors};
use super::metrics::RecordMetrics;
use super::rate_limit::RateLimit;
use super::rate_limit_rules::RateLimitSettings;
use super::request_id::{AssignRequestId, X_REQUEST_ID};
use super::request_log::RequestLog;

#[actix_web::test]
async fn a_rate_limited_request_keeps_cors_and_request_id_and_is_logged_and_counted() {
    let logs = LogCapture::new();
    let _installed = tracing::subscriber::set_default(logs.subscriber("info").expect("level"));
    // Tests on other threads may have cached "no subscriber wants this" for the request
    // span's call site before this subscriber was installed.
    tracing::callsite::rebuild_interest_cache();
    let metrics = Metrics::new().expect("registry");
    let limits = RateLimitSettings {
        auth_login: NonZeroU32::MIN,
        ..RateLimitSettings::default()
    };
    let origins = CorsSettings {
        origins: vec!["https://app.example.com".to_owned()],
        allow_credentials: false,
    };
    let limiter = Arc::new(InProcessRateLimiter::new());
    let app = test::init_service(
        App::new()
            .route("/auth/login", web::post().to(HttpResponse::Ok))
            .wrap(RateLimit::new(limits, limiter, metrics.clone()).expect("settings"))
            .wrap(RecordMetrics::new(metrics.clone()))
            .wrap(RequestLog)
            .wrap(AssignRequestId)
            .wrap(cors(&origins)),
    )
    .await;
    let login = |id: &'static str| {
        test::TestRequest::post()
            .uri("/auth/login")
            .peer_addr("203.0.113.7:5000".parse().expect("address"))
            .insert_header((ORIGIN, "https://app.example.com"))
            .insert_header((X_REQUEST_ID, id))
    };
    assert_eq!(
        login("first").send_request(&app).await.status(),
        StatusCode::OK
    );
    let refused = login("second").send_request(&app).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        refused
            .headers()
            .get(ACCESS_CONTROL_ALLOW_ORIGIN)
            .map(|v| v.as_bytes()),
        Some(&b"https://app.example.com"[..])
    );
    assert_eq!(
        refused.headers().get(&X_REQUEST_ID).map(|v| v.as_bytes()),
        Some(&b"second"[..])
    );

    let complete = logs
        .find("api.request_complete", &[("request_id", json!("second"))])
        .expect("the refusal is logged with its id");
    assert_eq!(complete["status"], 429);
    assert!(
        logs.find("api.rate_limited", &[("request_id", json!("second"))])
            .is_some()
    );
    let text = metrics.render();
    assert!(
        text.contains(r#"rate_limited_total{class="auth_login"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"app_requests_total{endpoint="/auth/login",method="POST",status="200"} 1"#),
        "{text}"
    );
    // Refused before routing, yet labelled by pattern: actix matches it from the route map.
    assert!(
        text.contains(r#"app_requests_total{endpoint="/auth/login",method="POST",status="429"} 1"#),
        "{text}"
    );
}
