//! `driftguard demo` on the server's own database, on both backends: every dashboard answers
//! non-zero numbers over HTTP, the audit chain verifies, the story is there (a blocked attempt,
//! an override with its justification, two policies, a model with two versions, backdated
//! evaluations); a second run is refused and changes nothing, `--force` reloads, and a model
//! of the user's own is never replaced. Also: an API client cannot backdate an evaluation.

use crate::helpers::TestApp;
use driftguard::demo::{self, DemoOptions, DemoReport, Refused};
use driftguard_app::Actor;
use driftguard_app::audit::Outcome;
use driftguard_core::{Page, Role};
use driftguard_test_kit::per_backend;
use reqwest::Method;
use secrecy::SecretString;
use serde_json::{Value, json};

const PASSWORD: &str = "demo-password-for-tests";

fn options(force: bool) -> DemoOptions {
    DemoOptions {
        force,
        password: Some(SecretString::from(PASSWORD)),
    }
}

async fn load(app: &TestApp, force: bool) -> anyhow::Result<DemoReport> {
    demo::load(&app.services, &options(force)).await
}

/// The number at `pointer` in `body`, which must be there.
#[track_caller]
fn number(body: &Value, pointer: &str) -> f64 {
    body.pointer(pointer)
        .and_then(Value::as_f64)
        .unwrap_or_else(|| panic!("{pointer} in {body}"))
}

#[track_caller]
fn assert_positive(body: &Value, pointers: &[&str]) {
    for pointer in pointers {
        assert!(number(body, pointer) > 0.0, "{pointer} is 0 in {body}");
    }
}

/// Every dashboard, read over HTTP as the demo viewer, has non-zero numbers where a first look
/// needs them, and the risk trend rises over the four weeks.
async fn assert_dashboards_filled(app: &TestApp) {
    let viewer = app.login("demo-viewer@example.com", PASSWORD).await;
    let (status, summary) = app.get("/dashboard/summary", &viewer).await;
    assert_eq!(status, 200, "{summary}");
    assert_positive(
        &summary,
        &[
            "/models/total",
            "/models/by_status/deployed",
            "/models/by_status/registered",
            "/models/by_risk_tier/low",
            "/models/by_risk_tier/medium",
            "/models/by_risk_tier/high",
            "/models/by_risk_tier/critical",
            "/evaluations/total",
            "/evaluations/last_24h",
            "/compliance/pass",
            "/compliance/warn",
            "/compliance/fail",
            "/compliance/unevaluated",
            "/deployments/total",
            "/deployments/last_30d",
            "/deployments/overrides",
            "/deployments/blocked",
            "/violations/drift",
            "/violations/fairness",
            "/violations/performance",
            "/violations/risk",
            "/average_risk_score",
        ],
    );
    let (status, distribution) = app.get("/dashboard/compliance-distribution", &viewer).await;
    assert_eq!(status, 200, "{distribution}");
    assert_positive(
        &distribution,
        &[
            "/overall/pass",
            "/overall/warn",
            "/overall/fail",
            "/overall/unevaluated",
        ],
    );
    for tier in ["low", "medium", "high", "critical"] {
        let counts = &distribution["by_risk_tier"][tier];
        let sum: f64 = ["pass", "warn", "fail", "unevaluated"]
            .iter()
            .map(|k| number(counts, &format!("/{k}")))
            .sum();
        assert!(sum > 0.0, "{tier}: {distribution}");
    }
    let (status, trends) = app.get("/dashboard/risk-trends?days=30", &viewer).await;
    assert_eq!(status, 200, "{trends}");
    let points = trends["points"].as_array().expect("points");
    let evaluated: Vec<&Value> = points
        .iter()
        .filter(|p| number(p, "/evaluations") > 0.0)
        .collect();
    assert!(
        evaluated.len() >= 25,
        "four weeks of daily evaluations: {trends}"
    );
    for point in &evaluated {
        assert!(number(point, "/max_risk_score") >= number(point, "/mean_risk_score"));
    }
    let mean_of = |days: &[&Value]| {
        days.iter()
            .map(|p| number(p, "/mean_risk_score"))
            .sum::<f64>()
            / days.len() as f64
    };
    let (first_week, last_week) = (&evaluated[..7], &evaluated[evaluated.len() - 7..]);
    assert!(
        mean_of(last_week) > mean_of(first_week) + 20.0,
        "the later evaluations drift more: {trends}"
    );
}

