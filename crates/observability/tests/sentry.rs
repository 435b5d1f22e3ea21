//! Sentry captures errors, and what it captures carries no credentials.

use driftguard_observability::{
    SentrySettings, build_subscriber, init_sentry, scrub_event, sentry_layers, sentry_options,
};
use sentry::protocol::{Event, Level, Request};

fn settings() -> SentrySettings {
    SentrySettings {
        environment: "test".to_owned(),
        ..SentrySettings::default()
    }
}

fn event_with_secrets() -> Event<'static> {
    let mut request = Request {
        method: Some("POST".to_owned()),
        data: Some(r#"{"email":"a@b.c","password":"planted-body-pw"}"#.to_owned()),
        query_string: Some("skip=0&access_token=planted-query".to_owned()),
        cookies: Some("session=planted-cookie".to_owned()),
        url: "https://api.example/auth/login?token=planted-url"
            .parse()
            .ok(),
        ..Request::default()
    };
    request.headers.insert(
        "Authorization".to_owned(),
        "Bearer planted-header".to_owned(),
    );
    request
        .headers
        .insert("Content-Type".to_owned(), "application/json".to_owned());
    let mut event = Event {
        level: Level::Error,
        message: Some("login failed with secret=planted-message".to_owned()),
        request: Some(request),
        ..Event::default()
    };
    event
        .extra
        .insert("api_token".to_owned(), "planted-extra".into());
    event
}

fn assert_clean(event: &Event<'static>) {
    let text = serde_json::to_string(event).expect("events serialise");
    assert!(!text.contains("planted"), "a secret leaked: {text}");
    assert!(
        text.contains("application/json"),
        "the rest is kept: {text}"
    );
    assert!(text.contains("a@b.c"), "the rest is kept: {text}");
}

#[test]
fn scrubbing_removes_every_planted_credential() {
    assert_clean(&scrub_event(event_with_secrets()));
}

#[test]
fn captured_events_pass_through_before_send() {
    let options = sentry_options(&settings()).expect("options");
    let events = sentry::test::with_captured_events_options(
        || {
            sentry::capture_event(event_with_secrets());
        },
        options,
    );
    assert_eq!(events.len(), 1);
    assert_clean(&events[0]);
    assert_eq!(events[0].environment.as_deref(), Some("test"));
    assert!(
        events[0]
            .release
            .as_deref()
            .is_some_and(|r| r.starts_with("driftguard@"))
    );
}

#[test]
fn error_events_from_tracing_are_captured_scrubbed() {
    let options = sentry_options(&settings()).expect("options");
    let events = sentry::test::with_captured_events_options(
        || {
            let subscriber = build_subscriber("info", sentry_layers()).expect("valid level");
            tracing::subscriber::with_default(subscriber, || {
                tracing::error!(password = "planted-field", "database.query_error");
                tracing::info!("not an error");
            });
        },
        options,
    );
    assert_eq!(events.len(), 1, "{events:?}");
    let text = serde_json::to_string(&events[0]).expect("serialises");
    assert!(text.contains("database.query_error"), "{text}");
    assert!(!text.contains("planted"), "{text}");
}

#[test]
fn client_errors_are_not_captured() {
    // A 4xx is logged at WARN by the request log and never at ERROR: Sentry gets nothing.
    let options = sentry_options(&settings()).expect("options");
    let events = sentry::test::with_captured_events_options(
        || {
            let subscriber = build_subscriber("info", sentry_layers()).expect("valid level");
            tracing::subscriber::with_default(subscriber, || {
                tracing::warn!(status = 404, route = "/models/{id}", "api.request_complete");
                tracing::warn!(status = 422, route = "/models", "api.request_complete");
                tracing::warn!("user.login_failed");
            });
        },
        options,
    );
    assert!(events.is_empty(), "{events:?}");
}

#[test]
fn off_without_a_dsn_and_refuses_a_bad_one() {
    assert!(init_sentry(&settings()).expect("no DSN is fine").is_none());
    let bad = SentrySettings {
        dsn: Some("not a dsn".to_owned().into()),
        ..settings()
    };
    assert!(init_sentry(&bad).is_err());
}
