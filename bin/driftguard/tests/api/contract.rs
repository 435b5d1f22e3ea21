//! The contract gaps of issue #10, closed: `active` on policies, 415 for unsupported content
//! types, 422 naming the field for every wrong shape, literal `q`, any printable Unicode in
//! names and versions, 405 with `Allow` — on both backends.

use crate::helpers::{TestApp, assert_error_body, raw};
use driftguard_core::Role;
use driftguard_test_kit::per_backend;
use reqwest::Method;
use serde_json::{Value, json};

fn policy(active: Option<bool>) -> Value {
    let mut body = json!({
        "name": "strict fairness",
        "applies_to": {"risk_tiers": ["high"]},
        "rules": [{"metric": "fairness.disparate_impact", "op": ">=", "threshold": 0.9, "severity": "block"}]
    });
    if let Some(active) = active {
        body["active"] = json!(active);
    }
    body
}

async fn policies_take_active_on_create_and_update(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let (status, created) = app
        .post("/policies", Some(&admin), policy(Some(false)))
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(
        (created["active"].clone(), created["version"].clone()),
        (json!(false), json!(1))
    );
    let (status, defaulted) = app.post("/policies", Some(&admin), policy(None)).await;
    assert_eq!(status, 201, "{defaulted}");
    assert_eq!(defaulted["active"], true, "active by default");

    let id = created["id"].as_i64().expect("id");
    let path = format!("/policies/{id}");
    let (status, on) = app
        .send(Method::PUT, &path, Some(&admin), Some(policy(Some(true))))
        .await;
    assert_eq!(status, 200, "{on}");
    assert_eq!(
        (on["active"].clone(), on["version"].clone()),
        (json!(true), json!(2))
    );
    let (status, off) = app.send(Method::DELETE, &path, Some(&admin), None).await;
    assert_eq!(status, 200, "{off}");
    assert_eq!(
        (off["active"].clone(), off["version"].clone()),
        (json!(false), json!(3))
    );

    let (status, versions) = app.get(&format!("{path}/versions"), &admin).await;
    assert_eq!(status, 200, "{versions}");
    let seen: Vec<_> = versions["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .map(|v| (v["version"].as_i64(), v["active"].as_bool()))
        .collect();
    assert_eq!(
        seen,
        [
            (Some(1), Some(false)),
            (Some(2), Some(true)),
            (Some(3), Some(false))
        ]
    );
}

async fn unsupported_content_types_are_415(app: TestApp) {
    let engineer = app.token_for(Role::Engineer).await;
    let model = app.create_model(&engineer, "m", "1", "low").await;
    let id = model["id"].as_i64().expect("id");
    let reference = format!("/models/{id}/reference");
    let evaluations = format!("/models/{id}/evaluations");
    for content_type in [
        "application/xml",
        "image/png",
        "application/octet-stream",
        "",
    ] {
        for (method, path) in [(Method::PUT, &reference), (Method::POST, &evaluations)] {
            let (status, body, _) = raw(
                &app,
                method,
                path,
                content_type,
                b"a,b\n1,2\n".to_vec(),
                Some(&engineer),
            )
            .await;
            assert_eq!(status, 415, "{path} as {content_type:?}: {body}");
            assert_error_body(&body, 415, "unsupported_media_type");
        }
    }
    let (status, body, _) = raw(
        &app,
        Method::POST,
        "/models",
        "text/plain",
        b"{}".to_vec(),
        Some(&engineer),
    )
    .await;
    assert_eq!(status, 415, "{body}");

    // A compressed body is refused before it is inflated.
    let response = app
        .client
        .put(app.url(&reference))
        .bearer_auth(&engineer)
        .header("Content-Type", "text/csv")
        .header("Content-Encoding", "gzip")
        .body(vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0])
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 415);
    let body: Value = response.json().await.expect("JSON");
    assert_error_body(&body, 415, "unsupported_media_type");
}

/// The field named in the first of a 422's `errors`.
async fn field_of_422(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Value,
) -> String {
    let (status, response) = app.send(method, path, Some(token), Some(body)).await;
    assert_eq!(status, 422, "{path}: {response}");
    assert_error_body(&response, 422, "validation_error");
    response["errors"][0]["field"]
        .as_str()
        .unwrap_or_else(|| panic!("no errors[0].field: {response}"))
        .to_owned()
}

