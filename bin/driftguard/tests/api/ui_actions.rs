//! The UI's deploy, override and retire forms over real HTTP, on both backends: what the
//! server answers (the browser suite drives the same forms in Chromium). A deploy lands on
//! the model page with its history row; an empty environment is refused at its field; the
//! override's review refuses a short justification at its field, and records nothing until
//! its confirmation is sent; a confirmation of a result that has changed since comes back;
//! retiring lands on its row; the status message shows only records that exist.

use crate::helpers::TestApp;
use crate::ui_browser::{Browser, Page};
use driftguard_core::Role;
use driftguard_test_kit::per_backend;
use serde_json::Value;

const JUSTIFICATION: &str = "Accepted by the risk board for one week (RISK-101).";

/// A never-evaluated high-tier model: its result is `fail` (`no_evaluation`).
async fn unevaluated_model(app: &TestApp) -> i64 {
    let engineer = app.token_for(Role::Engineer).await;
    let model = app.create_model(&engineer, "ui-act", "1.0", "high").await;
    model["id"].as_i64().expect("an id")
}

/// The model's history rows, newest first.
async fn rows(app: &TestApp, model: i64) -> Vec<Value> {
    let admin = app.token_for(Role::Admin).await;
    let (status, list) = app
        .get(&format!("/models/{model}/deployments"), &admin)
        .await;
    assert_eq!(status, 200, "{list}");
    list["deployments"].as_array().cloned().unwrap_or_default()
}

/// Posts `fields` (and the session's CSRF token) to `path` from this server's origin.
async fn send(browser: &mut Browser<'_>, path: &str, fields: &[(&str, &str)]) -> Page {
    let token = browser.csrf().await;
    let origin = browser.address().to_owned();
    let mut all = vec![("csrf_token", token.as_str())];
    all.extend_from_slice(fields);
    browser.post(path, &all, Some(&origin)).await
}

/// Follows a 303 to the page that says what was done, which must name history row `row`.
async fn landed_on_row(browser: &mut Browser<'_>, answer: &Page, model: i64, row: &Value) -> Page {
    assert_eq!(answer.status, 303, "{}", answer.body);
    let location = answer.header("location").to_owned();
    assert_eq!(
        location,
        format!("/ui/models/{model}?done=history-{}", row["id"])
    );
    let page = browser.get(&location).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains(&format!("id=\"audit-row-{}\"", row["id"])),
        "the row is shown: {}",
        page.body
    );
    page
}

async fn a_deploy_lands_on_its_row_and_a_bad_environment_at_its_field(app: TestApp) {
    let model = unevaluated_model(&app).await;
    let mut engineer = Browser::signed_in(&app, Role::Engineer).await;
    let path = format!("/ui/models/{model}/deploy");

    let refused = send(&mut engineer, &path, &[("environment", "  ")]).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("href=\"#deploy-environment\""));
    assert!(refused.body.contains("id=\"deploy-environment-error\""));
    assert!(rows(&app, model).await.is_empty(), "nothing recorded");

    let answer = send(&mut engineer, &path, &[("environment", "production")]).await;
    let row = rows(&app, model).await[0].clone();
    assert_eq!(row["outcome"], "blocked", "{row}");
    let page = landed_on_row(&mut engineer, &answer, model, &row).await;
    assert!(page.body.contains("was blocked"), "{}", page.body);
    assert!(page.body.contains("role=\"alert\""));
    assert!(
        page.body.contains("no_evaluation"),
        "the violation is named"
    );

    for junk in ["history-999999", "%3Cscript%3E-1", "role-0", "approved"] {
        let page = engineer
            .get(&format!("/ui/models/{model}?done={junk}"))
            .await;
        assert_eq!(page.status, 200);
        assert!(!page.body.contains("id=\"notice\""), "{junk}");
    }
}

