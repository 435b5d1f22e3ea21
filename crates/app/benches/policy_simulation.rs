//! `POST /simulation/policy` over 10,000 evaluated models, through the use case on a real
//! store (SQLite; PostgreSQL too when `DRIFTGUARD_TEST_DATABASE_URL` is set): the read of
//! every model's latest metric map and the two judgements per model. `cargo bench -p
//! driftguard-app --bench policy_simulation`.

use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use driftguard_app::simulate::PolicySimulationRequest;
use driftguard_app::{Actor, EvaluationRepository, NewEvaluation, Services, ViolationCounts};
use driftguard_core::{RiskTier, Role, Task, UserId, now};
use driftguard_governance::{Op, PolicyDraft, Rule, Severity, Status};
use driftguard_registry::{ModelRepository, NewModel};
use driftguard_storage::Store;
use driftguard_test_kit::TestDatabase;
use serde_json::json;

const MODELS: usize = 10_000;

/// 10,000 models, each with one evaluation whose metric map is the size a real one has.
async fn seeded(store: &Store) -> UserId {
    let user = driftguard_test_kit::user(store, "bench@example.com", Role::Engineer).await;
    for i in 0..MODELS {
        let tier = RiskTier::ALL[i % RiskTier::ALL.len()];
        let model = ModelRepository::create(
            store,
            NewModel::new(format!("model-{i}"), "1", Task::BinaryClassification, tier),
            user,
        )
        .await
        .expect("a model");
        let share = (i % 100) as f64 / 100.0;
        let body = json!({"status": "pass", "metrics": {
            "drift.share": share, "drift.max_psi": share / 2.0, "drift.min_ks_pvalue": 1.0 - share,
            "drift.column.age.ks": 1.0 - share, "drift.column.income.psi": share,
            "fairness.demographic_parity_difference": 0.05, "fairness.demographic_parity_ratio": 0.9,
            "fairness.disparate_impact": 0.9, "fairness.equal_opportunity_difference": 0.04,
            "fairness.equalized_odds_difference": 0.06, "fairness.equalized_odds_ratio": 0.88,
            "performance.accuracy": 0.91, "performance.f1": 0.87, "performance.roc_auc": 0.93,
            "performance.accuracy_drop": 0.01, "performance.f1_drop": 0.02,
            "risk.score": share * 80.0}});
        let Some(body) = body.as_object().cloned() else {
            unreachable!("an object")
        };
        store
            .record(NewEvaluation {
                model_id: model.id,
                created_by: user,
                created_at: now(),
                status: Status::Pass,
                risk_score: share * 80.0,
                policy_versions: Vec::new(),
                violations: ViolationCounts::default(),
                body,
            })
            .await
            .expect("an evaluation");
    }
    user
}

fn bench_backend(
    c: &mut Criterion,
    name: &str,
    db: Option<TestDatabase>,
    rt: &tokio::runtime::Runtime,
) {
    let Some(db) = db else { return };
    let store = db.store();
    let user = rt.block_on(seeded(&store));
    let services = Services::new(Arc::new(store), driftguard_test_kit::setup());
    let request = PolicySimulationRequest {
        policy: PolicyDraft {
            rules: vec![Rule::new("drift.share", Op::Lt, 0.3, Severity::Block)],
            ..PolicyDraft::default_policy()
        },
        replaces_policy_id: None,
    };
    let actor = Actor::new(user, Role::Engineer);
    let answer = rt
        .block_on(services.simulation.policy(request.clone(), &actor))
        .expect("simulates");
    assert_eq!(answer.models_evaluated, MODELS);
    c.bench_function(
        &format!("policy simulation, {MODELS} models, {name}"),
        |b| {
            b.iter(|| {
                rt.block_on(services.simulation.policy(request.clone(), &actor))
                    .expect("simulates")
            })
        },
    );
}

fn policy_simulation(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("a runtime");
    let sqlite = rt.block_on(TestDatabase::sqlite());
    bench_backend(c, "SQLite", Some(sqlite), &rt);
    let postgres = rt.block_on(TestDatabase::postgres());
    bench_backend(c, "PostgreSQL", postgres, &rt);
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = policy_simulation
}
criterion_main!(benches);
