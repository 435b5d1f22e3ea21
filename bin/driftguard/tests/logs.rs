//! The logs a running server writes: bunyan JSON lines in `app.log` with the seed's events and
//! request ids, and never a password, token or Authorization value. A test binary of its own,
//! because the tracing subscriber is global to a process.

// Shared with the API tests; this binary uses only part of it.
#[allow(dead_code)]
#[path = "api/helpers.rs"]
mod helpers;

use driftguard_observability::{LogSettings, init_tracing};
use helpers::{Backend, spawn_app};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_lines_carry_events_and_never_secrets() {
    let dir = tempfile::tempdir().expect("log folder");
    let guard = init_tracing(&LogSettings {
        dir: dir.path().to_path_buf(),
        level: "info".into(),
        stdout: false,
    })
    .expect("tracing");
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    let password = "Sup3r-Secret-Passw0rd";
    let (status, _) = app
        .post(
            "/auth/register",
            None,
            json!({"email": "logs@example.com", "password": password}),
        )
        .await;
    assert_eq!(status, 201);
    let token = app.login("logs@example.com", password).await;
    let _ = app.get("/auth/me", &token).await;
    let (status, _) = app
        .post(
            "/auth/login",
            None,
            json!({"email": "logs@example.com", "password": "wrong-but-secret-1"}),
        )
        .await;
    assert_eq!(status, 401);
    let response = app
        .client
        .get(app.url("/models?password=in-the-query-1"))
        .header("X-Request-ID", "trace-me-123")
        .bearer_auth(&token)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200);
    drop(guard); // flushes the background writers

    let text = std::fs::read_to_string(dir.path().join("app.log")).expect("app.log");
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("not JSON: {l}")))
        .collect();
    let has = |msg: &str| {
        lines
            .iter()
            .any(|l| l["msg"].as_str().is_some_and(|m| m.ends_with(msg)))
    };
    for event in [
        "api.request_start",
        "api.request_complete",
        "user.login_success",
        "user.login_failed",
    ] {
        assert!(has(event), "no {event} in the log");
    }
    assert!(
        lines.iter().any(|l| l["request_id"] == "trace-me-123"
            && l["msg"]
                .as_str()
                .is_some_and(|m| m.ends_with("api.request_complete"))),
        "the request id is on the request's lines"
    );
    for secret in [
        password,
        "wrong-but-secret-1",
        "in-the-query-1",
        token.as_str(),
    ] {
        assert!(!text.contains(secret), "a secret reached the log: {secret}");
    }
    assert!(
        !text.contains("Bearer "),
        "an Authorization value reached the log"
    );
}
