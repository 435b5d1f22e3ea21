//! Hostile input (issue #11) over HTTP, on both backends: a body says what it means or is
//! refused with nothing recorded, encoded paths are limited and invalidate as the route they
//! reach, kept text is bounded, and expensive requests past their bound get a fast 503.

use crate::helpers::{Backend, TestApp, assert_error_body, raw, spawn_app_with};
use driftguard_core::Role;
use driftguard_test_kit::per_backend;
use reqwest::Method;
use serde_json::{Value, json};
use std::io::Write;
use std::time::Duration;

async fn history_total(app: &TestApp, token: &str, id: i64) -> i64 {
    let (status, body) = app.get(&format!("/models/{id}/deployments"), token).await;
    assert_eq!(status, 200, "{body}");
    body["pagination"]["total"].as_i64().expect("total")
}

/// Before: `Option<web::Json<_>>` turned every body error into "no body", and the attempt
/// was recorded as a default deploy to production.
async fn a_deploy_body_that_does_not_parse_records_nothing(app: TestApp) {
    let approver = app.token_for(Role::Approver).await;
    let model = app.create_model(&approver, "m", "1", "low").await;
    let id = model["id"].as_i64().expect("id");
    let deploy = format!("/models/{id}/deploy");
    let cases: [(&str, &[u8], u16, &str); 6] = [
        (
            "application/json",
            br#"{"environment":"staging",}"#,
            400,
            "bad_request",
        ),
        (
            "application/json",
            br#"{"enviroment":"staging"}"#,
            422,
            "validation_error",
        ),
        (
            "application/json",
            br#"{"override": true, "justification": 5}"#,
            422,
            "validation_error",
        ),
        (
            "application/json",
            br#"{"override": "yes"}"#,
            422,
            "validation_error",
        ),
        (
            "text/plain",
            br#"{"environment":"staging"}"#,
            415,
            "unsupported_media_type",
        ),
        (
            "application/json",
            br#"["staging"]"#,
            422,
            "validation_error",
        ),
    ];
    for (content_type, body, status, code) in cases {
        let (got, response, _) = raw(
            &app,
            Method::POST,
            &deploy,
            content_type,
            body.to_vec(),
            Some(&approver),
        )
        .await;
        assert_eq!(got, status, "{}: {response}", String::from_utf8_lossy(body));
        assert_error_body(&response, status, code);
    }
    let huge = format!(r#"{{"notes": "{}"}}"#, "x".repeat(80 * 1024));
    let (got, _, _) = raw(
        &app,
        Method::POST,
        &deploy,
        "application/json",
        huge.into_bytes(),
        Some(&approver),
    )
    .await;
    assert_eq!(got, 413);
    let retire = format!("/models/{id}/retire");
    let (got, _, _) = raw(
        &app,
        Method::POST,
        &retire,
        "application/json",
        br#"{"notes": "gone",}"#.to_vec(),
        Some(&approver),
    )
    .await;
    assert_eq!(got, 400);
    assert_eq!(
        history_total(&app, &approver, id).await,
        0,
        "nothing recorded"
    );

    // Only an absent or empty body is the default request (blocked: no evaluation).
    for body in [&b""[..], b"{}"] {
        let (got, response, _) = raw(
            &app,
            Method::POST,
            &deploy,
            "application/json",
            body.to_vec(),
            Some(&approver),
        )
        .await;
        assert_eq!(got, 409, "{response}");
        assert_eq!(response["code"], "governance_blocked");
    }
    let (_, rows) = app
        .get(&format!("/models/{id}/deployments"), &approver)
        .await;
    assert_eq!(rows["deployments"][0]["environment"], "production");
    assert_eq!(history_total(&app, &approver, id).await, 2);
}

/// What the history keeps forever is bounded: notes and justifications up to 2,000
/// characters.
async fn kept_text_is_bounded(app: TestApp) {
    let approver = app.token_for(Role::Approver).await;
    let model = app.create_model(&approver, "m", "1", "low").await;
    let id = model["id"].as_i64().expect("id");
    for body in [
        json!({"notes": "n".repeat(2_001)}),
        json!({"override": true, "justification": "j".repeat(2_001)}),
    ] {
        let (status, response) = app
            .post(&format!("/models/{id}/deploy"), Some(&approver), body)
            .await;
        assert_eq!(status, 422, "{response}");
    }
    let (status, response) = app
        .post(
            &format!("/models/{id}/retire"),
            Some(&approver),
            json!({"notes": "r".repeat(2_001)}),
        )
        .await;
    assert_eq!(status, 422, "{response}");
    assert_eq!(history_total(&app, &approver, id).await, 0);
    let (status, response) = app
        .post(
            &format!("/models/{id}/retire"),
            Some(&approver),
            json!({"notes": "é".repeat(2_000)}),
        )
        .await;
    assert_eq!(status, 200, "2,000 characters, not bytes: {response}");
}

/// A write through an encoded path reaches its route, so it invalidates like one.
async fn an_encoded_write_path_invalidates(app: TestApp) {
    let engineer = app.token_for(Role::Engineer).await;
    let summary = |app: &TestApp| {
        let request = app
            .client
            .get(app.url("/dashboard/summary"))
            .bearer_auth(&engineer);
        async move {
            let response = request.send().await.expect("summary");
            let cache = response.headers()["x-cache"]
                .to_str()
                .expect("header")
                .to_owned();
            let body: Value = response.json().await.expect("JSON");
            (cache, body["models"]["total"].clone())
        }
    };
    assert_eq!(summary(&app).await, ("MISS".into(), json!(0)));
    assert_eq!(summary(&app).await, ("HIT".into(), json!(0)));
    let (status, body) = app
        .post(
            "/%6Dodels",
            Some(&engineer),
            json!({"name": "m", "version": "1", "task": "regression", "risk_tier": "low"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(summary(&app).await, ("MISS".into(), json!(1)));
}

/// A viewer's upload is refused before its body is read.
async fn an_upload_is_authorised_before_its_body_is_read(app: TestApp) {
    let viewer = app.token_for(Role::Viewer).await;
    let engineer = app.token_for(Role::Engineer).await;
    let model = app.create_model(&engineer, "m", "1", "low").await;
    let path = format!("/models/{}/reference", model["id"]);
    // The body is announced but never sent: only an answer before reading it can come back.
    let address = app.address.trim_start_matches("http://").to_owned();
    let mut stream = std::net::TcpStream::connect(&address).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        stream,
        "PUT {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {viewer}\r\n\
         Content-Type: text/csv\r\nContent-Length: 100000000\r\n\r\na,b\n"
    )
    .expect("send");
    let mut head = [0_u8; 12];
    std::io::Read::read_exact(&mut stream, &mut head).expect("an answer before the body");
    assert_eq!(&head, b"HTTP/1.1 403");
}

per_backend!(
    crate::helpers::with_app =>
    a_deploy_body_that_does_not_parse_records_nothing,
    kept_text_is_bounded,
    an_encoded_write_path_invalidates,
    an_upload_is_authorised_before_its_body_is_read,
);

/// Past `max_concurrent_uploads`, an upload is refused at once with 503 and `Retry-After`.
async fn uploads_past_the_bound_get_503(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |s| s.limits.max_concurrent_uploads = 1).await else {
        return;
    };
    let engineer = app.token_for(Role::Engineer).await;
    let model = app.create_model(&engineer, "m", "1", "low").await;
    let path = format!("/models/{}/reference", model["id"]);
    // One upload holds the only slot: its body is announced and never finished. A probe can
    // race it for the slot; then the slow one is the refused one, and is opened again.
    let address = app.address.trim_start_matches("http://").to_owned();
    let hold = || {
        let mut slow = std::net::TcpStream::connect(&address).expect("connect");
        write!(
            slow,
            "PUT {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {engineer}\r\n\
             Content-Type: text/csv\r\nContent-Length: 1000\r\n\r\na,b\n"
        )
        .expect("send");
        slow.flush().expect("flush");
        slow.set_nonblocking(true).expect("non-blocking");
        slow
    };
    let answered = |slow: &std::net::TcpStream| {
        let mut byte = [0_u8; 1];
        // Data (an answer) or a close means the slow upload is no longer waiting.
        !matches!(slow.peek(&mut byte), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
    };
    let mut slow = hold();
    let mut refused = None;
    // Up to 10 s: on a loaded machine the slow upload can take a while to reach its handler.
    for _ in 0..250 {
        tokio::time::sleep(Duration::from_millis(40)).await;
        if answered(&slow) {
            slow = hold();
            continue;
        }
        let response = app
            .client
            .put(app.url(&path))
            .bearer_auth(&engineer)
            .header("Content-Type", "text/csv")
            .body("a,b\n1,2\n")
            .send()
            .await
            .expect("upload");
        if response.status() == 503 {
            refused = Some(response);
            break;
        }
    }
    let response = refused.expect("a 503 while the slot is held");
    assert_eq!(response.headers()["retry-after"], "1");
    let body: Value = response.json().await.expect("JSON");
    assert_error_body(&body, 503, "busy");
    drop(slow);
    let mut accepted = false;
    for _ in 0..100 {
        let response = app
            .client
            .put(app.url(&path))
            .bearer_auth(&engineer)
            .header("Content-Type", "text/csv")
            .body("a,b\n1,2\n3,4\n")
            .send()
            .await
            .expect("upload");
        if response.status() != 503 {
            assert_eq!(response.status(), 200);
            accepted = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(accepted, "the slot frees when the slow upload goes away");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_past_the_bound_get_503_on_sqlite() {
    uploads_past_the_bound_get_503(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_past_the_bound_get_503_on_postgres() {
    uploads_past_the_bound_get_503(Backend::Postgres).await;
}
