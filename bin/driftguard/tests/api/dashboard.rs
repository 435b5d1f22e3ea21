//! `/dashboard/*`, the policy reads and the totals of `GET /models` over HTTP: the bodies,
//! `X-Cache`, the hit and miss counters, invalidation after each kind of write, replicas
//! sharing one Redis, and Redis going away under load.

use crate::helpers::{Backend, TestApp, replicas_sharing_redis, spawn_app_with};
use driftguard_core::Role;
use driftguard_test_kit::per_backend;
use driftguard_test_kit::{free_port, start_redis};
use reqwest::Method;
use serde_json::{Value, json};

/// GETs `path`: status, `X-Cache`, body.
async fn cached(app: &TestApp, path: &str, token: &str) -> (u16, String, Value) {
    let response = app
        .client
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    let x_cache = response
        .headers()
        .get("x-cache")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    (status, x_cache, response.json().await.expect("json"))
}

/// GETs `path` expecting a 200 with this `X-Cache`; the body.
async fn expect_cache(app: &TestApp, path: &str, token: &str, x_cache: &str) -> Value {
    let (status, got, body) = cached(app, path, token).await;
    assert_eq!((status, got.as_str()), (200, x_cache), "{path}: {body}");
    body
}

const SUMMARY: &str = "/dashboard/summary";
const COMPLIANCE: &str = "/dashboard/compliance-distribution";
const TRENDS: &str = "/dashboard/risk-trends?days=7";

/// Sixty rows of `x, c, prediction, label, group`; `shift` moves every feature away from the
/// reference (drift on both columns, so the default policy fails the model).
fn csv(shift: bool) -> Vec<u8> {
    let mut out = String::from("x,c,prediction,label,group\n");
    for i in 0..60 {
        let x = if shift { i + 1000 } else { i };
        let c = if shift { "z" } else { ["a", "b", "c"][i % 3] };
        let y = (i / 2) % 2;
        out.push_str(&format!("{x},{c},{y},{y},g{}\n", i % 2));
    }
    out.into_bytes()
}

/// Registers a model with reference data; its id.
async fn model_with_reference(app: &TestApp, token: &str, name: &str) -> i64 {
    let model = app.create_model(token, name, "1", "high").await;
    let id = model["id"].as_i64().expect("id");
    let path = format!("/models/{id}/reference");
    let (status, body) = app.upload(Method::PUT, &path, token, csv(false)).await;
    assert_eq!(status, 200, "{body}");
    id
}

async fn evaluate(app: &TestApp, token: &str, id: i64, shift: bool) -> Value {
    let path = format!("/models/{id}/evaluations");
    let (status, body) = app.upload(Method::POST, &path, token, csv(shift)).await;
    assert_eq!(status, 201, "{body}");
    body
}

