//! The error policy over HTTP: every error is the JSON body with a request id, whatever
//! produced it, and no malformed input gets a 500.

use crate::helpers::{TestApp, assert_error_body, raw};
use driftguard_core::Role;
use driftguard_test_kit::per_backend;

async fn malformed_bodies_get_json_errors(app: TestApp) {
    let engineer = app.token_for(Role::Engineer).await;
    let post = reqwest::Method::POST;
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        (
            "application/json",
            b"{not json".to_vec(),
            400,
            "bad_request",
        ),
        ("application/json", b"".to_vec(), 400, "bad_request"),
        (
            "application/json",
            vec![0xff, 0xfe, 0x00],
            400,
            "bad_request",
        ),
        (
            "application/json",
            b"[1, 2]".to_vec(),
            422,
            "validation_error",
        ),
        (
            "application/json",
            br#"{"name": 5}"#.to_vec(),
            422,
            "validation_error",
        ),
        (
            "text/plain",
            b"hello".to_vec(),
            415,
            "unsupported_media_type",
        ),
        ("application/json", vec![b' '; 128 * 1024], 413, "too_large"),
    ];
    for (content_type, body, status, code) in cases {
        let (got, response, _) = raw(
            &app,
            post.clone(),
            "/models",
            content_type,
            body,
            Some(&engineer),
        )
        .await;
        assert_eq!(got, status, "{content_type}: {response}");
        assert_error_body(&response, status, code);
    }
}

async fn unknown_routes_and_bad_ids_are_json_404s(app: TestApp) {
    let viewer = app.token_for(Role::Viewer).await;
    for path in ["/nope", "/models/abc", "/models/99999999", "/models/1/2/3"] {
        let (status, body) = app.get(path, &viewer).await;
        assert_eq!(status, 404, "{path}: {body}");
        assert_error_body(&body, 404, "not_found");
    }
    let (status, body, _) = raw(
        &app,
        reqwest::Method::PUT,
        "/auth/me",
        "application/json",
        b"{}".to_vec(),
        Some(&viewer),
    )
    .await;
    assert!(status == 404 || status == 405, "{status}: {body}");
    assert!(body["code"].as_str().is_some());
}

async fn request_ids_are_kept_or_made(app: TestApp) {
    let response = app
        .client
        .get(app.url("/health/live"))
        .header("X-Request-ID", "abc-123")
        .send()
        .await
        .expect("request");
    assert_eq!(response.headers()["x-request-id"], "abc-123");
    let response = app
        .client
        .get(app.url("/nope"))
        .send()
        .await
        .expect("request");
    let id = response.headers()["x-request-id"]
        .to_str()
        .expect("id")
        .to_owned();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["request_id"], id);
}

async fn health_probes_answer(app: TestApp) {
    for path in ["/health/live", "/health/ready"] {
        let response = app.client.get(app.url(path)).send().await.expect("request");
        assert_eq!(response.status(), 200, "{path}");
        let body: serde_json::Value = response.json().await.expect("json");
        assert_eq!(body["status"], "ok");
    }
}

per_backend!(
    crate::helpers::with_app =>
    malformed_bodies_get_json_errors,
    unknown_routes_and_bad_ids_are_json_404s,
    request_ids_are_kept_or_made,
    health_probes_answer
);
