//! Logs written through the real bunyan layers are JSON lines with no credentials in them.

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};

use driftguard_observability::{SERVICE_NAME, build_subscriber, json_layer};

/// A shared in-memory log, written through the same layers production uses.
#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Buffer {
    fn lines(&self) -> Vec<serde_json::Value> {
        let bytes = self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        String::from_utf8(bytes)
            .expect("log output is UTF-8")
            .lines()
            .map(|line| serde_json::from_str(line).expect("every log line is JSON"))
            .collect()
    }
}

/// Whether a line is the event `name`; inside a span the formatter prefixes the span's name.
fn is_event(line: &serde_json::Value, name: &str) -> bool {
    line["msg"].as_str().is_some_and(|msg| msg.ends_with(name))
}

fn capture(level: &str, f: impl FnOnce()) -> (Buffer, String) {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber =
        build_subscriber(level, vec![json_layer(move || writer.clone())]).expect("valid level");
    tracing::subscriber::with_default(subscriber, f);
    let text = String::from_utf8_lossy(&buffer.0.lock().unwrap_or_else(PoisonError::into_inner))
        .into_owned();
    (buffer, text)
}

#[test]
fn events_are_bunyan_json_with_span_fields() {
    let (buffer, _) = capture("info", || {
        let span = tracing::info_span!("http_request", request_id = "req-42");
        let _entered = span.enter();
        tracing::info!(model_id = 7, "model.deployment");
        tracing::debug!("not at info");
    });
    let lines = buffer.lines();
    let event = lines
        .iter()
        .find(|l| is_event(l, "model.deployment"))
        .expect("the event is logged");
    assert_eq!(event["name"], SERVICE_NAME);
    assert_eq!(event["request_id"], "req-42");
    assert_eq!(event["model_id"], 7);
    assert_eq!(event["level"], 30);
    assert!(!lines.iter().any(|l| is_event(l, "not at info")));
}

#[test]
fn planted_secrets_never_reach_a_line() {
    let (buffer, text) = capture("trace", || {
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
    let lines = buffer.lines();
    let failed = lines
        .iter()
        .find(|l| is_event(l, "user.login_failed"))
        .expect("logged");
    assert_eq!(failed["email"], "a@example.com");
    assert_eq!(failed["password"], "[REDACTED]");
    assert!(text.contains("Accept"));
}

#[test]
fn a_bad_level_is_an_error() {
    assert!(build_subscriber("info,=bogus[", Vec::new()).is_err());
}
