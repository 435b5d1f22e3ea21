//! Logs written through the real bunyan layers are JSON lines with no credentials in them.

use driftguard_observability::{LogCapture, SERVICE_NAME, build_subscriber};
use serde_json::json;

fn capture(level: &str, f: impl FnOnce()) -> LogCapture {
    let logs = LogCapture::new();
    let subscriber = logs.subscriber(level).expect("valid level");
    tracing::subscriber::with_default(subscriber, f);
    logs
}

#[test]
fn events_are_bunyan_json_with_span_fields() {
    let logs = capture("info", || {
        let span = tracing::info_span!("http_request", request_id = "req-42");
        let _entered = span.enter();
        tracing::info!(model_id = 7, "model.deployment");
        tracing::debug!("not at info");
    });
    let event = logs
        .find("model.deployment", &[("request_id", json!("req-42"))])
        .expect("the event is logged with its span's fields");
    assert_eq!(event["name"], SERVICE_NAME);
    assert_eq!(event["model_id"], 7);
    assert_eq!(event["level"], 30);
    assert!(logs.find("not at info", &[]).is_none());
}

#[test]
fn planted_secrets_never_reach_a_line() {
    let logs = capture("trace", || {
        let span = tracing::info_span!("login", token = "planted-span-token");
        let _entered = span.enter();
        tracing::warn!(
            email = "a@example.com",
            password = "planted-password",
            authorization = "Bearer planted-bearer",
            "user.login_failed"
        );
        tracing::error!(
            "database.query_error: connect failed for postgres://u:p@h/db?password=planted-url-pw"
        );
        tracing::info!(
            headers = r#"{"Authorization": "Bearer planted-header", "Accept": "*/*"}"#,
            "api.request_start"
        );
        tracing::info!(client_secret = "planted-client-secret", "config");
    });
    let text = logs.text();
    for secret in [
        "planted-span-token",
        "planted-password",
        "planted-bearer",
        "planted-url-pw",
        "planted-header",
        "planted-client-secret",
    ] {
        assert!(!text.contains(secret), "{secret} leaked:\n{text}");
    }
    // The rest of each line survives.
    let failed = logs.find("user.login_failed", &[]).expect("logged");
    assert_eq!(failed["email"], "a@example.com");
    assert_eq!(failed["password"], "[REDACTED]");
    assert!(text.contains("Accept"));
}

#[test]
fn a_bad_level_is_an_error() {
    assert!(build_subscriber("info,=bogus[", Vec::new()).is_err());
}
