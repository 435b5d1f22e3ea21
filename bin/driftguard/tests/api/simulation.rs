//! `/simulation/*` over HTTP on both backends: seeded answers that are byte-identical on
//! every replica, scenarios that do what they say, sweeps with their tipping point, bad
//! input named field by field, and a draft policy that changes nothing stored.

use crate::helpers::TestApp;
use driftguard_core::Role;
use driftguard_stats::testing::read_reference;
use driftguard_test_kit::per_backend;
use reqwest::Method;
use serde_json::{Value, json};

/// A model over the shared reference pair (prediction, label, score; `group` sensitive
/// when `sensitive`), with its reference data uploaded; its id.
async fn model_with_reference(app: &TestApp, token: &str, name: &str, sensitive: bool) -> i64 {
    let sensitive: Vec<&str> = if sensitive { vec!["group"] } else { vec![] };
    let (status, model) = app
        .post(
            "/models",
            Some(token),
            json!({"name": name, "version": "1", "task": "binary_classification",
                   "risk_tier": "high", "columns": {"prediction": "prediction", "label": "label",
                   "score": "score", "sensitive": sensitive}}),
        )
        .await;
    assert_eq!(status, 201, "{model}");
    let id = model["id"].as_i64().expect("id");
    let path = format!("/models/{id}/reference");
    let csv = read_reference("reference_10k.csv");
    let (status, body) = app.upload(Method::PUT, &path, token, csv).await;
    assert_eq!(status, 200, "{body}");
    id
}

/// The raw answer text of `POST /simulation/drift`.
async fn drift_text(app: &TestApp, token: &str, body: &Value) -> (u16, String) {
    let response = app
        .client
        .post(app.url("/simulation/drift"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.text().await.expect("text"))
}

#[track_caller]
fn column<'a>(answer: &'a Value, name: &str) -> &'a Value {
    answer["drift"]["columns"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["column"] == name))
        .unwrap_or_else(|| panic!("no drift column {name} in {answer}"))
}

