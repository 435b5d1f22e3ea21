//! Four-eyes overrides in the browser: the demo's approver asks to override the critical
//! `card-fraud` model again; on the model page the approve button is disabled for them, with
//! the reason; the demo admin, a second approver, approves it from the overview, and the
//! deploy is recorded with both of them.

use driftguard_test_kit::per_backend;
use serde_json::{Value, json};

use super::harness::{PASSWORD, Session};

const JUSTIFICATION: &str = "Fraud ring contained; the retrain ships next sprint (RISK-77).";

/// Asks for the override over the API as the demo approver: the pending request.
async fn ask(s: &Session) -> (i64, Value) {
    let app = &s.app;
    let token = app.login("demo-approver@example.com", PASSWORD).await;
    let (status, found) = app.get("/models?q=card-fraud", &token).await;
    assert_eq!(status, 200, "{found}");
    let model = found["models"][0]["id"].as_i64().expect("card-fraud");
    let (status, asked) = app
        .post(
            &format!("/models/{model}/deploy"),
            Some(&token),
            json!({"override": true, "justification": JUSTIFICATION}),
        )
        .await;
    assert_eq!(status, 202, "{asked}");
    (model, asked["override_request"].clone())
}

async fn a_second_approver_approves_from_the_ui(s: Session) {
    let (model, request) = ask(&s).await;
    let id = request["id"].as_i64().expect("id");

    s.sign_in("demo-approver@example.com").await;
    s.open(&format!("/ui/models/{model}")).await;
    let card = s.text(&format!("#override-request-{id}")).await;
    assert!(card.contains(JUSTIFICATION), "{card}");
    let disabled = s
        .script(&format!(
            "return document.querySelector('#approve-{id}').disabled;"
        ))
        .await;
    assert_eq!(disabled, Value::Bool(true), "the requester cannot approve");
    let why = s.text(&format!("#approve-why-{id}")).await;
    assert!(why.contains("second, different approver"), "{why}");
    s.check_page("override-request-own").await;
    s.click("form[action$='/sign-out'] button").await;

    s.sign_in("demo-admin@example.com").await;
    s.open("/ui").await;
    s.check_page("overview-override-pending").await;
    s.type_into(
        &format!("#approve-note-{id}"),
        "Checked with the fraud team.",
    )
    .await;
    s.click(&format!("#approve-{id}")).await;
    let path = s.path().await;
    assert!(path.starts_with("/ui?done=history-"), "{path}");
    let notice = s.text("#notice").await;
    assert!(
        notice.contains(&format!(
            "overriding its failing governance result (override request {id}"
        )),
        "{notice}"
    );
    assert!(
        s.find_all(&format!("#override-request-{id}"))
            .await
            .is_empty(),
        "no longer pending"
    );
    s.check_page("overview-override-approved").await;

    let admin = s.app.login("demo-admin@example.com", PASSWORD).await;
    let (_, read) = s.app.get(&format!("/override-requests/{id}"), &admin).await;
    assert_eq!(read["status"], "approved", "{read}");
    assert_eq!(read["decision_note"], "Checked with the fraud team.");
    let (_, verify) = s.app.get("/audit/verify", &admin).await;
    assert_eq!(verify["ok"], true, "{verify}");
}

per_backend!(
    crate::browser::harness::with_browser =>
    a_second_approver_approves_from_the_ui,
);
