//! The webhook transport: one POST with reqwest to the address the SSRF check passed (the
//! URL's host pinned to it, so that no second DNS answer can redirect the request), no
//! redirects followed, no proxy, within the configured timeout.

use async_trait::async_trait;
use driftguard_app::ports::webhooks::{OutgoingRequest, WebhookTransport};
use reqwest::header::{CONTENT_TYPE, HeaderValue};
use reqwest::redirect::Policy;
use std::time::Duration;

/// Sends webhook requests over HTTP(S).
#[derive(Debug, Clone)]
pub struct HttpTransport {
    timeout: Duration,
}

impl HttpTransport {
    /// Requests that may take up to `timeout` each.
    pub fn new(timeout: Duration) -> Self {
        Self { timeout }
    }
}

/// What went wrong, without the URL (a Slack or Teams URL is itself a secret).
fn describe(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else if error.is_request() {
        "request failed"
    } else {
        "failed"
    };
    let mut cause = String::new();
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        cause = inner.to_string();
        source = inner.source();
    }
    if cause.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}: {cause}")
    }
}

#[async_trait]
impl WebhookTransport for HttpTransport {
    async fn post(&self, request: OutgoingRequest) -> Result<u16, String> {
        let url = reqwest::Url::parse(&request.url).map_err(|e| format!("bad URL: {e}"))?;
        let mut client = reqwest::Client::builder()
            .redirect(Policy::none())
            .no_proxy()
            .timeout(self.timeout)
            .connect_timeout(self.timeout)
            .user_agent(concat!("DriftGuard-Webhooks/", env!("CARGO_PKG_VERSION")));
        // An address in the URL is connected to as it is; a name is pinned to the address
        // checked.
        if let Some(name) = url.domain() {
            client = client.resolve(name, request.address);
        }
        let client = client
            .build()
            .map_err(|e| format!("no HTTP client: {}", describe(&e)))?;
        let mut post = client
            .post(url)
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .body(request.body);
        for (name, value) in request.headers {
            let value = HeaderValue::from_str(&value).map_err(|e| format!("bad header: {e}"))?;
            post = post.header(name, value);
        }
        let response = post.send().await.map_err(|e| describe(&e))?;
        Ok(response.status().as_u16())
    }
}
