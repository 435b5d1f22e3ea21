//! The `DashboardRepository` contract, run against every adapter through the dashboard use
//! case: hand-built fixtures (models in every status and tier, evaluations over several days,
//! an override, a blocked attempt, a deployment older than 30 days) give the figures worked
//! out by hand below.

mod support;

use chrono::{Days, NaiveDate, NaiveTime, TimeDelta};
use driftguard_app::dashboard::Compliance;
use driftguard_app::{
    DashboardService, DeployCommand, DeploymentStore, EvaluationRepository, NewEvaluation,
    RetireCommand, ViolationCounts,
};
use driftguard_audit::{NewDeployment, Outcome};
use driftguard_core::Page;
use driftguard_core::{EvaluationId, PolicyId, RiskTier, Task, Timestamp, UserId, now};
use driftguard_governance::{PolicyRef, Status};
use driftguard_registry::{
    Compliance as ModelCompliance, Model, ModelQuery, ModelRepository, ModelSort, NewModel,
};
use driftguard_storage::Store;
use serde_json::{Map, json};
use std::sync::Arc;

/// Noon (UTC) `days` days ago: at least 36 hours back for `days >= 2`, whatever the hour now.
fn noon_days_ago(days: u64) -> Timestamp {
    day(days)
        .and_time(NaiveTime::from_hms_opt(12, 0, 0).expect("noon"))
        .and_utc()
}

fn day(days_ago: u64) -> NaiveDate {
    now().date_naive() - Days::new(days_ago)
}

async fn model(db: &Store, owner: UserId, name: &str, version: &str, tier: RiskTier) -> Model {
    ModelRepository::create(
        db,
        NewModel::new(name, version, Task::BinaryClassification, tier),
        owner,
    )
    .await
    .expect("a model")
}

async fn evaluate(
    db: &Store,
    model: &Model,
    at: Timestamp,
    status: Status,
    risk: f64,
    violations: ViolationCounts,
) -> EvaluationId {
    let evaluation = NewEvaluation {
        model_id: model.id,
        created_by: model.owner_id,
        created_at: at,
        status,
        risk_score: risk,
        policy_versions: vec![PolicyRef {
            policy_id: PolicyId(1),
            version: 1,
        }],
        violations,
        body: Map::new(),
    };
    db.record(evaluation).await.expect("an evaluation").id
}

async fn deploy(
    db: &Store,
    model: &Model,
    at: Timestamp,
    judged: Option<EvaluationId>,
    outcome: Outcome,
) {
    db.deploy(DeployCommand {
        model_id: model.id,
        deployed_at: at,
        deployed_by: model.owner_id,
        environment: "production".into(),
        outcome,
        governance_result: json!({"status": "pass"}),
        override_reason: (outcome == Outcome::Overridden).then(|| "accepted by the board".into()),
        notes: None,
        policy_versions: json!([{"policy_id": 1, "version": 1}]),
        judged_evaluation_id: judged,
        artifact_digest: None,
        override_request_id: None,
        override_requested_by: None,
    })
    .await
    .expect("a deploy");
}

/// Six models: `low` a (deployed, pass 20), `medium` b (registered, warn 40, one drift
/// violation), `high` c/1 (overridden then superseded, fail 80, drift + fairness + risk),
/// `critical` d (registered, never evaluated), `high` c/2 (deployed then retired, pass 30 from
/// 40 days ago), `low` e (deployed 40 days ago, never evaluated); one blocked attempt on b.
async fn fixtures(db: &Store) {
    let by = support::user(db).await;
    let a = model(db, by, "a", "1", RiskTier::Low).await;
    let b = model(db, by, "b", "1", RiskTier::Medium).await;
    let c1 = model(db, by, "c", "1", RiskTier::High).await;
    model(db, by, "d", "1", RiskTier::Critical).await;
    let c2 = model(db, by, "c", "2", RiskTier::High).await;
    let e = model(db, by, "e", "1", RiskTier::Low).await;

    let none = ViolationCounts::default();
    evaluate(db, &a, noon_days_ago(2), Status::Pass, 10.0, none).await;
    let a_latest = evaluate(db, &a, now(), Status::Pass, 20.0, none).await;
    let drift = ViolationCounts { drift: 1, ..none };
    evaluate(db, &b, now(), Status::Warn, 40.0, drift).await;
    let c1_latest = evaluate(
        db,
        &c1,
        noon_days_ago(3),
        Status::Fail,
        80.0,
        ViolationCounts {
            drift: 1,
            fairness: 1,
            performance: 0,
            risk: 1,
        },
    )
    .await;
    let c2_latest = evaluate(db, &c2, noon_days_ago(40), Status::Pass, 30.0, none).await;

    deploy(db, &a, now(), Some(a_latest), Outcome::Deployed).await;
    deploy(db, &c1, now(), Some(c1_latest), Outcome::Overridden).await;
    deploy(db, &c2, now(), Some(c2_latest), Outcome::Deployed).await;
    deploy(db, &e, now() - TimeDelta::days(40), None, Outcome::Deployed).await;
    db.retire(RetireCommand {
        model_id: c2.id,
        retired_at: now(),
        retired_by: by,
        environment: "production".into(),
        notes: None,
    })
    .await
    .expect("retire");
    db.record_blocked(NewDeployment {
        model_id: b.id,
        deployed_at: now(),
        deployed_by: by,
        environment: "production".into(),
        previous_status: "registered".into(),
        new_status: "registered".into(),
        outcome: Outcome::Blocked,
        governance_result: json!({"status": "fail"}),
        override_used: false,
        override_reason: None,
        notes: None,
        policy_versions: json!([]),
        artifact_digest: None,
        override_request_id: None,
        override_requested_by: None,
    })
    .await
    .expect("a blocked attempt");
}