/// Every row of `GET /deployments`.
async fn history(app: &TestApp, token: &str) -> Vec<Value> {
    let (status, body) = app.get("/deployments?limit=100", token).await;
    assert_eq!(status, 200, "{body}");
    body["deployments"].as_array().expect("deployments").clone()
}

async fn the_demo_fills_every_dashboard_and_tells_the_story(app: TestApp) {
    let report = load(&app, false).await.expect("the demo loads");
    assert_eq!(report.replaced, 0);
    assert_eq!(report.accounts.len(), 4);
    assert!(
        report
            .accounts
            .iter()
            .all(|a| a.password.as_deref() == Some(PASSWORD))
    );
    assert_dashboards_filled(&app).await;

    let admin = app.login("demo-admin@example.com", PASSWORD).await;
    let (status, verify) = app.get("/audit/verify", &admin).await;
    assert_eq!(status, 200, "{verify}");
    assert_eq!(verify["ok"], true, "{verify}");
    let rows = history(&app, &admin).await;
    assert_eq!(number(&verify, "/rows_checked") as usize, rows.len());
    assert!(rows.iter().any(|r| r["outcome"] == "blocked"), "{rows:?}");
    let overridden: Vec<_> = rows
        .iter()
        .filter(|r| r["outcome"] == "overridden")
        .collect();
    assert_eq!(overridden.len(), 1, "{rows:?}");
    assert_eq!(overridden[0]["override_used"], true);
    let reason = overridden[0]["override_reason"]
        .as_str()
        .expect("a justification");
    assert!(reason.chars().count() >= 20, "{reason}");
    assert!(
        rows.iter().any(|r| r["outcome"] == "deployed"),
        "a passing deploy: {rows:?}"
    );

    let (_, policies) = app.get("/policies", &admin).await;
    assert_eq!(policies["pagination"]["total"], 2, "{policies}");
    let (_, credit) = app.get("/models?q=credit-risk", &admin).await;
    let versions: Vec<_> = credit["models"]
        .as_array()
        .expect("models")
        .iter()
        .map(|m| m["version"].as_str().expect("version").to_owned())
        .collect();
    assert_eq!(versions.len(), 2, "{credit}");
    assert_ne!(versions[0], versions[1]);
    let (_, tasks) = app.get("/models?limit=100", &admin).await;
    for task in ["binary_classification", "regression"] {
        assert!(
            tasks["models"]
                .as_array()
                .expect("models")
                .iter()
                .any(|m| m["task"] == task)
        );
    }

    // Backdated: the oldest evaluation of a four-week model is weeks old.
    let first = &report.models[0];
    assert_eq!(first.deploys, vec![Outcome::Blocked]);
    let path = format!(
        "/models/{}/evaluations?limit=1&skip={}",
        first.model.id,
        first.evaluations - 1
    );
    let (_, oldest) = app.get(&path, &admin).await;
    let created = oldest["evaluations"][0]["created_at"]
        .as_str()
        .expect("created_at");
    let created: chrono::DateTime<chrono::Utc> = created.parse().expect("RFC 3339");
    assert!(
        chrono::Utc::now() - created > chrono::TimeDelta::days(20),
        "{oldest}"
    );
}

/// What a refused run must leave alone, read through the use cases (the HTTP answers may be
/// cached).
async fn snapshot(app: &TestApp, admin: &Actor) -> (Value, u64, u64, u64) {
    let s = &app.services;
    let mut summary =
        serde_json::to_value(s.dashboard.summary().await.expect("summary")).expect("json");
    summary["generated_at"] = Value::Null;
    let page = Page::new(0, 1).expect("page");
    let (_, users) = s.auth.list_users(page).await.expect("users");
    let (_, policies) = s.policies.list(page).await.expect("policies");
    let rows = s
        .audit
        .verify_audit(admin)
        .await
        .expect("verify")
        .rows_checked;
    (summary, users, policies, rows)
}