async fn dashboards_have_the_spec_shapes_and_are_cached(app: TestApp) {
    let viewer = app.token_for(Role::Viewer).await;
    let summary = expect_cache(&app, SUMMARY, &viewer, "MISS").await;
    for key in [
        "models",
        "evaluations",
        "compliance",
        "deployments",
        "violations",
        "average_risk_score",
        "generated_at",
    ] {
        assert!(summary.get(key).is_some(), "{key} in {summary}");
    }
    assert_eq!(
        summary["models"],
        json!({"total": 0,
               "by_status": {"registered": 0, "deployed": 0, "superseded": 0, "retired": 0},
               "by_risk_tier": {"low": 0, "medium": 0, "high": 0, "critical": 0}})
    );
    assert_eq!(
        summary["deployments"],
        json!({"total": 0, "last_30d": 0, "overrides": 0, "blocked": 0})
    );
    assert_eq!(summary["average_risk_score"], Value::Null);
    let again = expect_cache(&app, SUMMARY, &viewer, "HIT").await;
    assert_eq!(again, summary, "a hit is the same body");

    let compliance = expect_cache(&app, COMPLIANCE, &viewer, "MISS").await;
    assert_eq!(
        compliance["overall"],
        json!({"pass": 0, "warn": 0, "fail": 0, "unevaluated": 0})
    );
    assert!(compliance["by_risk_tier"]["critical"].is_object());
    expect_cache(&app, COMPLIANCE, &viewer, "HIT").await;

    let trends = expect_cache(&app, TRENDS, &viewer, "MISS").await;
    assert_eq!(trends["days"], 7);
    assert_eq!(trends["points"].as_array().map(Vec::len), Some(7));
    assert_eq!(
        trends["points"][6],
        json!({"date": driftguard_core::now().date_naive().to_string(), "evaluations": 0,
               "mean_risk_score": null, "max_risk_score": null})
    );
    expect_cache(&app, TRENDS, &viewer, "HIT").await;
    // Another window is another answer; the default is 30 days.
    let month = expect_cache(&app, "/dashboard/risk-trends", &viewer, "MISS").await;
    assert_eq!(month["points"].as_array().map(Vec::len), Some(30));

    for days in ["0", "366"] {
        let path = format!("/dashboard/risk-trends?days={days}");
        let (status, _, body) = cached(&app, &path, &viewer).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["errors"][0]["field"], "days");
    }
    let (status, _, body) = cached(&app, "/dashboard/risk-trends?days=x", &viewer).await;
    assert_eq!(status, 422, "{body}");
    let (status, _) = app.send(Method::GET, SUMMARY, None, None).await;
    assert_eq!(status, 401);

    let metrics = app.metrics_text(None).await;
    for line in [
        "cache_hits_total{key_class=\"dashboard_summary\"} 1",
        "cache_misses_total{key_class=\"dashboard_summary\"} 1",
        "cache_misses_total{key_class=\"risk_trends\"} 2",
    ] {
        assert!(metrics.contains(line), "{line} in\n{metrics}");
    }
}

