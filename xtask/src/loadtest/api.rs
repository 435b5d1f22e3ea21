//! A thin client of the DriftGuard API: one connection pool (HTTP/1.1 keep-alive), the
//! bearer token, and errors that name the request and quote the answer.

use anyhow::{Context, bail};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use reqwest::{Client, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;

/// A signed-in client.
pub struct Api {
    client: Client,
    base: String,
    /// `Bearer <token>`, built once: the load phase sends it with every request.
    authorization: HeaderValue,
}

/// The pool every request shares. HTTP/1.1 only: it is what browsers polling dashboards
/// through a proxy mostly speak, and it keeps the client cheap on the two shared cores.
fn client() -> anyhow::Result<Client> {
    Ok(Client::builder()
        .http1_only()
        .pool_max_idle_per_host(1024)
        // Below the server's keep-alive (actix's 5 s), as a proxy in front of it would be
        // set: otherwise a connection left idle after a stall can be taken from the pool
        // just as the server closes it, and the request fails as "transport" (reqwest's
        // default keeps idle connections 90 s).
        .pool_idle_timeout(Duration::from_secs(4))
        .timeout(Duration::from_secs(10))
        .build()?)
}

impl Api {
    /// Signs in with `POST /auth/login`.
    pub async fn login(base: &str, email: &str, password: &str) -> anyhow::Result<Self> {
        let client = client()?;
        let request = client
            .post(format!("{base}/auth/login"))
            .json(&json!({"email": email, "password": password}));
        let body = json_of(request, "POST /auth/login").await?;
        let token = body
            .get("access_token")
            .and_then(Value::as_str)
            .context("POST /auth/login answered without an access_token")?;
        Ok(Self {
            client,
            base: base.to_owned(),
            authorization: HeaderValue::from_str(&format!("Bearer {token}"))?,
        })
    }

    /// `GET path` (path and query), signed.
    pub fn get(&self, path: &str) -> RequestBuilder {
        self.signed(self.client.get(self.url(path)))
    }

    /// `POST path` with a JSON body, signed.
    pub fn post_json(&self, path: &str, body: &Value) -> RequestBuilder {
        self.signed(self.client.post(self.url(path))).json(body)
    }

    /// `PUT path` with a JSON body, signed.
    pub fn put_json(&self, path: &str, body: &Value) -> RequestBuilder {
        self.signed(self.client.put(self.url(path))).json(body)
    }

    /// `method path` with a CSV body, signed.
    pub fn send_csv(&self, put: bool, path: &str, csv: String) -> RequestBuilder {
        let url = self.url(path);
        let request = if put {
            self.client.put(url)
        } else {
            self.client.post(url)
        };
        self.signed(request)
            .header(CONTENT_TYPE, "text/csv")
            .body(csv)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn signed(&self, request: RequestBuilder) -> RequestBuilder {
        request.header(AUTHORIZATION, self.authorization.clone())
    }
}

/// Sends `request`; the JSON body of a 2xx answer, else an error naming `what`.
pub async fn json_of(request: RequestBuilder, what: &str) -> anyhow::Result<Value> {
    let (status, body) = status_and_json(request, what).await?;
    if !status.is_success() {
        bail!("{what} answered {status}: {body}");
    }
    Ok(body)
}

/// Sends `request`; the status and the JSON body (the text as a JSON string when the body
/// is not JSON).
pub async fn status_and_json(
    request: RequestBuilder,
    what: &str,
) -> anyhow::Result<(StatusCode, Value)> {
    let response: Response = request
        .send()
        .await
        .with_context(|| format!("{what} failed"))?;
    let status = response.status();
    let text = response
        .text()
        .await
        .with_context(|| format!("reading the answer to {what}"))?;
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Ok((status, body))
}