fn dashboards(db: &Store) -> DashboardService {
    DashboardService::new(Arc::new(db.clone()))
}

async fn the_summary_matches_the_fixtures(db: Store) {
    fixtures(&db).await;
    let summary = dashboards(&db).summary().await.expect("summary");
    let models = serde_json::to_value(&summary.models).expect("json");
    assert_eq!(
        models,
        json!({"total": 6,
               "by_status": {"registered": 2, "deployed": 2, "superseded": 1, "retired": 1},
               "by_risk_tier": {"low": 2, "medium": 1, "high": 2, "critical": 1}})
    );
    assert_eq!(
        (summary.evaluations.total, summary.evaluations.last_24h),
        (5, 2)
    );
    assert_eq!(
        summary.compliance,
        Compliance {
            pass: 2,
            warn: 1,
            fail: 1,
            unevaluated: 2
        }
    );
    assert_eq!(
        summary.violations,
        ViolationCounts {
            drift: 2,
            fairness: 1,
            performance: 0,
            risk: 1
        }
    );
    // Latest scores 20, 40, 80 and 30.
    assert_eq!(summary.average_risk_score, Some(42.5));
    let deployments = serde_json::to_value(summary.deployments).expect("json");
    assert_eq!(
        deployments,
        json!({"total": 4, "last_30d": 3, "overrides": 1, "blocked": 1})
    );
}

/// The model list's `compliance` filter (the overview's compliance cards link to it) finds
/// the models the summary counts, by their latest evaluation: c/1 passed nothing but failed.
async fn the_model_list_filters_by_compliance(db: Store) {
    fixtures(&db).await;
    let summary = dashboards(&db).summary().await.expect("summary");
    for (compliance, expected, counted) in [
        (
            ModelCompliance::Pass,
            vec!["a/1", "c/2"],
            summary.compliance.pass,
        ),
        (ModelCompliance::Warn, vec!["b/1"], summary.compliance.warn),
        (ModelCompliance::Fail, vec!["c/1"], summary.compliance.fail),
        (
            ModelCompliance::Unevaluated,
            vec!["d/1", "e/1"],
            summary.compliance.unevaluated,
        ),
    ] {
        let query = ModelQuery {
            compliance: Some(compliance),
            sort: ModelSort::NameAsc,
            ..ModelQuery::default()
        };
        let (models, total) = ModelRepository::list(&db, &query, Page::default())
            .await
            .expect("list");
        let names: Vec<_> = models
            .iter()
            .map(|m| format!("{}/{}", m.name, m.version))
            .collect();
        assert_eq!(names, expected, "{compliance:?}");
        assert_eq!(total, counted, "{compliance:?}: the card's number");
    }
    let passing_high = ModelQuery {
        compliance: Some(ModelCompliance::Pass),
        risk_tier: Some(RiskTier::High),
        ..ModelQuery::default()
    };
    let (models, _) = ModelRepository::list(&db, &passing_high, Page::default())
        .await
        .expect("list");
    assert_eq!(models.len(), 1, "with the other filters");
    assert_eq!(models[0].version, "2");
}

async fn compliance_is_split_by_tier(db: Store) {
    fixtures(&db).await;
    let distribution = dashboards(&db)
        .compliance_distribution()
        .await
        .expect("distribution");
    let json = serde_json::to_value(&distribution).expect("json");
    assert_eq!(
        json["overall"],
        json!({"pass": 2, "warn": 1, "fail": 1, "unevaluated": 2})
    );
    assert_eq!(
        json["by_risk_tier"],
        json!({"low": {"pass": 1, "warn": 0, "fail": 0, "unevaluated": 1},
               "medium": {"pass": 0, "warn": 1, "fail": 0, "unevaluated": 0},
               "high": {"pass": 1, "warn": 0, "fail": 1, "unevaluated": 0},
               "critical": {"pass": 0, "warn": 0, "fail": 0, "unevaluated": 1}})
    );
}

async fn risk_trends_group_by_utc_day(db: Store) {
    fixtures(&db).await;
    let trends = dashboards(&db).risk_trends(4).await.expect("trends");
    let points: Vec<_> = trends
        .points
        .iter()
        .map(|p| (p.date, p.evaluations, p.mean_risk_score, p.max_risk_score))
        .collect();
    assert_eq!(
        points,
        [
            (day(3), 1, Some(80.0), Some(80.0)),
            (day(2), 1, Some(10.0), Some(10.0)),
            (day(1), 0, None, None),
            (day(0), 2, Some(30.0), Some(40.0)),
        ]
    );
    let year = dashboards(&db).risk_trends(365).await.expect("a year");
    let counted: u64 = year.points.iter().map(|p| p.evaluations).sum();
    assert_eq!((year.points.len(), counted), (365, 5));
}

async fn an_empty_database_gives_zeros(db: Store) {
    let summary = dashboards(&db).summary().await.expect("summary");
    assert_eq!(summary.models.total, 0);
    assert_eq!(summary.models.by_status["deployed"], 0);
    assert_eq!(summary.compliance, Compliance::default());
    assert_eq!(summary.average_risk_score, None);
    let trends = dashboards(&db).risk_trends(7).await.expect("trends");
    assert!(trends.points.iter().all(|p| p.evaluations == 0));
}

driftguard_test_kit::per_backend!(
    driftguard_test_kit::with_store =>
    the_summary_matches_the_fixtures,
    the_model_list_filters_by_compliance,
    compliance_is_split_by_tier,
    risk_trends_group_by_utc_day,
    an_empty_database_gives_zeros,
);
