//! The `EvaluationRepository` contract, run against every adapter.

mod support;

use driftguard_app::{EvaluationRepository, NewEvaluation, ViolationCounts};
use driftguard_core::{DomainError, EvaluationId, ModelId, Page, PolicyId, UserId, now};
use driftguard_governance::{PolicyRef, Status};
use driftguard_registry::ModelRepository;
use driftguard_storage::Store;
use serde_json::json;

fn evaluation(model_id: ModelId, by: UserId, risk: f64, status: Status) -> NewEvaluation {
    let body = json!({"status": status.as_str(), "risk": {"score": risk},
                      "metrics": {"risk.score": risk, "drift.share": 0.25}});
    let Some(body) = body.as_object().cloned() else {
        unreachable!("an object")
    };
    NewEvaluation {
        model_id,
        created_by: by,
        created_at: now(),
        status,
        risk_score: risk,
        policy_versions: vec![PolicyRef {
            policy_id: PolicyId(1),
            version: 1,
        }],
        violations: ViolationCounts::default(),
        body,
    }
}

async fn record_sets_the_models_latest_evaluation(db: Store) {
    let by = support::user(&db).await;
    let model = support::model(&db, by, "churn", "1").await;
    assert!(
        db.latest_for_model(model.id)
            .await
            .expect("latest")
            .is_none()
    );
    let first = db
        .record(evaluation(model.id, by, 12.5, Status::Pass))
        .await
        .expect("record");
    let second = db
        .record(evaluation(model.id, by, 80.0, Status::Fail))
        .await
        .expect("record");
    assert!(second.id > first.id);
    assert_eq!(
        EvaluationRepository::get(&db, first.id).await.expect("get"),
        Some(first.clone())
    );
    assert_eq!(first.metrics()["risk.score"], 12.5);
    assert_eq!(second.status(), Some(Status::Fail));

    let latest = db.latest_for_model(model.id).await.expect("latest");
    assert_eq!(latest.as_ref().map(|e| e.id), Some(second.id));
    let summary = ModelRepository::get(&db, model.id)
        .await
        .expect("get")
        .and_then(|m| m.latest_evaluation);
    let summary = summary.expect("the model carries its latest evaluation");
    assert_eq!(
        (summary.id, summary.status.as_str(), summary.risk_score),
        (second.id, "fail", 80.0)
    );
    assert_eq!(summary.created_at, second.created_at);

    let (page, total) = db
        .list_for_model(model.id, Page::new(1, 1).expect("page"))
        .await
        .expect("list");
    assert_eq!((page[0].id, total), (first.id, 2));
    let json = serde_json::to_value(&first).expect("serialises");
    assert_eq!(
        (json["id"].clone(), json["status"].clone()),
        (json!(first.id), json!("pass"))
    );
}

/// Two evaluations of one model may commit out of order (the one started first finishing
/// last, or one recorded back in time): the model's latest is still the newest by time, the
/// one `latest_for_model` returns, or a deploy judged on one would be refused by the other.
async fn the_latest_is_the_newest_whatever_the_commit_order(db: Store) {
    let by = support::user(&db).await;
    let model = support::model(&db, by, "churn", "1").await;
    let newer = evaluation(model.id, by, 80.0, Status::Fail);
    let mut older = evaluation(model.id, by, 12.5, Status::Pass);
    older.created_at = newer.created_at - chrono::Duration::seconds(5);
    let newer = db.record(newer).await.expect("record");
    let older = db.record(older).await.expect("record");
    assert!(older.id > newer.id, "committed last");

    let latest = db.latest_for_model(model.id).await.expect("latest");
    assert_eq!(latest.map(|e| e.id), Some(newer.id));
    let summary = ModelRepository::get(&db, model.id)
        .await
        .expect("get")
        .and_then(|m| m.latest_evaluation)
        .expect("a latest evaluation");
    assert_eq!((summary.id, summary.status.as_str()), (newer.id, "fail"));
}

async fn a_missing_model_stores_nothing(db: Store) {
    let missing = db
        .record(evaluation(ModelId(4242), UserId(1), 1.0, Status::Pass))
        .await;
    assert!(
        matches!(missing, Err(DomainError::NotFound(_))),
        "{missing:?}"
    );
    assert!(
        EvaluationRepository::get(&db, EvaluationId(1))
            .await
            .expect("get")
            .is_none()
    );
}

async fn latest_metrics_are_each_evaluated_models_newest_map(db: Store) {
    let by = support::user(&db).await;
    let first = support::model(&db, by, "churn", "1").await;
    let unevaluated = support::model(&db, by, "churn", "2").await;
    let third = support::model(&db, by, "fraud", "1").await;
    assert!(db.latest_metrics().await.expect("latest").is_empty());
    db.record(evaluation(third.id, by, 10.0, Status::Pass))
        .await
        .expect("record");
    db.record(evaluation(first.id, by, 12.5, Status::Pass))
        .await
        .expect("record");
    let newest = db
        .record(evaluation(first.id, by, 90.0, Status::Fail))
        .await
        .expect("record");

    let latest = db.latest_metrics().await.expect("latest");
    let ids: Vec<_> = latest.iter().map(|m| m.model_id).collect();
    assert_eq!(
        ids,
        [first.id, third.id],
        "id order, the unevaluated one left out"
    );
    assert!(!ids.contains(&unevaluated.id));
    let one = &latest[0];
    assert_eq!(
        (one.name.as_str(), one.version.as_str(), one.risk_tier),
        ("churn", "1", first.risk_tier)
    );
    assert_eq!(one.evaluation_id, newest.id);
    assert_eq!(one.metrics, newest.metrics());
    assert_eq!(one.metrics["risk.score"], 90.0);
    assert_eq!(latest[1].metrics["drift.share"], 0.25);
}

driftguard_test_kit::per_backend!(
    driftguard_test_kit::with_store =>
    record_sets_the_models_latest_evaluation,
    the_latest_is_the_newest_whatever_the_commit_order,
    a_missing_model_stores_nothing,
    latest_metrics_are_each_evaluated_models_newest_map
);