async fn wrong_shapes_are_422_naming_the_field(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let model = |extra: Value| {
        let mut body =
            json!({"name": "m", "version": "1", "task": "regression", "risk_tier": "low"});
        for (k, v) in extra.as_object().expect("object") {
            if v.is_null() {
                body.as_object_mut().expect("object").remove(k);
            } else {
                body[k] = v.clone();
            }
        }
        body
    };
    let cases = [
        (model(json!({"name": null})), "name"),
        (model(json!({"task": "clustering"})), "task"),
        (model(json!({"colour": "blue"})), "colour"),
        (model(json!({"tags": "x"})), "tags"),
        (model(json!({"columns": {"label": 5}})), "columns.label"),
        (model(json!({"columns": {"labels": "y"}})), "columns.labels"),
    ];
    for (body, field) in cases {
        assert_eq!(
            field_of_422(&app, Method::POST, "/models", &admin, body).await,
            field
        );
    }
    let mut bad_rule = policy(None);
    bad_rule["rules"][0]["op"] = json!("~");
    assert_eq!(
        field_of_422(&app, Method::POST, "/policies", &admin, bad_rule).await,
        "rules[0].op"
    );
    let mut no_threshold = policy(None);
    no_threshold["rules"][0]
        .as_object_mut()
        .expect("rule")
        .remove("threshold");
    assert_eq!(
        field_of_422(&app, Method::POST, "/policies", &admin, no_threshold).await,
        "rules[0].threshold"
    );
    assert_eq!(
        field_of_422(
            &app,
            Method::POST,
            "/models/1/deploy",
            &admin,
            json!({"environment": 5})
        )
        .await,
        "environment"
    );
    assert_eq!(
        field_of_422(
            &app,
            Method::PUT,
            "/users/1/role",
            &admin,
            json!({"role": "owner"})
        )
        .await,
        "role"
    );
}

async fn q_finds_names_literally(app: TestApp) {
    let engineer = app.token_for(Role::Engineer).await;
    for name in ["fraud_v2", "fraudXv2", "100% sure"] {
        app.create_model(&engineer, name, "1", "low").await;
    }
    let names = |body: Value| -> Vec<String> {
        let mut names: Vec<String> = body["models"]
            .as_array()
            .expect("models")
            .iter()
            .map(|m| m["name"].as_str().expect("name").to_owned())
            .collect();
        names.sort();
        names
    };
    for (q, expected) in [
        ("fraud_v2", vec!["fraud_v2"]),
        ("%25", vec!["100% sure"]),
        ("_", vec!["fraud_v2"]),
        ("FRAUD", vec!["fraudXv2", "fraud_v2"]),
    ] {
        let (status, body) = app.get(&format!("/models?q={q}"), &engineer).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(names(body), expected, "q={q}");
    }
}

async fn names_and_versions_are_printable_unicode(app: TestApp) {
    let engineer = app.token_for(Role::Engineer).await;
    let register = |name: String, version: &str| json!({"name": name, "version": version, "task": "regression", "risk_tier": "low"});
    for (sent, kept) in [
        ("  Crédit scoring — retail ", "Crédit scoring — retail"),
        ("信用评分", "信用评分"),
    ] {
        let (status, created) = app
            .post("/models", Some(&engineer), register(sent.into(), " v1 β "))
            .await;
        assert_eq!(status, 201, "{created}");
        assert_eq!(
            (created["name"].as_str(), created["version"].as_str()),
            (Some(kept), Some("v1 β"))
        );
        let (_, read) = app
            .get(&format!("/models/{}", created["id"]), &engineer)
            .await;
        assert_eq!(read["name"], kept, "stored and returned as sent, trimmed");
        let (_, found) = app
            .get(&format!("/models?q={}", urlencode(kept)), &engineer)
            .await;
        assert_eq!(found["pagination"]["total"], 1, "{found}");
    }
    let (status, created) = app
        .post(
            "/models",
            Some(&engineer),
            register("é".repeat(200), &"9".repeat(100)),
        )
        .await;
    assert_eq!(status, 201, "200 characters, not bytes: {created}");
    for (name, version, field) in [
        ("é".repeat(201), "1", "name"),
        ("bell\u{7}".into(), "1", "name"),
        ("m".into(), "1\n", "version"),
        ("\u{3000}".into(), "1", "name"),
    ] {
        let body = register(name, version);
        assert_eq!(
            field_of_422(&app, Method::POST, "/models", &engineer, body).await,
            field
        );
    }
}

fn urlencode(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

async fn wrong_methods_are_405_with_allow(app: TestApp) {
    let viewer = app.token_for(Role::Viewer).await;
    for (method, path, allow) in [
        (Method::DELETE, "/models", "GET, POST, OPTIONS"),
        (Method::PUT, "/models/1", "GET, PATCH, DELETE, OPTIONS"),
        (Method::POST, "/dashboard/summary", "GET, OPTIONS"),
        (
            Method::from_bytes(b"TRACE").expect("method"),
            "/audit/verify",
            "GET, OPTIONS",
        ),
    ] {
        let response = app
            .client
            .request(method.clone(), app.url(path))
            .bearer_auth(&viewer)
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 405, "{method} {path}");
        assert_eq!(
            response
                .headers()
                .get("allow")
                .and_then(|v| v.to_str().ok()),
            Some(allow),
            "{method} {path}"
        );
        let body: Value = response.json().await.expect("JSON");
        assert_error_body(&body, 405, "method_not_allowed");
    }
    let (status, body) = app.get("/no/such/path", &viewer).await;
    assert_eq!(status, 404, "{body}");
}

per_backend!(
    crate::helpers::with_app =>
    policies_take_active_on_create_and_update,
    unsupported_content_types_are_415,
    wrong_shapes_are_422_naming_the_field,
    q_finds_names_literally,
    names_and_versions_are_printable_unicode,
    wrong_methods_are_405_with_allow,
);