async fn an_override_is_reviewed_then_confirmed(app: TestApp) {
    let model = unevaluated_model(&app).await;
    let mut approver = Browser::signed_in(&app, Role::Approver).await;
    let path = format!("/ui/models/{model}/override");
    assert_eq!(approver.get(&path).await.status, 200);

    let short = send(
        &mut approver,
        &path,
        &[
            ("step", "review"),
            ("environment", "production"),
            ("justification", "too short"),
        ],
    )
    .await;
    assert_eq!(short.status, 422, "{}", short.body);
    assert!(short.body.contains("href=\"#override-justification\""));
    assert!(short.body.contains("id=\"override-justification-error\""));

    let review = [
        ("step", "review"),
        ("environment", "production"),
        ("justification", JUSTIFICATION),
    ];
    let confirmation = send(&mut approver, &path, &review).await;
    assert_eq!(confirmation.status, 200, "{}", confirmation.body);
    assert!(confirmation.body.contains("id=\"override-confirm\""));
    assert!(!confirmation.body.contains("autofocus"));
    assert!(rows(&app, model).await.is_empty(), "nothing recorded yet");

    let reviewed = confirmation.attribute_of_named("reviewed");
    let confirm = |reviewed: &str| {
        [
            ("step", "confirm".to_owned()),
            ("environment", "production".to_owned()),
            ("justification", JUSTIFICATION.to_owned()),
            ("reviewed", reviewed.to_owned()),
        ]
    };
    let stale = confirm("another result");
    let stale: Vec<(&str, &str)> = stale.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let again = send(&mut approver, &path, &stale).await;
    assert_eq!(again.status, 409, "{}", again.body);
    assert!(again.body.contains("id=\"result-changed\""));
    assert!(rows(&app, model).await.is_empty(), "nothing recorded");

    let fresh = confirm(&reviewed);
    let fresh: Vec<(&str, &str)> = fresh.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let answer = send(&mut approver, &path, &fresh).await;
    let row = rows(&app, model).await[0].clone();
    assert_eq!(
        (row["outcome"].as_str(), row["override_reason"].as_str()),
        (Some("overridden"), Some(JUSTIFICATION)),
        "{row}"
    );
    let page = landed_on_row(&mut approver, &answer, model, &row).await;
    assert!(
        page.body
            .contains("overriding its failing governance result")
    );

    let retire = format!("/ui/models/{model}/retire");
    assert_eq!(approver.get(&retire).await.status, 200);
    let answer = send(&mut approver, &retire, &[("notes", "Replaced.")]).await;
    let row = rows(&app, model).await[0].clone();
    assert_eq!(row["outcome"], "retired", "{row}");
    let page = landed_on_row(&mut approver, &answer, model, &row).await;
    assert!(page.body.contains("retired by you"), "{}", page.body);
}

async fn a_viewer_is_refused_every_action(app: TestApp) {
    let model = unevaluated_model(&app).await;
    let mut viewer = Browser::signed_in(&app, Role::Viewer).await;
    for page in ["override", "retire"] {
        let answer = viewer.get(&format!("/ui/models/{model}/{page}")).await;
        assert_eq!(answer.status, 403, "{page}");
    }
    for (action, fields) in [
        ("deploy", vec![("environment", "production")]),
        (
            "override",
            vec![("step", "confirm"), ("justification", JUSTIFICATION)],
        ),
        ("retire", vec![]),
    ] {
        let path = format!("/ui/models/{model}/{action}");
        let answer = send(&mut viewer, &path, &fields).await;
        assert_eq!(answer.status, 403, "{action}: {}", answer.body);
        assert!(answer.header("content-type").starts_with("text/html"));
    }
    assert!(rows(&app, model).await.is_empty(), "nothing recorded");
}

per_backend!(
    crate::helpers::with_app =>
    a_deploy_lands_on_its_row_and_a_bad_environment_at_its_field,
    an_override_is_reviewed_then_confirmed,
    a_viewer_is_refused_every_action,
);
