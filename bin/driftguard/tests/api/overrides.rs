//! Four-eyes overrides over HTTP on both backends: a critical model's override needs two
//! distinct approvers; the requester cannot approve their own; an expired or voided request
//! cannot be approved; concurrent approvals deploy once; the chain verifies after all of it.

use crate::helpers::{Backend, TestApp, spawn_app_with};
use driftguard_core::Role;
use driftguard_test_kit::per_backend;
use reqwest::Method;
use serde_json::{Value, json};

const JUSTIFICATION: &str = "accepted by the risk board, ticket RISK-42";

/// A never-evaluated model of `tier` (its result is `fail`: `no_evaluation`).
async fn model(app: &TestApp, tier: &str) -> i64 {
    let engineer = app.token_for(Role::Engineer).await;
    let model = app.create_model(&engineer, "credit-risk", tier, tier).await;
    model["id"].as_i64().expect("id")
}

async fn user_id(app: &TestApp, token: &str) -> Value {
    let (status, me) = app.get("/auth/me", token).await;
    assert_eq!(status, 200, "{me}");
    me["id"].clone()
}

/// Asks for an override of `model` as `token`: the 202 body.
async fn ask(app: &TestApp, model: i64, token: &str) -> Value {
    let (status, asked) = app
        .post(
            &format!("/models/{model}/deploy"),
            Some(token),
            json!({"override": true, "justification": JUSTIFICATION, "environment": "production"}),
        )
        .await;
    assert_eq!(status, 202, "{asked}");
    asked
}

async fn approve(app: &TestApp, request: &Value, token: &str) -> (u16, Value) {
    app.post(
        &format!("/override-requests/{}/approve", request["id"]),
        Some(token),
        json!({"note": "second pair of eyes"}),
    )
    .await
}

async fn assert_chain_verifies(app: &TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let (status, verify) = app.get("/audit/verify", &admin).await;
    assert_eq!(status, 200, "{verify}");
    assert_eq!(verify["ok"], true, "{verify}");
}

fn outcomes(history: &Value) -> Vec<&str> {
    history["deployments"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["outcome"].as_str().expect("outcome"))
        .collect()
}

