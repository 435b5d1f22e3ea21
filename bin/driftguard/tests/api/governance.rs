//! The governance walkthrough of docs/governance.md, over HTTP on both backends: register,
//! upload reference data, evaluate drifted data, see `fail`, get 409 on deploy, override as an
//! approver, read the history and a passing `/audit/verify`.

use crate::helpers::TestApp;
use driftguard_core::Role;
use driftguard_stats::testing::read_reference;
use driftguard_test_kit::per_backend;
use reqwest::Method;
use serde_json::json;

async fn walkthrough(app: TestApp) {
    let engineer = app.token_for(Role::Engineer).await;
    let approver = app.token_for(Role::Approver).await;
    let admin = app.token_for(Role::Admin).await;
    let model = app
        .create_model(&engineer, "credit-risk", "1.0.0", "high")
        .await;
    let id = model["id"].as_i64().expect("id");

    // No reference yet: evaluating is a 409 that says why.
    let (status, body) = app
        .upload(
            Method::POST,
            &format!("/models/{id}/evaluations"),
            &engineer,
            b"a\n1\n".to_vec(),
        )
        .await;
    assert_eq!(status, 409, "{body}");

    let (status, profile) = app
        .upload(
            Method::PUT,
            &format!("/models/{id}/reference"),
            &engineer,
            read_reference("reference_10k.csv"),
        )
        .await;
    assert_eq!(status, 200, "{profile}");
    assert_eq!(profile["rows"], 10_000);
    assert_eq!(profile["sha256"].as_str().map(str::len), Some(64));
    let (status, again) = app.get(&format!("/models/{id}/reference"), &engineer).await;
    assert_eq!(status, 200);
    assert_eq!(again["sha256"], profile["sha256"]);

    let (status, evaluation) = app
        .upload(
            Method::POST,
            &format!("/models/{id}/evaluations"),
            &engineer,
            read_reference("current_10k.csv"),
        )
        .await;
    assert_eq!(status, 201, "{evaluation}");
    assert_eq!(evaluation["status"], "fail");
    assert_eq!(evaluation["drift"]["drifted_columns"], 8);
    assert_eq!(evaluation["model_id"], id);
    assert!(
        evaluation["metrics"]["fairness.disparate_impact"]
            .as_f64()
            .is_some_and(|v| v < 0.8)
    );
    // The evaluation looked for its reference among the kept ones: a hit when the read-back
    // after the upload came first, else a miss.
    let metrics = app.metrics_text(None).await;
    let lookups: u64 = ["cache_hits_total", "cache_misses_total"]
        .iter()
        .filter_map(|counter| {
            let series = format!("{counter}{{key_class=\"kept_reference\"}} ");
            metrics
                .lines()
                .find_map(|line| line.strip_prefix(series.as_str()))
        })
        .map(|value| value.parse::<u64>().expect("a count"))
        .sum();
    assert_eq!(lookups, 1, "{metrics}");
    let (_, listed) = app
        .get(&format!("/models/{id}/evaluations"), &engineer)
        .await;
    assert_eq!(listed["pagination"]["total"], 1);
    let (status, one) = app
        .get(&format!("/evaluations/{}", evaluation["id"]), &engineer)
        .await;
    assert_eq!(status, 200);
    assert_eq!(one["id"], evaluation["id"]);
    let (_, model_now) = app.get(&format!("/models/{id}"), &engineer).await;
    assert_eq!(model_now["latest_evaluation"]["status"], "fail");

    // Blocked: 409 with the governance result, and the attempt recorded.
    let (status, blocked) = app
        .post(
            &format!("/models/{id}/deploy"),
            Some(&engineer),
            json!({"environment": "production"}),
        )
        .await;
    assert_eq!(status, 409, "{blocked}");
    assert_eq!(blocked["code"], "governance_blocked");
    assert_eq!(blocked["governance_result"]["status"], "fail");
    assert!(blocked["request_id"].as_str().is_some());

    // An engineer may not override; a short justification is refused.
    let (status, _) = app
        .post(
            &format!("/models/{id}/deploy"),
            Some(&engineer),
            json!({"override": true, "justification": "the business needs this model now"}),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = app
        .post(
            &format!("/models/{id}/deploy"),
            Some(&approver),
            json!({"override": true, "justification": "too short"}),
        )
        .await;
    assert_eq!(status, 422);
    let (status, deployed) = app.post(&format!("/models/{id}/deploy"), Some(&approver), json!({"override": true, "justification": "accepted by the risk board, ticket RISK-42"})).await;
    assert_eq!(status, 200, "{deployed}");
    assert_eq!(deployed["model"]["status"], "deployed");
    assert_eq!(deployed["deployment"]["outcome"], "overridden");
    assert_eq!(deployed["deployment"]["override_used"], true);
    // The row keeps the risk score's breakdown, as the evaluation made it (and its signed
    // attestation states it).
    let recorded = &deployed["deployment"]["governance_result"];
    assert_eq!(recorded["risk_breakdown"], evaluation["risk"], "{recorded}");
    assert_eq!(recorded["risk_score"], evaluation["risk"]["score"]);

    let (_, history) = app
        .get(&format!("/models/{id}/deployments"), &engineer)
        .await;
    let outcomes: Vec<_> = history["deployments"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["outcome"].as_str().expect("outcome"))
        .collect();
    assert_eq!(outcomes, ["overridden", "blocked"], "newest first");
    let (_, all) = app.get("/deployments?outcome=blocked", &engineer).await;
    assert_eq!(all["pagination"]["total"], 1);

    let (status, verify) = app.get("/audit/verify", &admin).await;
    assert_eq!(status, 200, "{verify}");
    assert_eq!(verify["ok"], true);
    assert_eq!(verify["rows_checked"], 2);
    assert_eq!(app.get("/audit/verify", &approver).await.0, 403);

    // Counted where they happen: one blocked and one overridden deploy, and the evaluation's
    // violations by type.
    let metrics = app.metrics_text(None).await;
    for line in [
        r#"model_deployments_total{status="failure"} 1"#,
        r#"model_deployments_total{status="override"} 1"#,
        r#"governance_violations_total{type="fairness"} 2"#,
        r#"governance_violations_total{type="drift"} 1"#,
    ] {
        assert!(metrics.contains(line), "missing `{line}` in\n{metrics}");
    }

    // Retire (approver).
    let (status, retired) = app
        .post(
            &format!("/models/{id}/retire"),
            Some(&approver),
            json!({"notes": "replaced"}),
        )
        .await;
    assert_eq!(status, 200, "{retired}");
    assert_eq!(retired["model"]["status"], "retired");

    // Deleted: every path under the model is gone, its history is not.
    let (status, _) = app
        .send(Method::DELETE, &format!("/models/{id}"), Some(&admin), None)
        .await;
    assert_eq!(status, 204);
    for under in ["deployments", "evaluations", "reference"] {
        let (status, body) = app.get(&format!("/models/{id}/{under}"), &engineer).await;
        assert_eq!(status, 404, "{under}: {body}");
    }
    let (status, kept) = app
        .get(&format!("/deployments?model_id={id}"), &engineer)
        .await;
    assert_eq!(status, 200, "{kept}");
    assert_eq!(
        kept["pagination"]["total"], 3,
        "blocked, overridden, retired"
    );
}

async fn policies_are_versioned_and_checked(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let viewer = app.token_for(Role::Viewer).await;
    let (status, list) = app.get("/policies", &viewer).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(
        list["pagination"]["total"], 1,
        "the default policy on a fresh database"
    );

    let draft = json!({"name": "strict", "applies_to": {"risk_tiers": ["critical"]},
        "rules": [{"metric": "drift.share", "op": "<", "threshold": 0.1, "severity": "block"}]});
    let (status, _) = app.post("/policies", Some(&viewer), draft.clone()).await;
    assert_eq!(status, 403);
    let (status, created) = app.post("/policies", Some(&admin), draft).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["version"], 1);
    let path = format!("/policies/{}", created["id"]);
    let (status, bad) = app
        .send(Method::PUT, &path, Some(&admin), Some(json!({"name": "strict", "rules": [{"metric": "drift.nonsense", "op": "<", "threshold": 1, "severity": "warn"}]})))
        .await;
    assert_eq!(status, 422, "{bad}");
    let (status, updated) = app
        .send(Method::PUT, &path, Some(&admin), Some(json!({"name": "strict", "rules": [{"metric": "drift.share", "op": "<", "threshold": 0.2, "severity": "block"}]})))
        .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["version"], 2);
    let (_, versions) = app.get(&format!("{path}/versions"), &viewer).await;
    assert_eq!(versions["versions"].as_array().map(Vec::len), Some(2));
    let (status, gone) = app.send(Method::DELETE, &path, Some(&admin), None).await;
    assert_eq!(status, 200, "{gone}");
    assert_eq!(gone["active"], false);
}

per_backend!(
    crate::helpers::with_app =>walkthrough, policies_are_versioned_and_checked);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_over_the_limit_are_413() {
    let app = crate::helpers::spawn_app_with(crate::helpers::Backend::Sqlite, |s| {
        s.server.max_upload_bytes = 4096;
    })
    .await
    .expect("app");
    let engineer = app.token_for(Role::Engineer).await;
    let model = app.create_model(&engineer, "big", "1", "low").await;
    let path = format!("/models/{}/reference", model["id"]);
    let mut csv = b"x,y\n".to_vec();
    while csv.len() <= 8192 {
        csv.extend_from_slice(b"1.5,2.5\n");
    }
    let (status, body) = app.upload(Method::PUT, &path, &engineer, csv).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["code"], "too_large");
    let (status, body) = app
        .upload(Method::PUT, &path, &engineer, b"x,y\n1,2\n3,4\n".to_vec())
        .await;
    assert_eq!(status, 200, "a small upload still works: {body}");
}
