//! Registering, listing, reading, changing and deleting model versions.

use crate::helpers::TestApp;
use driftguard_core::Role;
use driftguard_test_kit::per_backend;
use reqwest::Method;
use serde_json::json;

async fn create_returns_the_full_model(app: TestApp) {
    let engineer = app.token_for(Role::Engineer).await;
    let model = app
        .create_model(&engineer, "credit-risk", "1.0.0", "high")
        .await;
    for field in [
        "id",
        "name",
        "version",
        "description",
        "task",
        "risk_tier",
        "framework",
        "tags",
        "owner_id",
        "status",
        "columns",
        "has_reference",
        "latest_evaluation",
        "created_at",
        "updated_at",
    ] {
        assert!(model.get(field).is_some(), "missing {field}: {model}");
    }
    assert_eq!(model["status"], "registered");
    assert_eq!(model["columns"]["sensitive"], json!(["group"]));
    assert_eq!(model["columns"]["ignore"], json!([]));
    assert_eq!(model["latest_evaluation"], json!(null));

    let (status, body) = app
        .post(
            "/models",
            Some(&engineer),
            json!({"name": "credit-risk", "version": "1.0.0", "task": "regression", "risk_tier": "low"}),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["code"], "conflict");
}

async fn invalid_models_are_422_naming_fields(app: TestApp) {
    let engineer = app.token_for(Role::Engineer).await;
    let (status, body) = app
        .post(
            "/models",
            Some(&engineer),
            json!({"name": "bad\u{7}name", "version": " ", "task": "binary_classification", "risk_tier": "high"}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"][0]["field"], "name");
    assert_eq!(body["errors"][1]["field"], "version");
    let (status, body) = app
        .post(
            "/models",
            Some(&engineer),
            json!({"name": "m", "version": "1", "task": "clustering", "risk_tier": "high"}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    let (status, _) = app
        .post(
            "/models",
            Some(&engineer),
            json!({"name": "m", "version": "1"}),
        )
        .await;
    assert_eq!(status, 422, "required fields");
}

async fn list_pages_filters_and_sorts(app: TestApp) {
    let engineer = app.token_for(Role::Engineer).await;
    for i in 0..12 {
        let tier = if i % 3 == 0 { "critical" } else { "low" };
        app.create_model(&engineer, &format!("model-{i:02}"), "1", tier)
            .await;
    }
    let (status, body) = app.get("/models", &engineer).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["models"].as_array().expect("models").len(), 10);
    assert_eq!(
        body["pagination"],
        json!({"total": 12, "skip": 0, "limit": 10, "pages": 2})
    );
    assert_eq!(body["models"][0]["name"], "model-11", "newest first");

    let (_, body) = app.get("/models?skip=10&limit=10", &engineer).await;
    assert_eq!(body["models"].as_array().expect("models").len(), 2);

    let (_, body) = app
        .get("/models?risk_tier=critical&sort=name&limit=100", &engineer)
        .await;
    let names: Vec<_> = body["models"]
        .as_array()
        .expect("models")
        .iter()
        .map(|m| m["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["model-00", "model-03", "model-06", "model-09"]);

    let (_, body) = app
        .get("/models?q=DEL-1&status=registered", &engineer)
        .await;
    assert_eq!(body["pagination"]["total"], 2);

    // Nothing is evaluated: every model is `unevaluated`, none passes.
    let (_, body) = app.get("/models?compliance=unevaluated", &engineer).await;
    assert_eq!(body["pagination"]["total"], 12);
    let (_, body) = app
        .get("/models?compliance=pass&risk_tier=critical", &engineer)
        .await;
    assert_eq!(body["pagination"]["total"], 0);

    for bad in [
        "limit=0",
        "limit=101",
        "skip=-1",
        "status=alive",
        "risk_tier=x",
        "compliance=passed",
        "compliance=",
        "sort=age",
    ] {
        let (status, body) = app.get(&format!("/models?{bad}"), &engineer).await;
        assert_eq!(status, 422, "{bad}: {body}");
    }
    let (_, body) = app.get("/models?compliance=passed", &engineer).await;
    crate::helpers::assert_error_body(&body, 422, "validation_error");
    assert!(
        body.to_string().contains("compliance"),
        "names the field: {body}"
    );
}

async fn get_patch_and_delete(app: TestApp) {
    let engineer = app.token_for(Role::Engineer).await;
    let admin = app.token_for(Role::Admin).await;
    let model = app.create_model(&engineer, "churn", "2", "medium").await;
    let path = format!("/models/{}", model["id"]);
    let (status, body) = app.get(&path, &engineer).await;
    assert_eq!(status, 200);
    assert_eq!(body, model);

    let (status, body) = app
        .send(
            Method::PATCH,
            &path,
            Some(&engineer),
            Some(json!({"description": "retrained monthly", "risk_tier": "high"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["description"], "retrained monthly");
    assert_eq!(body["risk_tier"], "high");
    assert_eq!(body["framework"], "sklearn");

    let (status, _) = app
        .send(
            Method::PATCH,
            &path,
            Some(&engineer),
            Some(json!({"name": "renamed"})),
        )
        .await;
    assert_eq!(status, 422, "name is not writable");

    let (status, _) = app.send(Method::DELETE, &path, Some(&engineer), None).await;
    assert_eq!(status, 403, "engineers may not delete");
    let (status, _) = app.send(Method::DELETE, &path, Some(&admin), None).await;
    assert_eq!(status, 204);
    let (status, body) = app.get(&path, &engineer).await;
    assert_eq!(status, 404);
    assert_eq!(body["code"], "not_found");
}

per_backend!(
    crate::helpers::with_app =>
    create_returns_the_full_model,
    invalid_models_are_422_naming_fields,
    list_pages_filters_and_sorts,
    get_patch_and_delete
);