async fn every_write_invalidates_what_it_changes(app: TestApp) {
    let engineer = app.token_for(Role::Engineer).await;
    let approver = app.token_for(Role::Approver).await;
    let admin = app.token_for(Role::Admin).await;
    let viewer = app.token_for(Role::Viewer).await;
    for path in [SUMMARY, COMPLIANCE, TRENDS] {
        expect_cache(&app, path, &viewer, "MISS").await;
    }

    // A model registered: counts change, the trends do not.
    let first = model_with_reference(&app, &engineer, "first").await;
    let summary = expect_cache(&app, SUMMARY, &viewer, "MISS").await;
    assert_eq!(summary["models"]["by_risk_tier"]["high"], 1);
    let compliance = expect_cache(&app, COMPLIANCE, &viewer, "MISS").await;
    assert_eq!(compliance["overall"]["unevaluated"], 1);
    expect_cache(&app, TRENDS, &viewer, "HIT").await;

    // A refused write changes nothing and keeps the cache.
    let (status, _) = app
        .post(
            "/models",
            Some(&viewer),
            json!({"name": "x", "version": "1", "task": "regression", "risk_tier": "low"}),
        )
        .await;
    assert_eq!(status, 403);
    expect_cache(&app, SUMMARY, &viewer, "HIT").await;

    // An edit of the tier.
    let path = format!("/models/{first}");
    let (status, body) = app
        .send(
            Method::PATCH,
            &path,
            Some(&engineer),
            Some(json!({"risk_tier": "low"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let compliance = expect_cache(&app, COMPLIANCE, &viewer, "MISS").await;
    assert_eq!(compliance["by_risk_tier"]["low"]["unevaluated"], 1);

    // An evaluation: every dashboard.
    let evaluation = evaluate(&app, &engineer, first, false).await;
    assert_eq!(evaluation["status"], "pass", "{evaluation}");
    let summary = expect_cache(&app, SUMMARY, &viewer, "MISS").await;
    assert_eq!(summary["evaluations"], json!({"total": 1, "last_24h": 1}));
    assert_eq!(summary["compliance"]["pass"], 1);
    let compliance = expect_cache(&app, COMPLIANCE, &viewer, "MISS").await;
    assert_eq!(compliance["by_risk_tier"]["low"]["pass"], 1);
    let trends = expect_cache(&app, TRENDS, &viewer, "MISS").await;
    assert_eq!(trends["points"][6]["evaluations"], 1);

    // A deployment.
    let (status, body) = app
        .post(
            &format!("/models/{first}/deploy"),
            Some(&engineer),
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let summary = expect_cache(&app, SUMMARY, &viewer, "MISS").await;
    assert_eq!(summary["deployments"]["total"], 1);
    assert_eq!(summary["models"]["by_status"]["deployed"], 1);

    // A blocked attempt is a 409, and it is counted.
    let second = model_with_reference(&app, &engineer, "second").await;
    let failed = evaluate(&app, &engineer, second, true).await;
    assert_eq!(failed["status"], "fail", "{failed}");
    expect_cache(&app, SUMMARY, &viewer, "MISS").await;
    let (status, body) = app
        .post(
            &format!("/models/{second}/deploy"),
            Some(&engineer),
            json!({}),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    let summary = expect_cache(&app, SUMMARY, &viewer, "MISS").await;
    assert_eq!(summary["deployments"]["blocked"], 1);
    assert_eq!(summary["compliance"]["fail"], 1);
    assert!(
        summary["violations"]["drift"].as_u64() >= Some(1),
        "{summary}"
    );

    // A retirement.
    let (status, body) = app
        .post(
            &format!("/models/{first}/retire"),
            Some(&approver),
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let summary = expect_cache(&app, SUMMARY, &viewer, "MISS").await;
    assert_eq!(summary["models"]["by_status"]["retired"], 1);

    // A deletion takes the model's evaluations with it.
    expect_cache(&app, TRENDS, &viewer, "MISS").await;
    let (status, _) = app
        .send(
            Method::DELETE,
            &format!("/models/{second}"),
            Some(&admin),
            None,
        )
        .await;
    assert!(status == 200 || status == 204, "{status}");
    let summary = expect_cache(&app, SUMMARY, &viewer, "MISS").await;
    assert_eq!(summary["models"]["total"], 1);
    assert_eq!(summary["evaluations"]["total"], 1);
    let trends = expect_cache(&app, TRENDS, &viewer, "MISS").await;
    assert_eq!(trends["points"][6]["evaluations"], 1);
}

async fn policy_reads_are_cached_until_a_policy_changes(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let viewer = app.token_for(Role::Viewer).await;
    let list = expect_cache(&app, "/policies", &viewer, "MISS").await;
    assert_eq!(list["pagination"]["total"], 1, "the default policy");
    expect_cache(&app, "/policies", &viewer, "HIT").await;
    expect_cache(&app, "/policies/1", &viewer, "MISS").await;
    expect_cache(&app, "/policies/1", &viewer, "HIT").await;
    expect_cache(&app, "/policies/1/versions", &viewer, "MISS").await;
    // Other pages are other answers.
    expect_cache(&app, "/policies?limit=5", &viewer, "MISS").await;
    let (status, _, _) = cached(&app, "/policies/999", &viewer).await;
    assert_eq!(status, 404, "a miss is not cached as an answer");

    let draft = json!({"name": "strict", "applies_to": {"risk_tiers": ["high"]},
                       "rules": [{"metric": "risk.score", "op": "<=", "threshold": 50.0,
                                  "severity": "block"}]});
    let (status, created) = app.post("/policies", Some(&admin), draft.clone()).await;
    assert_eq!(status, 201, "{created}");
    let list = expect_cache(&app, "/policies", &viewer, "MISS").await;
    assert_eq!(list["pagination"]["total"], 2);

    let mut edited = draft;
    edited["name"] = json!("stricter");
    let (status, body) = app
        .send(Method::PUT, "/policies/1", Some(&admin), Some(edited))
        .await;
    assert_eq!(status, 200, "{body}");
    let policy = expect_cache(&app, "/policies/1", &viewer, "MISS").await;
    assert_eq!(policy["name"], "stricter");
    let versions = expect_cache(&app, "/policies/1/versions", &viewer, "MISS").await;
    assert_eq!(versions["versions"].as_array().map(Vec::len), Some(2));

    let (status, _) = app
        .send(Method::DELETE, "/policies/1", Some(&admin), None)
        .await;
    assert_eq!(status, 200);
    let policy = expect_cache(&app, "/policies/1", &viewer, "MISS").await;
    assert_eq!(policy["active"], false);
}

/// Writes through `Services` alone — no HTTP request, as the CLI, the UI and linked Rust
/// services make them — still drop the cached answers they change: the use cases announce
/// to the answer cache.
async fn writes_through_services_alone_invalidate_cached_answers(app: TestApp) {
    let viewer = app.token_for(Role::Viewer).await;
    let engineer = app.token_for(Role::Engineer).await;
    let admin = app.token_for(Role::Admin).await;
    let actor = async |token: &str| {
        let user = app.services.auth.authenticate(token).await;
        let user = user.expect("a signed-in user");
        driftguard_app::Actor::new(user.id, user.role)
    };
    let (engineer, admin) = (actor(&engineer).await, actor(&admin).await);

    expect_cache(&app, SUMMARY, &viewer, "MISS").await;
    let before = expect_cache(&app, SUMMARY, &viewer, "HIT").await;
    let new = driftguard_registry::NewModel::new(
        "no-http",
        "1",
        driftguard_core::Task::Regression,
        driftguard_core::RiskTier::Low,
    );
    app.services
        .models
        .register(new, &engineer)
        .await
        .expect("registered through Services");
    let after = expect_cache(&app, SUMMARY, &viewer, "MISS").await;
    assert_eq!(
        after["models"]["by_risk_tier"]["low"],
        before["models"]["by_risk_tier"]["low"]
            .as_u64()
            .unwrap_or(0)
            + 1,
        "{after}"
    );

    expect_cache(&app, "/policies", &viewer, "MISS").await;
    let policies = expect_cache(&app, "/policies", &viewer, "HIT").await;
    let draft: driftguard_governance::PolicyDraft = serde_json::from_value(json!({
        "name": "Written without HTTP",
        "rules": [{"metric": "drift.share", "op": "<", "threshold": 0.5, "severity": "warn"}]
    }))
    .expect("a draft");
    app.services
        .policies
        .create(draft, &admin)
        .await
        .expect("created through Services");
    let now = expect_cache(&app, "/policies", &viewer, "MISS").await;
    assert_eq!(
        now["pagination"]["total"],
        policies["pagination"]["total"].as_u64().unwrap_or(0) + 1,
        "{now}"
    );
}

/// The `pagination.total` of `GET /models` with this query.
async fn total(app: &TestApp, token: &str, query: &str) -> u64 {
    let (status, body) = app.get(&format!("/models{query}"), token).await;
    assert_eq!(status, 200, "{query}: {body}");
    body["pagination"]["total"].as_u64().expect("total")
}

/// The lines of `/metrics` counting lookups of the model list pages.
async fn page_lookups(app: &TestApp) -> Vec<String> {
    app.metrics_text(None)
        .await
        .lines()
        .filter(|l| l.contains("key_class=\"model_pages\"") && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

/// `GET /models`' totals are cached, and every write that can move one (a model registered,
/// edited, evaluated, deployed, retired or deleted) is seen in the next list.
async fn model_list_totals_follow_every_write(app: TestApp) {
    let engineer = app.token_for(Role::Engineer).await;
    let approver = app.token_for(Role::Approver).await;
    let admin = app.token_for(Role::Admin).await;
    let viewer = app.token_for(Role::Viewer).await;
    const QUERIES: [&str; 6] = [
        "",
        "?risk_tier=high",
        "?risk_tier=low&sort=name",
        "?compliance=pass",
        "?status=deployed",
        "?status=retired&q=TOT",
    ];
    let totals = async |expected: [u64; 6]| {
        for (query, want) in QUERIES.iter().zip(expected) {
            assert_eq!(total(&app, &viewer, query).await, want, "{query}");
        }
    };
    totals([0, 0, 0, 0, 0, 0]).await;
    // Asked again without a write: answered from the cache.
    totals([0, 0, 0, 0, 0, 0]).await;
    let lookups = page_lookups(&app).await;
    assert!(
        lookups.contains(&"cache_hits_total{key_class=\"model_pages\"} 6".to_owned()),
        "{lookups:?}"
    );

    let id = model_with_reference(&app, &engineer, "totals").await;
    totals([1, 1, 0, 0, 0, 0]).await;

    let path = format!("/models/{id}");
    let patch = Some(json!({"risk_tier": "low"}));
    let (status, body) = app.send(Method::PATCH, &path, Some(&engineer), patch).await;
    assert_eq!(status, 200, "{body}");
    totals([1, 0, 1, 0, 0, 0]).await;

    let evaluation = evaluate(&app, &engineer, id, false).await;
    assert_eq!(evaluation["status"], "pass", "{evaluation}");
    totals([1, 0, 1, 1, 0, 0]).await;

    let deploy = format!("/models/{id}/deploy");
    let (status, body) = app.post(&deploy, Some(&engineer), json!({})).await;
    assert_eq!(status, 200, "{body}");
    totals([1, 0, 1, 1, 1, 0]).await;

    let retire = format!("/models/{id}/retire");
    let (status, body) = app.post(&retire, Some(&approver), json!({})).await;
    assert_eq!(status, 200, "{body}");
    totals([1, 0, 1, 1, 0, 1]).await;

    let (status, _) = app.send(Method::DELETE, &path, Some(&admin), None).await;
    assert!(status == 200 || status == 204, "{status}");
    totals([0, 0, 0, 0, 0, 0]).await;
}

/// The names on the first page of `GET /models` with this query.
async fn names(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let (status, body) = app.get(&format!("/models{query}"), token).await;
    assert_eq!(status, 200, "{query}: {body}");
    body["models"]
        .as_array()
        .expect("models")
        .iter()
        .map(|m| m["name"].as_str().expect("name").to_owned())
        .collect()
}

/// `GET /models`' pages are cached, and every write to a model is seen in the next list: one
/// that moves it in a list's order, a reference upload included, and one that only changes
/// what the list shows of it.
async fn model_list_pages_follow_every_write(app: TestApp) {
    let engineer = app.token_for(Role::Engineer).await;
    let viewer = app.token_for(Role::Viewer).await;
    const BY_CHANGE: &str = "?sort=-updated_at";
    let first = app.create_model(&engineer, "first", "1", "high").await;
    let second = app.create_model(&engineer, "second", "1", "high").await;
    assert_eq!(names(&app, &viewer, BY_CHANGE).await, ["second", "first"]);
    assert_eq!(names(&app, &viewer, BY_CHANGE).await, ["second", "first"]);
    let hits = "cache_hits_total{key_class=\"model_pages\"} 1".to_owned();
    assert!(page_lookups(&app).await.contains(&hits));
    // Another page of the same filters: its own miss, the total the first page counted.
    assert!(
        names(&app, &viewer, "?sort=-updated_at&skip=10")
            .await
            .is_empty()
    );
    let metrics = app.metrics_text(None).await;
    assert!(
        metrics.contains("cache_hits_total{key_class=\"model_totals\"} 1"),
        "{metrics}"
    );

    let id = first["id"].as_i64().expect("id");
    let path = format!("/models/{id}/reference");
    let (status, body) = app.upload(Method::PUT, &path, &engineer, csv(false)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(names(&app, &viewer, BY_CHANGE).await, ["first", "second"]);
    let (status, body) = app.get("/models?sort=-updated_at&limit=1", &viewer).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["models"][0]["has_reference"], true, "{body}");

    let second = second["id"].as_i64().expect("id");
    let (status, body) = app
        .send(
            Method::PATCH,
            &format!("/models/{second}"),
            Some(&engineer),
            Some(json!({"description": "edited"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(names(&app, &viewer, BY_CHANGE).await, ["second", "first"]);
    let (status, body) = app.get("/models?sort=name&skip=1", &viewer).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["models"][0]["name"], "second", "{body}");
    assert_eq!(body["models"][0]["description"], "edited", "{body}");

    // Writes that change what the list shows, not its order by name.
    let first_by_name = async || {
        let (status, body) = app.get("/models?sort=name&limit=1", &viewer).await;
        assert_eq!(status, 200, "{body}");
        body["models"][0].clone()
    };
    assert_eq!(first_by_name().await["latest_evaluation"], Value::Null);
    evaluate(&app, &engineer, id, false).await;
    let listed = first_by_name().await;
    assert_eq!(listed["latest_evaluation"]["status"], "pass", "{listed}");
    let (status, body) = app
        .post(&format!("/models/{id}/deploy"), Some(&engineer), json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(first_by_name().await["status"], "deployed");
}

per_backend!(
    crate::helpers::with_app =>
    model_list_pages_follow_every_write,
    model_list_totals_follow_every_write,
    writes_through_services_alone_invalidate_cached_answers,
    dashboards_have_the_spec_shapes_and_are_cached,
    every_write_invalidates_what_it_changes,
    policy_reads_are_cached_until_a_policy_changes,
);

/// Two replicas on one database and one Redis: a write through one is seen through the
/// other at once, although the other had the answer cached.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_sharing_redis_see_each_others_invalidations() {
    let Some((a, b)) = replicas_sharing_redis("dashboards").await else {
        return;
    };
    let engineer = a.token_for(Role::Engineer).await;
    let viewer = b.token_for(Role::Viewer).await;
    expect_cache(&b, SUMMARY, &viewer, "MISS").await;
    expect_cache(&a, SUMMARY, &viewer, "HIT").await;

    assert_eq!(total(&b, &viewer, "?risk_tier=critical").await, 0);
    assert_eq!(total(&a, &viewer, "?risk_tier=critical").await, 0);

    a.create_model(&engineer, "shared", "1", "critical").await;
    let summary = expect_cache(&b, SUMMARY, &viewer, "MISS").await;
    assert_eq!(summary["models"]["by_risk_tier"]["critical"], 1);
    expect_cache(&a, SUMMARY, &viewer, "HIT").await;
    // The list's cached total too, through the replica that did not register it.
    assert_eq!(total(&b, &viewer, "?risk_tier=critical").await, 1);
}

/// Redis killed while requests keep coming: no request fails, answers keep coming (as
/// misses), and caching resumes once a Redis is back on the same port.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboards_survive_redis_being_killed_mid_load() {
    let port = free_port();
    let Some(redis) = start_redis(port) else {
        return;
    };
    redis.wait_until_ready();
    let url = redis.url();
    let app = spawn_app_with(Backend::Sqlite, |s| s.redis.url = Some(url))
        .await
        .expect("SQLite is always available");
    let viewer = app.token_for(Role::Viewer).await;
    expect_cache(&app, SUMMARY, &viewer, "MISS").await;
    expect_cache(&app, SUMMARY, &viewer, "HIT").await;

    let load = {
        let (client, url, token) = (app.client.clone(), app.url(SUMMARY), viewer.clone());
        tokio::spawn(async move {
            let mut statuses = Vec::new();
            for _ in 0..200 {
                let response = client.get(&url).bearer_auth(&token).send().await;
                statuses.push(response.map(|r| r.status().as_u16()).unwrap_or(0));
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
            statuses
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    drop(redis);
    let statuses = load.await.expect("the load task");
    assert!(statuses.iter().all(|&s| s == 200), "{statuses:?}");

    // Down: answers are computed (MISS), never errors.
    expect_cache(&app, SUMMARY, &viewer, "MISS").await;
    let back = start_redis(port).expect("a redis-server again");
    back.wait_until_ready();
    // The breaker lets one probe through after its cooldown (5 s by default).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let (status, x_cache, _) = cached(&app, SUMMARY, &viewer).await;
        assert_eq!(status, 200);
        if x_cache == "HIT" {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "caching did not resume"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}
