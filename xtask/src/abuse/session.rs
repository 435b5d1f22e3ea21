//! The set-up of each fresh server: an engineer and a viewer made through the API by the
//! bootstrap admin, signed in, and one model for the uploads to go to.

use super::http::{self, Request};
use crate::server::{ADMIN_EMAIL, ADMIN_PASSWORD};
use anyhow::{Context, bail};
use serde_json::{Value, json};
use std::time::Duration;

/// Set-up requests are small; one that takes longer than this is a broken server.
const TIMEOUT: Duration = Duration::from_secs(30);

/// The password of the users the chore makes.
const PASSWORD: &str = "abuse-password-1";

/// A server ready for the hostile request.
pub struct Session {
    /// `127.0.0.1:<port>`.
    pub addr: String,
    /// `Bearer …` of an engineer (who may upload data and evaluate).
    pub engineer: String,
    /// `Bearer …` of a viewer (who may not).
    pub viewer: String,
    /// The model the uploads go to.
    pub model: i64,
}

/// `method path` with a JSON body (none when `Value::Null`), signed with `token` when one
/// is given; the status and the JSON answer.
pub fn call(
    addr: &str,
    method: &'static str,
    path: &str,
    token: Option<&str>,
    body: &Value,
) -> anyhow::Result<(u16, Value)> {
    let mut request = Request::new(method, path);
    if let Some(token) = token {
        request = request.header("Authorization", token);
    }
    if !body.is_null() {
        request = request.body("application/json", serde_json::to_vec(body)?);
    }
    let answer = http::send(addr, request, TIMEOUT).with_context(|| format!("{method} {path}"))?;
    Ok((answer.status, answer.json()))
}

/// Like [`call`], but anything other than a 2xx is an error.
fn ok(
    addr: &str,
    method: &'static str,
    path: &str,
    token: Option<&str>,
    body: &Value,
) -> anyhow::Result<Value> {
    let (status, answer) = call(addr, method, path, token, body)?;
    if !(200..300).contains(&status) {
        bail!("set-up: {method} {path} answered {status}: {answer}");
    }
    Ok(answer)
}

fn login(addr: &str, email: &str, password: &str) -> anyhow::Result<String> {
    let body = json!({"email": email, "password": password});
    let answer = ok(addr, "POST", "/auth/login", None, &body)?;
    let token = answer
        .get("access_token")
        .and_then(Value::as_str)
        .context("POST /auth/login answered without an access_token")?;
    Ok(format!("Bearer {token}"))
}

/// Registers `email` (a viewer), gives it `role` as the admin, and signs it in.
fn user(addr: &str, admin: &str, email: &str, role: &str) -> anyhow::Result<String> {
    let body = json!({"email": email, "password": PASSWORD});
    let user = ok(addr, "POST", "/auth/register", None, &body)?;
    let id = user
        .get("id")
        .and_then(Value::as_i64)
        .context("POST /auth/register answered without an id")?;
    if role != "viewer" {
        let path = format!("/users/{id}/role");
        ok(addr, "PUT", &path, Some(admin), &json!({"role": role}))?;
    }
    login(addr, email, PASSWORD)
}

impl Session {
    /// Makes the users and the model on the server at `addr`.
    pub fn open(addr: &str) -> anyhow::Result<Self> {
        let admin = login(addr, ADMIN_EMAIL, ADMIN_PASSWORD)?;
        let engineer = user(addr, &admin, "engineer@example.com", "engineer")?;
        let viewer = user(addr, &admin, "viewer@example.com", "viewer")?;
        let model = json!({"name": "abuse", "version": "1.0.0", "task": "regression",
                           "risk_tier": "low"});
        let model = ok(addr, "POST", "/models", Some(&engineer), &model)?
            .get("id")
            .and_then(Value::as_i64)
            .context("POST /models answered without an id")?;
        Ok(Self {
            addr: addr.to_owned(),
            engineer,
            viewer,
            model,
        })
    }

    /// Uploads `csv` as the model's reference data (as the engineer).
    pub fn reference(&self, csv: Vec<u8>) -> anyhow::Result<()> {
        let request = Request::new("PUT", format!("/models/{}/reference", self.model))
            .header("Authorization", &self.engineer)
            .body("text/csv", csv);
        let answer = http::send(&self.addr, request, TIMEOUT).context("set-up: the reference")?;
        if answer.status != 200 {
            bail!(
                "set-up: the reference upload answered {}: {}",
                answer.status,
                answer.text()
            );
        }
        Ok(())
    }
}