async fn a_second_run_is_refused_and_changes_nothing_unless_forced(app: TestApp) {
    let first = load(&app, false).await.expect("the first run");
    let admin = first.accounts[0].actor;
    assert_eq!(admin.role, Role::Admin);
    let before = snapshot(&app, &admin).await;
    let refused = load(&app, false)
        .await
        .expect_err("a second run is refused");
    let refused = refused
        .downcast_ref::<Refused>()
        .expect("refused, not failed");
    assert_eq!(refused.models, first.models.len() as u64);
    assert_eq!(
        snapshot(&app, &admin).await,
        before,
        "a refused run changes nothing"
    );

    let forced = load(&app, true).await.expect("--force reloads");
    assert_eq!(
        forced.replaced,
        first.models.len(),
        "the earlier demo models are replaced"
    );
    assert!(
        forced.accounts.iter().all(|a| a.password.is_none()),
        "existing accounts are kept"
    );
    let (summary, users, policies, rows) = snapshot(&app, &admin).await;
    assert_eq!(summary["models"]["total"], before.0["models"]["total"]);
    assert_eq!(
        (users, policies),
        (before.1, before.2),
        "no second accounts or policy"
    );
    assert!(
        rows > before.3,
        "the new attempts are appended to the trail"
    );
    assert!(
        app.services
            .audit
            .verify_audit(&admin)
            .await
            .expect("verify")
            .ok
    );
    assert_dashboards_filled(&app).await;
}

async fn a_model_of_the_users_own_is_never_replaced(app: TestApp) {
    let engineer = app.token_for(Role::Engineer).await;
    let (status, body) = app
        .post(
            "/models",
            Some(&engineer),
            json!({"name": "credit-risk", "version": "1.0.0", "task": "binary_classification", "risk_tier": "high"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let owner = app
        .services
        .auth
        .create_user("owner@example.com", PASSWORD, None, Role::Admin)
        .await
        .expect("an admin");
    let admin = Actor::new(owner.id, owner.role);
    let before = snapshot(&app, &admin).await;
    let error = load(&app, true)
        .await
        .expect_err("a clash with a model of the user's own");
    assert!(error.to_string().contains("not a demo model"), "{error}");
    assert_eq!(snapshot(&app, &admin).await, before, "nothing changed");
}

/// No route takes an evaluation time: a CSV upload ignores one in the query, a JSON body
/// with one is refused.
async fn an_api_client_cannot_backdate_an_evaluation(app: TestApp) {
    let engineer = app.token_for(Role::Engineer).await;
    let model = app.create_model(&engineer, "backdating", "1", "low").await;
    let id = model["id"].as_i64().expect("id");
    let csv = |shift: i32| {
        let mut out = String::from("x,prediction,label,group\n");
        for i in 0..40 {
            out.push_str(&format!("{},{},{},g{}\n", i + shift, i % 2, i % 2, i % 3));
        }
        out.into_bytes()
    };
    let (status, body) = app
        .upload(
            Method::PUT,
            &format!("/models/{id}/reference"),
            &engineer,
            csv(0),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let past = "2020-01-01T00:00:00Z";
    let path = format!("/models/{id}/evaluations?evaluated_at={past}&created_at={past}");
    let (status, body) = app.upload(Method::POST, &path, &engineer, csv(1)).await;
    assert_eq!(status, 201, "{body}");
    let created: chrono::DateTime<chrono::Utc> = body["created_at"]
        .as_str()
        .expect("created_at")
        .parse()
        .expect("RFC 3339");
    assert!(
        chrono::Utc::now() - created < chrono::TimeDelta::minutes(5),
        "{body}"
    );
    let data = json!({"columns": {
        "x": [1, 2, 3, 4, 5, 6, 7], "prediction": [0, 1, 0, 1, 0, 1, 0],
        "label": [0, 1, 0, 1, 0, 1, 0], "group": ["a", "b", "a", "b", "a", "b", "a"]
    }});
    let evaluations = format!("/models/{id}/evaluations");
    let (status, body) = app
        .post(&evaluations, Some(&engineer), json!({"data": data}))
        .await;
    assert_eq!(status, 201, "the body is fine without the field: {body}");
    let (status, body) = app
        .post(
            &evaluations,
            Some(&engineer),
            json!({"data": data, "evaluated_at": past}),
        )
        .await;
    assert!(matches!(status, 400 | 422), "{status}: {body}");
    assert!(body.to_string().contains("evaluated_at"), "{body}");
}

per_backend!(
    crate::helpers::with_app =>
    the_demo_fills_every_dashboard_and_tells_the_story,
    a_second_run_is_refused_and_changes_nothing_unless_forced,
    a_model_of_the_users_own_is_never_replaced,
    an_api_client_cannot_backdate_an_evaluation,
);
