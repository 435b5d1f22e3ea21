//! The permission table of SPEC §2, route by route: each role gets 403 exactly where the
//! table says so, and a request without a token gets 401 everywhere.

use crate::helpers::TestApp;
use driftguard_core::Role;
use driftguard_test_kit::per_backend;
use reqwest::Method;
use serde_json::{Value, json};

/// (method, path, body, lowest role allowed). `{model}` and `{user}` are filled in.
/// `POST /auth/logout` (any signed-in user) is not here: it would end the sessions the rest
/// of the table signs in with; `auth.rs` tests it.
fn routes() -> Vec<(Method, &'static str, Option<Value>, Role)> {
    vec![
        (Method::GET, "/auth/me", None, Role::Viewer),
        (Method::GET, "/models", None, Role::Viewer),
        (Method::GET, "/models/{model}", None, Role::Viewer),
        (Method::GET, "/dashboard/summary", None, Role::Viewer),
        (
            Method::GET,
            "/dashboard/compliance-distribution",
            None,
            Role::Viewer,
        ),
        (Method::GET, "/dashboard/risk-trends", None, Role::Viewer),
        (
            Method::POST,
            "/models",
            Some(
                json!({"name": "rbac-{n}", "version": "1", "task": "regression", "risk_tier": "low"}),
            ),
            Role::Engineer,
        ),
        (
            Method::PATCH,
            "/models/{model}",
            Some(json!({"description": "changed"})),
            Role::Engineer,
        ),
        (Method::GET, "/users", None, Role::Admin),
        (
            Method::PUT,
            "/users/{user}/role",
            Some(json!({"role": "viewer"})),
            Role::Admin,
        ),
        (Method::GET, "/users/{user}/role-changes", None, Role::Admin),
        (
            Method::POST,
            "/users/{user}/sessions/revoke",
            None,
            Role::Admin,
        ),
        (Method::GET, "/models/{model}/reference", None, Role::Viewer),
        (
            Method::GET,
            "/models/{model}/reference/uploads",
            None,
            Role::Viewer,
        ),
        (
            Method::PUT,
            "/models/{model}/reference",
            Some(json!({"data": {"columns": {"x": [1, 2, 3, 4, 5, 6, 7]}}})),
            Role::Engineer,
        ),
        (
            Method::GET,
            "/models/{model}/evaluations",
            None,
            Role::Viewer,
        ),
        (
            Method::POST,
            "/models/{model}/evaluations",
            Some(json!({"data": {"columns": {"x": [1, 2, 3]}}})),
            Role::Engineer,
        ),
        (
            Method::POST,
            "/models/{model}/deploy",
            Some(json!({})),
            Role::Engineer,
        ),
        (
            Method::POST,
            "/models/{model}/retire",
            Some(json!({})),
            Role::Approver,
        ),
        (
            Method::GET,
            "/models/{model}/deployments",
            None,
            Role::Viewer,
        ),
        (Method::GET, "/deployments", None, Role::Viewer),
        (Method::GET, "/policies", None, Role::Viewer),
        (
            Method::POST,
            "/policies",
            Some(
                json!({"name": "p-{n}", "rules": [{"metric": "risk.score", "op": "<=", "threshold": 90, "severity": "warn"}]}),
            ),
            Role::Admin,
        ),
        (Method::GET, "/audit/verify", None, Role::Admin),
        (Method::GET, "/override-requests", None, Role::Viewer),
        // No such request: an approver gets past the permission check to a 404.
        (
            Method::POST,
            "/override-requests/999999/approve",
            None,
            Role::Approver,
        ),
        (
            Method::POST,
            "/override-requests/999999/reject",
            Some(json!({"reason": "not now"})),
            Role::Approver,
        ),
        (Method::DELETE, "/models/{model}", None, Role::Admin),
    ]
}

async fn every_route_follows_the_permission_table(app: TestApp) {
    let owner = app.token_for(Role::Engineer).await;
    let (_, someone) = app
        .get("/auth/me", &app.token_for(Role::Viewer).await)
        .await;
    let mut tokens = Vec::new();
    for role in Role::ALL {
        tokens.push((role, app.token_for(role).await));
    }
    for (n, (method, template, body, lowest)) in routes().into_iter().enumerate() {
        for (role, token) in &tokens {
            let (role, token) = (*role, token.as_str());
            let model = app
                .create_model(&owner, &format!("target-{n}-{role}"), "1", "low")
                .await;
            let path = template
                .replace("{model}", &model["id"].to_string())
                .replace("{user}", &someone["id"].to_string());
            let body = body.clone().map(|b| {
                serde_json::from_str(&b.to_string().replace("{n}", &format!("{n}-{role}")))
                    .expect("body")
            });
            let (status, response) = app
                .send(method.clone(), &path, Some(token), body.clone())
                .await;
            if role >= lowest {
                // Allowed: past the permission check. The action itself may still be refused
                // for other reasons (a deploy of an unevaluated model is a 409).
                assert!(
                    status != 401 && status != 403 && status < 500,
                    "{role} {method} {path} should be allowed, got {status}: {response}"
                );
            } else {
                assert_eq!(status, 403, "{role} {method} {path}: {response}");
                assert_eq!(response["code"], "forbidden");
            }
            let (status, _) = app.send(method.clone(), &path, None, body).await;
            assert_eq!(status, 401, "{method} {path} without a token");
        }
    }
}

per_backend!(
    crate::helpers::with_app =>every_route_follows_the_permission_table);
