//! The permission table of SPEC §2, route by route: each role gets 403 exactly where the
//! table says so, and a request without a token gets 401 everywhere.

use crate::api_tests;
use crate::helpers::TestApp;
use driftguard_core::Role;
use reqwest::Method;
use serde_json::{Value, json};

/// (method, path, body, lowest role allowed). `{model}` and `{user}` are filled in.
fn routes() -> Vec<(Method, &'static str, Option<Value>, Role)> {
    vec![
        (Method::GET, "/auth/me", None, Role::Viewer),
        (Method::GET, "/models", None, Role::Viewer),
        (Method::GET, "/models/{model}", None, Role::Viewer),
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
                assert!(
                    (200..300).contains(&status),
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

api_tests!(every_route_follows_the_permission_table);