#[track_caller]
fn drifted(answer: &Value) -> Vec<String> {
    answer["drift"]["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .filter(|c| c["drifted"] == true)
        .map(|c| c["column"].as_str().expect("name").to_owned())
        .collect()
}

async fn a_seeded_shift_drifts_that_column_only_and_stores_nothing(app: TestApp) {
    let engineer = app.token_for(Role::Engineer).await;
    let id = model_with_reference(&app, &engineer, "credit", true).await;
    let request = json!({"model_id": id, "rows": 6000, "seed": 7,
                         "scenarios": [{"column": "n01", "shift": 2}]});
    let (status, first) = drift_text(&app, &engineer, &request).await;
    assert_eq!(status, 200, "{first}");
    let (_, again) = drift_text(&app, &engineer, &request).await;
    assert_eq!(first, again, "the same request, byte for byte");
    let replica = app.replica().await;
    let (_, elsewhere) = drift_text(&replica, &engineer, &request).await;
    assert_eq!(first, elsewhere, "the same answer on another replica");
    let other_seed = json!({"model_id": id, "rows": 6000, "seed": 8,
                            "scenarios": [{"column": "n01", "shift": 2}]});
    assert_ne!(first, drift_text(&app, &engineer, &other_seed).await.1);

    let answer: Value = serde_json::from_str(&first).expect("json");
    assert_eq!(answer["simulated"], true);
    assert_eq!(
        (answer["rows"].as_u64(), answer["seed"].as_u64()),
        (Some(6000), Some(7))
    );
    assert_eq!(
        answer["scenarios"],
        json!([{"column": "n01", "shift": 2.0}])
    );
    assert_eq!(drifted(&answer), ["n01"], "only the shifted column drifts");
    for key in [
        "risk",
        "status",
        "violations",
        "metrics",
        "fairness",
        "performance",
    ] {
        assert!(answer.get(key).is_some(), "{key} missing from {answer}");
    }
    assert!(
        answer["metrics"]["drift.share"]
            .as_f64()
            .is_some_and(|s| s > 0.0)
    );

    // With the default row count the sample is the reference: nothing drifts.
    let (status, plain) = app
        .post(
            "/simulation/drift",
            Some(&engineer),
            json!({"model_id": id, "scenarios": []}),
        )
        .await;
    assert_eq!(status, 200, "{plain}");
    assert_eq!(plain["rows"], 10_000);
    assert!(drifted(&plain).is_empty(), "{plain}");

    // Nothing stored, nothing changed.
    let (_, evaluations) = app
        .get(&format!("/models/{id}/evaluations"), &engineer)
        .await;
    assert_eq!(evaluations["pagination"]["total"], 0);
    let (_, model) = app.get(&format!("/models/{id}"), &engineer).await;
    assert!(model["latest_evaluation"].is_null(), "{model}");
    assert_eq!(model["status"], "registered");
}

async fn missing_rate_and_move_show_in_the_current_side(app: TestApp) {
    let engineer = app.token_for(Role::Engineer).await;
    let id = model_with_reference(&app, &engineer, "credit", true).await;
    let (status, answer) = app
        .post(
            "/simulation/drift",
            Some(&engineer),
            json!({"model_id": id, "seed": 3, "scenarios": [
                {"column": "n02", "missing_rate": 0.3},
                {"column": "c01", "move": {"from": "c01_00", "to": "c01_01", "fraction": 1}}
            ]}),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let share = column(&answer, "n02")["current"]["missing_share"]
        .as_f64()
        .expect("missing share");
    assert!((share - 0.3).abs() < 0.01, "missing share {share}");
    let bins = &column(&answer, "c01")["bins"];
    let categories = bins["categories"].as_array().expect("categories");
    let at = categories
        .iter()
        .position(|c| c == "c01_00")
        .expect("the moved-out category is still binned");
    assert_eq!(bins["current"][at], 0.0, "{bins}");
    assert!(bins["reference"][at].as_f64().is_some_and(|s| s > 0.0));
}

async fn a_sweep_answers_each_value_and_the_tipping_point(app: TestApp) {
    let engineer = app.token_for(Role::Engineer).await;
    let admin = app.token_for(Role::Admin).await;
    let id = model_with_reference(&app, &engineer, "credit", false).await;
    // One drifted column of twenty is a share of 0.05: this policy fails it.
    let (status, _) = app
        .post(
            "/policies",
            Some(&admin),
            json!({"name": "strict", "rules": [
                {"metric": "drift.share", "op": "<", "threshold": 0.04, "severity": "block"}]}),
        )
        .await;
    assert_eq!(status, 201);
    let values = [0.0, 0.01, 0.5, 1.0, 2.0];
    let (status, answer) = app
        .post(
            "/simulation/drift",
            Some(&engineer),
            json!({"model_id": id, "scenarios": [{"column": "n01", "shift": values}]}),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["sweep"]["values"], json!(values));
    assert_eq!(answer["sweep"]["parameter"], "shift");
    let results = answer["results"].as_array().expect("results");
    let statuses: Vec<_> = results.iter().map(|r| r["status"].clone()).collect();
    assert_eq!(statuses[0], "pass", "{answer}");
    assert_eq!(statuses[4], "fail", "{answer}");
    let tip = &answer["tipping_point"];
    let index = tip["index"].as_u64().expect("index") as usize;
    assert!(statuses[..index].iter().all(|s| *s == "pass"));
    assert_eq!(tip["value"], values[index]);
    assert_eq!(
        (tip["from"].clone(), tip["to"].clone()),
        (json!("pass"), statuses[index].clone())
    );

    // A value of the sweep alone gives that value's result, byte for byte.
    let (_, alone) = app
        .post(
            "/simulation/drift",
            Some(&engineer),
            json!({"model_id": id, "scenarios": [{"column": "n01", "shift": 2.0}]}),
        )
        .await;
    assert_eq!(alone["drift"], results[4]["drift"]);
    assert_eq!(alone["risk"], results[4]["risk"]);
}

async fn bad_input_is_a_4xx_that_names_the_field(app: TestApp) {
    let engineer = app.token_for(Role::Engineer).await;
    let viewer = app.token_for(Role::Viewer).await;
    let id = model_with_reference(&app, &engineer, "credit", true).await;
    let field_of = |scenario: Value| json!({"model_id": id, "scenarios": [scenario]});
    let cases = [
        (
            field_of(json!({"column": "nope", "shift": 1})),
            "scenarios[0].column",
        ),
        (
            field_of(json!({"column": "c01", "shift": 1})),
            "scenarios[0].shift",
        ),
        (
            field_of(json!({"column": "n01", "move": {"from": "a", "to": "b", "fraction": 1}})),
            "scenarios[0].move",
        ),
        (
            field_of(
                json!({"column": "c01", "move": {"from": "c01_00", "to": "zzz", "fraction": 1}}),
            ),
            "scenarios[0].move.to",
        ),
        (
            field_of(json!({"column": "n01", "missing_rate": 1.5})),
            "scenarios[0].missing_rate",
        ),
        (
            field_of(
                json!({"column": "c01", "move": {"from": "c01_00", "to": "c01_01", "fraction": -1}}),
            ),
            "scenarios[0].move.fraction",
        ),
        (
            field_of(json!({"column": "n01", "shift": vec![0.5; 21]})),
            "scenarios[0].shift",
        ),
        (
            field_of(json!({"column": "n01", "shift": "far"})),
            "scenarios[0].shift",
        ),
        (
            json!({"model_id": id, "scenarios": [], "rows": 1_000_000_000_000u64}),
            "rows",
        ),
        (
            json!({"model_id": id, "scenarios": [{"column": "n01", "shift": [1, 2]},
                {"column": "n02", "scale": [1, 2]}]}),
            "scenarios[1]",
        ),
    ];
    for (body, field) in cases {
        let (status, answer) = app
            .post("/simulation/drift", Some(&engineer), body.clone())
            .await;
        assert_eq!(status, 422, "{body} -> {answer}");
        let fields: Vec<_> = answer["errors"]
            .as_array()
            .expect("field errors")
            .iter()
            .map(|e| e["field"].as_str().expect("field").to_owned())
            .collect();
        assert!(fields.iter().any(|f| f == field), "{body}: {fields:?}");
    }
    let none = json!({"model_id": 424_242, "scenarios": []});
    assert_eq!(
        app.post("/simulation/drift", Some(&engineer), none).await.0,
        404
    );
    let bare = app.create_model(&engineer, "bare", "1", "low").await;
    let (status, answer) = app
        .post(
            "/simulation/drift",
            Some(&engineer),
            json!({"model_id": bare["id"], "scenarios": []}),
        )
        .await;
    assert_eq!(status, 409, "{answer}");
    assert!(
        answer["detail"]
            .as_str()
            .is_some_and(|d| d.contains("no reference data"))
    );
    let ok = json!({"model_id": id, "scenarios": []});
    assert_eq!(
        app.post("/simulation/drift", Some(&viewer), ok.clone())
            .await
            .0,
        403
    );
    assert_eq!(app.post("/simulation/drift", None, ok).await.0, 401);
    let draft = json!({"policy": {"name": "x", "rules": [
        {"metric": "risk.score", "op": "<", "threshold": 1, "severity": "block"}]}});
    assert_eq!(
        app.post("/simulation/policy", Some(&viewer), draft).await.0,
        403
    );
}

async fn a_draft_no_model_meets_fails_every_passing_model_and_changes_nothing(app: TestApp) {
    let engineer = app.token_for(Role::Engineer).await;
    let mut ids = Vec::new();
    for name in ["alpha", "beta"] {
        let id = model_with_reference(&app, &engineer, name, false).await;
        let path = format!("/models/{id}/evaluations");
        let csv = read_reference("reference_10k.csv");
        let (status, evaluation) = app.upload(Method::POST, &path, &engineer, csv).await;
        assert_eq!(status, 201, "{evaluation}");
        assert_eq!(evaluation["status"], "pass", "the reference against itself");
        ids.push(id);
    }
    let unevaluated = app.create_model(&engineer, "gamma", "1", "low").await;
    let (_, before) = app.get(&format!("/models/{}", ids[0]), &engineer).await;

    let impossible = json!({"policy": {"name": "impossible", "rules": [
        {"metric": "risk.score", "op": "<", "threshold": 0, "severity": "block"}]}});
    let (status, answer) = app
        .post("/simulation/policy", Some(&engineer), impossible)
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["simulated"], true);
    assert_eq!(answer["models_evaluated"], 2);
    assert_eq!(answer["changed"], 2);
    assert_eq!(answer["by_transition"], json!({"pass->fail": 2}));
    let models = answer["models"].as_array().expect("models");
    let listed: Vec<_> = models.iter().map(|m| m["model_id"].as_i64()).collect();
    assert_eq!(listed, [Some(ids[0]), Some(ids[1])]);
    assert!(!listed.contains(&unevaluated["id"].as_i64()));
    for model in models {
        assert_eq!(
            (
                model["current_status"].clone(),
                model["proposed_status"].clone()
            ),
            (json!("pass"), json!("fail"))
        );
        assert_eq!(model["risk_tier"], "high");
    }

    // Replacing the default policy (id 1) by an inactive draft: nothing passing changes.
    let off = json!({"replaces_policy_id": 1, "policy": {"name": "off", "active": false,
        "rules": [{"metric": "risk.score", "op": "<", "threshold": 0, "severity": "block"}]}});
    let (status, answer) = app.post("/simulation/policy", Some(&engineer), off).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["changed"], 0);

    let unknown = json!({"replaces_policy_id": 9999, "policy": {"name": "x", "rules": [
        {"metric": "risk.score", "op": "<", "threshold": 1, "severity": "block"}]}});
    assert_eq!(
        app.post("/simulation/policy", Some(&engineer), unknown)
            .await
            .0,
        404
    );
    let bad_metric = json!({"policy": {"name": "x", "rules": [
        {"metric": "drift.nonsense", "op": "<", "threshold": 1, "severity": "block"}]}});
    let (status, refused) = app
        .post("/simulation/policy", Some(&engineer), bad_metric)
        .await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["errors"][0]["field"], "policy.rules[0].metric");

    // Nothing stored: the same policies, the same latest evaluation.
    let (_, policies) = app.get("/policies", &engineer).await;
    assert_eq!(policies["pagination"]["total"], 1);
    let (_, after) = app.get(&format!("/models/{}", ids[0]), &engineer).await;
    assert_eq!(after["latest_evaluation"], before["latest_evaluation"]);
    let (_, evaluations) = app
        .get(&format!("/models/{}/evaluations", ids[0]), &engineer)
        .await;
    assert_eq!(evaluations["pagination"]["total"], 1);
}

per_backend!(
    crate::helpers::with_app =>
    a_seeded_shift_drifts_that_column_only_and_stores_nothing,
    missing_rate_and_move_show_in_the_current_side,
    a_sweep_answers_each_value_and_the_tipping_point,
    bad_input_is_a_4xx_that_names_the_field,
    a_draft_no_model_meets_fails_every_passing_model_and_changes_nothing,
);
