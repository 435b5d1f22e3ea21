//! Sentry error tracking: on only when a DSN is set, with credentials scrubbed from every
//! event before it leaves the process.

use secrecy::{ExposeSecret, SecretString};
use sentry::protocol::{Context, Event, Request};
use sentry::{ClientInitGuard, ClientOptions};
use serde::Deserialize;
use serde_json::Value;
use tracing_subscriber::Layer;
use tracing_subscriber::filter::LevelFilter;

use crate::error::ObservabilityError;
use crate::logging::BoxedLayer;
use crate::redact::{
    REDACTED, is_sensitive_key, redact_body, redact_json, redact_query, scrub_text,
};

/// Sentry settings. Without a DSN nothing is sent.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct SentrySettings {
    /// The project DSN (it carries a key, hence secret). Default none: Sentry off.
    pub dsn: Option<SecretString>,
    /// The environment events are tagged with. Default `development`.
    pub environment: String,
    /// The share of requests traced. Default 0.1.
    pub traces_sample_rate: f32,
}

impl Default for SentrySettings {
    fn default() -> Self {
        Self {
            dsn: None,
            environment: "development".to_owned(),
            traces_sample_rate: 0.1,
        }
    }
}

/// The client options for `settings`: environment, release, sample rate, no default PII and
/// [`scrub_event`] as `before_send`. Also used by tests with Sentry's test transport.
pub fn sentry_options(settings: &SentrySettings) -> Result<ClientOptions, ObservabilityError> {
    let dsn = match &settings.dsn {
        Some(dsn) if !dsn.expose_secret().trim().is_empty() => Some(
            dsn.expose_secret()
                .trim()
                .parse::<sentry::types::Dsn>()
                .map_err(|e| ObservabilityError::SentryDsn(e.to_string()))?,
        ),
        _ => None,
    };
    let mut options = ClientOptions::new()
        .environment(settings.environment.clone())
        .release(concat!("driftguard@", env!("CARGO_PKG_VERSION")))
        .traces_sample_rate(settings.traces_sample_rate)
        .send_default_pii(false)
        .before_send(|event| Some(scrub_event(event)));
    // Set as a field: the builder's `dsn` panics on a bad value instead of reporting it.
    options.dsn = dsn;
    Ok(options)
}

/// Starts Sentry when a DSN is set; keep the guard for the life of the process (dropping it
/// flushes pending events). `Ok(None)` when no DSN is set.
pub fn init_sentry(
    settings: &SentrySettings,
) -> Result<Option<ClientInitGuard>, ObservabilityError> {
    let options = sentry_options(settings)?;
    if options.dsn.is_none() {
        return Ok(None);
    }
    Ok(Some(sentry::init(options)))
}

/// The tracing layers feeding Sentry: ERROR events become Sentry events, INFO and above spans
/// become (sampled) transactions. Without a Sentry client they do nothing.
pub fn sentry_layers() -> Vec<BoxedLayer> {
    vec![
        sentry::integrations::tracing::ErrorLayer::new()
            .with_filter(LevelFilter::ERROR)
            .boxed(),
        sentry::integrations::tracing::SpanLayer::new()
            .with_filter(LevelFilter::INFO)
            .boxed(),
    ]
}

/// Removes credentials from an event: cookies, credential headers and query parameters,
/// sensitive keys in the request body, extra data, tags, contexts and breadcrumbs, and
/// credentials in messages.
pub fn scrub_event(mut event: Event<'static>) -> Event<'static> {
    if let Some(request) = event.request.as_mut() {
        scrub_request(request);
    }
    for (key, value) in event.extra.iter_mut() {
        redact_pair(key, value);
    }
    for (key, value) in event.tags.iter_mut() {
        if is_sensitive_key(key) {
            *value = REDACTED.to_owned();
        } else {
            scrub_string(value);
        }
    }
    for context in event.contexts.values_mut() {
        if let Context::Other(map) = context {
            for (key, value) in map.iter_mut() {
                redact_pair(key, value);
            }
        }
    }
    for crumb in event.breadcrumbs.values.iter_mut() {
        if let Some(message) = crumb.message.as_mut() {
            scrub_string(message);
        }
        for (key, value) in crumb.data.iter_mut() {
            redact_pair(key, value);
        }
    }
    if let Some(message) = event.message.as_mut() {
        scrub_string(message);
    }
    if let Some(entry) = event.logentry.as_mut() {
        scrub_string(&mut entry.message);
    }
    for exception in event.exception.values.iter_mut() {
        if let Some(value) = exception.value.as_mut() {
            scrub_string(value);
        }
    }
    event
}

fn scrub_request(request: &mut Request) {
    request.cookies = None;
    for (name, value) in request.headers.iter_mut() {
        if is_sensitive_key(name) {
            *value = REDACTED.to_owned();
        }
    }
    if let Some(data) = request.data.as_mut() {
        *data = redact_body(data);
    }
    if let Some(query) = request.query_string.as_mut() {
        *query = redact_query(query);
    }
    if let Some(url) = request.url.as_mut()
        && let Some(query) = url.query().map(redact_query)
    {
        url.set_query(Some(&query));
    }
}

fn redact_pair(key: &str, value: &mut Value) {
    if is_sensitive_key(key) {
        *value = Value::String(REDACTED.to_owned());
    } else {
        redact_json(value);
    }
}

fn scrub_string(text: &mut String) {
    if let std::borrow::Cow::Owned(scrubbed) = scrub_text(text) {
        *text = scrubbed;
    }
}