async fn a_critical_override_needs_two_distinct_approvers(app: TestApp) {
    let first = app.token_for(Role::Approver).await;
    let second = app.token_for(Role::Approver).await;
    let engineer = app.token_for(Role::Engineer).await;
    let viewer = app.token_for(Role::Viewer).await;
    let id = model(&app, "critical").await;

    let asked = ask(&app, id, &first).await;
    let request = &asked["override_request"];
    assert_eq!(request["status"], "pending");
    assert_eq!(request["model_id"], id);
    assert_eq!(request["requested_by"], user_id(&app, &first).await);
    assert_eq!(request["justification"], JUSTIFICATION);
    assert_eq!(request["governance_result"]["status"], "fail");
    assert_eq!(asked["deployment"]["outcome"], "override_requested");
    assert_eq!(asked["deployment"]["override_request_id"], request["id"]);
    let (_, model_now) = app.get(&format!("/models/{id}"), &engineer).await;
    assert_eq!(model_now["status"], "registered", "nothing deployed yet");

    // The same override asked again while it waits is a conflict.
    let (status, twice) = app
        .post(
            &format!("/models/{id}/deploy"),
            Some(&second),
            json!({"override": true, "justification": JUSTIFICATION}),
        )
        .await;
    assert_eq!(status, 409, "{twice}");

    // Anyone signed in reads them; filters are checked.
    let (status, listed) = app
        .get(
            &format!("/override-requests?status=pending&model_id={id}"),
            &viewer,
        )
        .await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(listed["pagination"]["total"], 1);
    assert_eq!(listed["override_requests"][0]["id"], request["id"]);
    let (status, _) = app.get("/override-requests?status=later", &viewer).await;
    assert_eq!(status, 422);
    let (status, one) = app
        .get(&format!("/override-requests/{}", request["id"]), &viewer)
        .await;
    assert_eq!((status, &one["id"]), (200, &request["id"]));
    assert_eq!(app.get("/override-requests/999999", &viewer).await.0, 404);

    // Not an engineer, and not the requester: four eyes.
    assert_eq!(approve(&app, request, &engineer).await.0, 403);
    let (status, own) = approve(&app, request, &first).await;
    assert_eq!(status, 403, "{own}");
    assert!(
        own["detail"].as_str().is_some_and(|d| d.contains("second")),
        "{own}"
    );

    let (status, approved) = approve(&app, request, &second).await;
    assert_eq!(status, 200, "{approved}");
    assert_eq!(approved["model"]["status"], "deployed");
    assert_eq!(approved["override_request"]["status"], "approved");
    let row = &approved["deployment"];
    assert_eq!(row["outcome"], "overridden");
    assert_eq!(row["override_used"], true);
    assert_eq!(row["override_reason"], JUSTIFICATION);
    assert_eq!(row["deployed_by"], user_id(&app, &second).await);
    assert_eq!(row["override_requested_by"], user_id(&app, &first).await);
    assert_eq!(approved["override_request"]["deployment_id"], row["id"]);
    let (status, _) = app
        .get(&format!("/deployments/{}/attestation", row["id"]), &viewer)
        .await;
    assert_eq!(status, 200, "the approved deploy is attested");
    let (status, again) = approve(&app, request, &second).await;
    assert_eq!(status, 409, "{again}");

    let (_, history) = app.get(&format!("/models/{id}/deployments"), &viewer).await;
    assert_eq!(outcomes(&history), ["overridden", "override_requested"]);

    // A tier that needs one approver deploys at once.
    let high = model(&app, "high").await;
    let (status, deployed) = app
        .post(
            &format!("/models/{high}/deploy"),
            Some(&first),
            json!({"override": true, "justification": JUSTIFICATION}),
        )
        .await;
    assert_eq!(status, 200, "{deployed}");
    assert_eq!(deployed["deployment"]["outcome"], "overridden");
    assert_chain_verifies(&app).await;
}

async fn a_request_is_rejected_or_withdrawn_with_a_reason(app: TestApp) {
    let first = app.token_for(Role::Approver).await;
    let second = app.token_for(Role::Approver).await;
    let id = model(&app, "critical").await;
    let asked = ask(&app, id, &first).await;
    let path = format!(
        "/override-requests/{}/reject",
        asked["override_request"]["id"]
    );
    for body in [json!({}), json!({"reason": "   "})] {
        let (status, refused) = app.post(&path, Some(&second), body).await;
        assert_eq!(status, 422, "{refused}");
    }
    let (status, rejected) = app
        .post(&path, Some(&second), json!({"reason": "not with this gap"}))
        .await;
    assert_eq!(status, 200, "{rejected}");
    assert_eq!(rejected["override_request"]["status"], "rejected");
    assert_eq!(rejected["deployment"]["outcome"], "override_rejected");
    assert_eq!(rejected["deployment"]["notes"], "not with this gap");

    // Its requester may withdraw their own.
    let asked = ask(&app, id, &first).await;
    let path = format!(
        "/override-requests/{}/reject",
        asked["override_request"]["id"]
    );
    let (status, withdrawn) = app
        .post(&path, Some(&first), json!({"reason": "asked by mistake"}))
        .await;
    assert_eq!(status, 200, "{withdrawn}");
    assert_eq!(withdrawn["override_request"]["status"], "rejected");
    assert_eq!(
        app.post(&path, Some(&first), json!({"reason": "again"}))
            .await
            .0,
        409
    );
    assert_chain_verifies(&app).await;
}

async fn a_newer_evaluation_voids_a_request(app: TestApp) {
    let first = app.token_for(Role::Approver).await;
    let second = app.token_for(Role::Approver).await;
    let engineer = app.token_for(Role::Engineer).await;
    let id = model(&app, "critical").await;
    let asked = ask(&app, id, &first).await;
    let request = &asked["override_request"];

    let mut csv = String::from("x,prediction,label,group\n");
    for i in 0..60 {
        csv.push_str(&format!(
            "{},{},{},{}\n",
            i % 13,
            i % 2,
            (i / 2) % 2,
            ["a", "b"][i % 2]
        ));
    }
    let (status, body) = app
        .upload(
            Method::PUT,
            &format!("/models/{id}/reference"),
            &engineer,
            csv.clone().into_bytes(),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = app
        .upload(
            Method::POST,
            &format!("/models/{id}/evaluations"),
            &engineer,
            csv.into_bytes(),
        )
        .await;
    assert_eq!(status, 201, "{body}");

    let (status, voided) = approve(&app, request, &second).await;
    assert_eq!(status, 409, "{voided}");
    assert!(
        voided["detail"]
            .as_str()
            .is_some_and(|d| d.contains("void")),
        "{voided}"
    );
    let (_, read) = app
        .get(&format!("/override-requests/{}", request["id"]), &second)
        .await;
    assert_eq!(read["status"], "voided");
    let (_, history) = app.get(&format!("/models/{id}/deployments"), &second).await;
    assert_eq!(
        outcomes(&history),
        ["override_voided", "override_requested"]
    );
    let (_, model_now) = app.get(&format!("/models/{id}"), &second).await;
    assert_eq!(model_now["status"], "registered");
    assert_chain_verifies(&app).await;
}

async fn concurrent_approvals_deploy_once(app: TestApp) {
    let first = app.token_for(Role::Approver).await;
    let second = app.token_for(Role::Approver).await;
    let third = app.token_for(Role::Admin).await;
    let id = model(&app, "critical").await;
    let asked = ask(&app, id, &first).await;
    let request = &asked["override_request"];
    let (a, b) = tokio::join!(
        approve(&app, request, &second),
        approve(&app, request, &third)
    );
    let mut statuses = [a.0, b.0];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "{a:?} {b:?}");
    let (_, history) = app.get(&format!("/models/{id}/deployments"), &first).await;
    assert_eq!(outcomes(&history), ["overridden", "override_requested"]);
    assert_chain_verifies(&app).await;
}

per_backend!(
    crate::helpers::with_app =>
    a_critical_override_needs_two_distinct_approvers,
    a_request_is_rejected_or_withdrawn_with_a_reason,
    a_newer_evaluation_voids_a_request,
    concurrent_approvals_deploy_once,
);

/// The server with requests that expire after a second.
async fn with_short_expiry(backend: Backend, test: impl AsyncFnOnce(TestApp)) {
    if let Some(app) = spawn_app_with(backend, |s| s.overrides.expiry_secs = 1).await {
        test(app).await;
    }
}

async fn an_expired_request_cannot_be_approved(app: TestApp) {
    let first = app.token_for(Role::Approver).await;
    let second = app.token_for(Role::Approver).await;
    let id = model(&app, "critical").await;
    let asked = ask(&app, id, &first).await;
    let request = &asked["override_request"];
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let (_, read) = app
        .get(&format!("/override-requests/{}", request["id"]), &second)
        .await;
    assert_eq!(read["status"], "expired", "{read}");
    let (_, listed) = app.get("/override-requests?status=expired", &second).await;
    assert_eq!(listed["pagination"]["total"], 1, "{listed}");

    let (status, expired) = approve(&app, request, &second).await;
    assert_eq!(status, 409, "{expired}");
    assert!(
        expired["detail"]
            .as_str()
            .is_some_and(|d| d.contains("expired")),
        "{expired}"
    );
    let (_, history) = app.get(&format!("/models/{id}/deployments"), &second).await;
    assert_eq!(
        outcomes(&history),
        ["override_expired", "override_requested"]
    );
    assert_eq!(approve(&app, request, &second).await.0, 409);
    // Once it has lapsed the same override may be asked for again.
    ask(&app, id, &first).await;
    assert_chain_verifies(&app).await;
}

per_backend!(
    super::with_short_expiry,
    [
        sqlite_short_expiry = driftguard_test_kit::Backend::Sqlite,
        postgres_short_expiry = driftguard_test_kit::Backend::Postgres,
    ],
    [an_expired_request_cannot_be_approved]
);
