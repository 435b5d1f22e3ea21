//! The use cases end to end over the real store (SQLite, and PostgreSQL when configured): reference upload and profile,
//! evaluation (numbers equal to `governance::evaluate` on the shared reference CSVs), every
//! branch of the deploy decision, retire, the audit chain and policy management.

use std::collections::BTreeMap;
use std::sync::Arc;

use driftguard_app::audit::{DeploymentFilter, DeploymentLog, Outcome};
use driftguard_app::data::default_limits;
use driftguard_app::{
    Actor, AuditService, DataFormat, DeployOutcome, DeployRequestBody, DeploymentService,
    EvaluateOptions, EvaluationService, PolicyService, ReferenceService, Services, Setup,
};
use driftguard_core::{
    DeploymentId, DomainError, ModelId, Page, PolicyId, RiskTier, Role, Task, UserId,
};
use driftguard_governance::{
    EvaluationInput, EvaluationOptions, Op, PolicyDraft, RiskSettings, Rule, Severity, Status,
    evaluate,
};
use driftguard_registry::{Model, ModelColumns, ModelRepository, ModelStatus, NewModel};
use driftguard_stats::testing::{read_reference as read, reference_roles};
use driftguard_stats::{Dataset, Limits, ParseOptions};
use driftguard_storage::Store;

#[path = "support/parquet.rs"]
mod parquet_support;

const REASON: &str = "accepted by the risk board, ticket RISK-42";

/// The first `rows` data rows of a reference CSV.
fn head(name: &str, rows: usize) -> Vec<u8> {
    let text = String::from_utf8(read(name)).expect("UTF-8");
    let mut out: String = text.lines().take(rows + 1).collect::<Vec<_>>().join("\n");
    out.push('\n');
    out.into_bytes()
}

struct World {
    store: Store,
    references: ReferenceService,
    evaluations: EvaluationService,
    deployments: DeploymentService,
    audit: AuditService,
    policies: PolicyService,
    user: UserId,
}

impl World {
    async fn new(db: Store, limits: Limits) -> World {
        let store = Arc::new(db.clone());
        let user = driftguard_test_kit::user(&db, "admin@example.com", Role::Admin).await;
        let services = Services::new(
            store,
            Setup {
                limits,
                ..driftguard_test_kit::setup()
            },
        );
        World {
            references: services.references,
            evaluations: services.evaluations,
            deployments: services.deployments,
            audit: services.audit,
            policies: services.policies,
            store: db,
            user,
        }
    }

    fn as_role(&self, role: Role) -> Actor {
        Actor::new(self.user, role)
    }

    async fn model(&self, name: &str, version: &str, sensitive: bool) -> Model {
        let columns = ModelColumns {
            prediction: Some("prediction".into()),
            label: Some("label".into()),
            score: Some("score".into()),
            sensitive: if sensitive {
                vec!["group".into()]
            } else {
                vec![]
            },
            ignore: vec![],
        };
        ModelRepository::create(
            &self.store,
            NewModel {
                columns,
                ..NewModel::new(name, version, Task::BinaryClassification, RiskTier::High)
            },
            self.user,
        )
        .await
        .expect("a model")
    }

    /// Uploads `reference` and evaluates `current` for the model, as an engineer.
    async fn evaluate(&self, model: ModelId, reference: Vec<u8>, current: Vec<u8>) -> Status {
        let engineer = self.as_role(Role::Engineer);
        self.references
            .upload_reference(
                model,
                reference,
                DataFormat::Csv,
                BTreeMap::new(),
                &engineer,
            )
            .await
            .expect("upload");
        let stored = self
            .evaluations
            .evaluate(
                model,
                current,
                DataFormat::Csv,
                EvaluateOptions::default(),
                &engineer,
            )
            .await
            .expect("evaluate");
        stored.status().expect("a status")
    }

    async fn deploy(
        &self,
        model: ModelId,
        role: Role,
        justification: Option<&str>,
    ) -> DomainResultOutcome {
        let request = DeployRequestBody {
            override_requested: justification.is_some(),
            justification: justification.map(str::to_owned),
            ..DeployRequestBody::default()
        };
        self.deployments
            .deploy(model, request, &self.as_role(role))
            .await
    }

    /// Adds an active policy with one rule on `risk.score < 0` of this severity.
    async fn risk_rule(&self, severity: Severity) -> PolicyId {
        let draft = PolicyDraft {
            name: format!("no risk at all ({severity:?})"),
            description: None,
            active: true,
            applies_to: Default::default(),
            rules: vec![Rule::new("risk.score", Op::Lt, 0.0, severity)],
        };
        self.policies
            .create(draft, &self.as_role(Role::Admin))
            .await
            .expect("create a policy")
            .id
    }
}

type DomainResultOutcome = Result<DeployOutcome, DomainError>;

/// A deploy's outcome, the model's status and how many `superseded` rows the history got
/// right after the deploy's own row.
async fn deployed(world: &World, outcome: DomainResultOutcome) -> (Outcome, ModelStatus, usize) {
    let Ok(DeployOutcome::Deployed { deployment, model }) = outcome else {
        panic!("expected a deploy, got {outcome:?}");
    };
    let after = DeploymentLog::chain_after(&world.store, Some(deployment.id), 100)
        .await
        .expect("the history");
    let superseded = after
        .iter()
        .filter(|row| row.entry.outcome == Outcome::Superseded)
        .count();
    (deployment.entry.outcome, model.status, superseded)
}

#[track_caller]
fn blocked(outcome: DomainResultOutcome) -> driftguard_governance::GovernanceResult {
    match outcome {
        Ok(DeployOutcome::Blocked {
            governance_result,
            deployment,
            ..
        }) => {
            assert_eq!(deployment.entry.outcome, Outcome::Blocked);
            governance_result
        }
        other => panic!("expected a block, got {other:?}"),
    }
}

async fn evaluation_numbers_equal_governance_evaluate_on_the_reference_pair(db: Store) {
    let world = World::new(db, default_limits()).await;
    let model = world.model("credit", "1", true).await;
    let (reference, current) = (read("reference_10k.csv"), read("current_10k.csv"));
    let engineer = world.as_role(Role::Engineer);
    let profile = world
        .references
        .upload_reference(
            model.id,
            reference.clone(),
            DataFormat::Csv,
            BTreeMap::new(),
            &engineer,
        )
        .await
        .expect("upload");
    assert_eq!((profile.rows, profile.columns.len()), (10_000, 24));
    assert_eq!(profile.sha256, driftguard_app::data::sha256_hex(&reference));
    assert_eq!(
        world
            .references
            .reference_profile(model.id)
            .await
            .expect("profile"),
        profile
    );
    let uploads = world
        .references
        .reference_uploads(model.id)
        .await
        .expect("uploads");
    assert_eq!((uploads.len(), uploads[0].rows), (1, 10_000));
    let stored = world
        .evaluations
        .evaluate(
            model.id,
            current.clone(),
            DataFormat::Csv,
            EvaluateOptions::default(),
            &engineer,
        )
        .await
        .expect("evaluate");

    let options = ParseOptions::default();
    let parse = |b: &[u8]| Dataset::from_csv(b, &options).expect("parses");
    let policies =
        [PolicyDraft::default_policy().into_policy(PolicyId(1), None, driftguard_core::now())];
    let roles = reference_roles();
    let direct = evaluate(&EvaluationInput {
        reference: (&parse(&reference)).into(),
        current: &parse(&current),
        roles: &roles,
        task: Task::BinaryClassification,
        risk_tier: RiskTier::High,
        options: &EvaluationOptions::default(),
        policies: &policies,
        settings: &RiskSettings::default(),
        max_groups: driftguard_stats::Limits::default().max_groups,
    })
    .expect("evaluates");
    let metrics = stored.metrics();
    assert_eq!(
        metrics.keys().collect::<Vec<_>>(),
        direct.metrics.keys().collect::<Vec<_>>()
    );
    for (name, value) in &direct.metrics {
        let got = metrics[name];
        assert!(
            (got - value).abs() <= 1e-12 * value.abs().max(1.0),
            "{name}: {got} vs {value}"
        );
    }
    assert_eq!(stored.status(), Some(direct.judgement.status));
    assert_eq!(stored.status(), Some(Status::Fail));
    let direct_body = serde_json::to_value(&direct).expect("serialises");
    assert_eq!(stored.body["violations"], direct_body["violations"]);
    assert_eq!(
        stored.body["policy_versions"],
        direct_body["policy_versions"]
    );

    let again = world
        .evaluations
        .get_evaluation(stored.id)
        .await
        .expect("get");
    assert_eq!(again.id, stored.id);
    let (page, total) = world
        .evaluations
        .list_evaluations(model.id, Page::default())
        .await
        .expect("list");
    assert_eq!((page.len(), total), (1, 1));
    let model = ModelRepository::get(&world.store, model.id)
        .await
        .expect("get")
        .expect("model");
    let latest = model
        .latest_evaluation
        .expect("the model shows its latest evaluation");
    assert_eq!((latest.id, latest.status.as_str()), (stored.id, "fail"));
    assert!(model.has_reference);

    // Deploying it is blocked by the data's disparate impact, and the attempt is recorded.
    let result = blocked(world.deploy(model.id, Role::Engineer, None).await);
    assert_eq!(result.evaluation_id, Some(stored.id));
    assert!(
        result
            .violations
            .iter()
            .any(|v| v.metric == "fairness.disparate_impact")
    );
}

async fn inputs_are_checked_before_anything_is_stored(db: Store) {
    let world = World::new(
        db,
        Limits {
            max_bytes: 64,
            ..default_limits()
        },
    )
    .await;
    let model = world.model("credit", "1", false).await;
    let engineer = world.as_role(Role::Engineer);
    let no_reference = world
        .evaluations
        .evaluate(
            model.id,
            head("current_10k.csv", 3),
            DataFormat::Csv,
            EvaluateOptions::default(),
            &engineer,
        )
        .await;
    assert!(
        matches!(no_reference, Err(DomainError::Conflict(_))),
        "{no_reference:?}"
    );
    let big = world
        .references
        .upload_reference(
            model.id,
            head("reference_10k.csv", 50),
            DataFormat::Csv,
            BTreeMap::new(),
            &engineer,
        )
        .await;
    assert!(matches!(big, Err(DomainError::TooLarge(_))), "{big:?}");
    let viewer = world
        .references
        .upload_reference(
            model.id,
            b"a\n1\n".to_vec(),
            DataFormat::Csv,
            BTreeMap::new(),
            &world.as_role(Role::Viewer),
        )
        .await;
    assert!(
        matches!(viewer, Err(DomainError::Forbidden(_))),
        "{viewer:?}"
    );
    let missing = world.references.reference_profile(model.id).await;
    assert!(
        matches!(missing, Err(DomainError::NotFound(_))),
        "{missing:?}"
    );
    let unknown = world.deploy(ModelId(4242), Role::Admin, None).await;
    assert!(
        matches!(unknown, Err(DomainError::NotFound(_))),
        "{unknown:?}"
    );
}

async fn every_branch_of_the_deploy_decision(db: Store) {
    let world = World::new(db, default_limits()).await;
    let v1 = world.model("churn", "1", false).await;

    // No evaluation: blocked with `no_evaluation`; roles and justification checked first.
    let result = blocked(world.deploy(v1.id, Role::Engineer, None).await);
    assert_eq!(result.violations[0].metric, "evaluation");
    assert_eq!(result.evaluation_id, None);
    for (role, justification) in [(Role::Viewer, None), (Role::Engineer, Some(REASON))] {
        let refused = world.deploy(v1.id, role, justification).await;
        assert!(
            matches!(refused, Err(DomainError::Forbidden(_))),
            "{refused:?}"
        );
    }
    let short = world.deploy(v1.id, Role::Approver, Some("too short")).await;
    assert!(
        matches!(short, Err(DomainError::Invalid { .. })),
        "{short:?}"
    );

    // Identical reference and current data: pass.
    let data = head("reference_10k.csv", 300);
    assert_eq!(
        world.evaluate(v1.id, data.clone(), data.clone()).await,
        Status::Pass
    );
    assert_eq!(
        deployed(&world, world.deploy(v1.id, Role::Engineer, None).await).await,
        (Outcome::Deployed, ModelStatus::Deployed, 0)
    );

    // The policies active *now* judge: a warn rule added after the evaluation warns, and a
    // warning result still deploys (superseding v1).
    let warn = world.risk_rule(Severity::Warn).await;
    let v2 = world.model("churn", "2", false).await;
    assert_eq!(
        world.evaluate(v2.id, data.clone(), data.clone()).await,
        Status::Warn
    );
    assert_eq!(
        deployed(&world, world.deploy(v2.id, Role::Engineer, None).await).await,
        (Outcome::Deployed, ModelStatus::Deployed, 1)
    );
    let v1_now = ModelRepository::get(&world.store, v1.id)
        .await
        .expect("get")
        .expect("v1");
    assert_eq!(v1_now.status, ModelStatus::Superseded);

    // A block rule fails it: engineers are blocked, approvers override with a reason.
    let admin = world.as_role(Role::Admin);
    world
        .policies
        .deactivate(warn, &admin)
        .await
        .expect("switch off");
    world.risk_rule(Severity::Block).await;
    let result = blocked(world.deploy(v1.id, Role::Engineer, None).await);
    assert_eq!(result.status, Status::Fail);
    assert_eq!(result.policy_versions.len(), 2);
    let (outcome, status, superseded) = deployed(
        &world,
        world.deploy(v1.id, Role::Approver, Some(REASON)).await,
    )
    .await;
    assert_eq!(
        (outcome, status, superseded),
        (Outcome::Overridden, ModelStatus::Deployed, 1)
    );

    // Retire needs an approver; the whole history verifies and lists.
    let refused = world
        .deployments
        .retire(v1.id, None, &world.as_role(Role::Engineer))
        .await;
    assert!(
        matches!(refused, Err(DomainError::Forbidden(_))),
        "{refused:?}"
    );
    let (model, row) = world
        .deployments
        .retire(
            v1.id,
            Some("end of life".into()),
            &world.as_role(Role::Approver),
        )
        .await
        .expect("retire");
    assert_eq!(
        (model.status, row.entry.outcome),
        (ModelStatus::Retired, Outcome::Retired)
    );
    let again = world.deployments.retire(v1.id, None, &admin).await;
    assert!(matches!(again, Err(DomainError::Conflict(_))), "{again:?}");

    let report = world.audit.verify_audit(&admin).await.expect("verify");
    assert!(report.ok);
    // blocked, deployed, deployed + superseded, blocked, overridden + superseded, retired
    assert_eq!((report.rows_checked, report.checkpoints_checked), (8, 8));
    // Checkpoints are checked against the service's key: under another key none verifies.
    let other = driftguard_app::audit::ChainKey::new(b"a key the store never signed with");
    let elsewhere = AuditService::new(
        Arc::new(world.store.clone()),
        Arc::new(world.store.clone()),
        other,
        Arc::new(driftguard_test_kit::attestation_keys()),
    );
    let report = elsewhere.verify_audit(&admin).await.expect("verify");
    assert_eq!(
        (report.ok, report.first_invalid_id, report.reason),
        (
            false,
            Some(DeploymentId(1)),
            Some(driftguard_app::audit::Failure::UnknownKey)
        )
    );
    let not_admin = world
        .audit
        .verify_audit(&world.as_role(Role::Approver))
        .await;
    assert!(matches!(not_admin, Err(DomainError::Forbidden(_))));
    let (rows, total) = world
        .audit
        .list_for_model(v1.id, Page::default())
        .await
        .expect("list");
    assert_eq!((rows[0].entry.outcome, total), (Outcome::Retired, 6));
    let overrides = DeploymentFilter {
        override_used: Some(true),
        ..DeploymentFilter::default()
    };
    let (rows, total) = world
        .audit
        .list(&overrides, Page::default())
        .await
        .expect("list");
    assert_eq!(
        (total, rows[0].entry.override_reason.as_deref()),
        (1, Some(REASON))
    );
}

async fn policies_are_managed_by_admins_in_versions(db: Store) {
    let world = World::new(db, default_limits()).await;
    let admin = world.as_role(Role::Admin);
    let draft = PolicyDraft::default_policy();
    let refused = world
        .policies
        .create(draft.clone(), &world.as_role(Role::Approver))
        .await;
    assert!(matches!(refused, Err(DomainError::Forbidden(_))));
    let mut invalid = draft.clone();
    invalid.rules[0].metric = "drift.nope".into();
    let invalid = world.policies.create(invalid, &admin).await;
    assert!(
        matches!(invalid, Err(DomainError::Invalid { .. })),
        "{invalid:?}"
    );
    let created = world
        .policies
        .create(draft.clone(), &admin)
        .await
        .expect("create");
    let updated = world
        .policies
        .update(created.id, draft, &admin)
        .await
        .expect("update");
    assert_eq!(updated.version, 2);
    let versions = world.policies.versions(created.id).await.expect("versions");
    let numbers: Vec<i32> = versions.iter().map(|p| p.version).collect();
    assert_eq!(numbers, [1, 2], "two versions, version 1 kept");
    assert!(matches!(
        world.policies.versions(PolicyId(999)).await,
        Err(DomainError::NotFound(_))
    ));
    let off = world
        .policies
        .deactivate(created.id, &admin)
        .await
        .expect("off");
    assert!(!off.active);
    let on = PolicyDraft {
        name: off.name.clone(),
        description: off.description.clone(),
        active: true,
        applies_to: off.applies_to.clone(),
        rules: off.rules.clone(),
    };
    let on = world
        .policies
        .update(created.id, on, &admin)
        .await
        .expect("on");
    assert!(on.active);
    assert_eq!(on.version, off.version + 1, "switching on is an edit too");
    let (_, total) = world.policies.list(Page::default()).await.expect("list");
    assert_eq!(total, 2);
}

/// `evaluate_at` records the evaluation at the time given, never in the future nor before the
/// model's latest evaluation (which would leave `latest` pointing at an older one).
async fn an_evaluation_can_be_recorded_at_a_past_time_in_order(db: Store) {
    let world = World::new(db, default_limits()).await;
    let model = world.model("credit", "1", false).await;
    let engineer = world.as_role(Role::Engineer);
    world
        .references
        .upload_reference(
            model.id,
            head("reference_10k.csv", 200),
            DataFormat::Csv,
            BTreeMap::new(),
            &engineer,
        )
        .await
        .expect("upload");
    let at = |days| driftguard_core::now() - chrono::TimeDelta::days(days);
    let world = &world;
    let run = |when, actor: Role| {
        let actor = world.as_role(actor);
        async move {
            world
                .evaluations
                .evaluate_at(
                    model.id,
                    head("current_10k.csv", 200),
                    DataFormat::Csv,
                    EvaluateOptions::default(),
                    when,
                    &actor,
                )
                .await
        }
    };
    let week_ago = at(7);
    let stored = run(week_ago, Role::Engineer).await.expect("a week ago");
    assert_eq!(stored.created_at, week_ago);
    let read = world
        .evaluations
        .get_evaluation(stored.id)
        .await
        .expect("read back");
    assert_eq!(read.created_at, week_ago, "stored as given");
    for refused in [at(8), at(-1)] {
        let result = run(refused, Role::Engineer).await;
        assert!(
            matches!(&result, Err(DomainError::Invalid { .. })),
            "{refused}: {result:?}"
        );
    }
    let now = world
        .evaluations
        .evaluate(
            model.id,
            head("current_10k.csv", 200),
            DataFormat::Csv,
            EvaluateOptions::default(),
            &engineer,
        )
        .await
        .expect("now");
    assert!(now.created_at > week_ago);
    let (page, total) = world
        .evaluations
        .list_evaluations(model.id, Page::default())
        .await
        .expect("list");
    assert_eq!(total, 2, "the refused ones stored nothing");
    assert_eq!(page[0].id, now.id, "newest first");
    let forbidden = run(at(0), Role::Viewer).await;
    assert!(
        matches!(forbidden, Err(DomainError::Forbidden(_))),
        "{forbidden:?}"
    );
}

/// A Parquet reference is stored as CSV (the stored data stays in one format) and, with
/// Parquet current data, gives exactly the numbers the CSV files give.
async fn parquet_uploads_are_stored_as_csv_and_give_the_csv_numbers(db: Store) {
    use parquet::basic::Compression;
    let world = World::new(db, default_limits()).await;
    let engineer = world.as_role(Role::Engineer);
    let (reference, current) = (read("reference_10k.csv"), read("current_10k.csv"));
    let as_parquet = |csv: &[u8]| parquet_support::parquet_of_csv(csv, Compression::SNAPPY, true);
    let (mut metrics, mut models) = (Vec::new(), Vec::new());
    for (format, version, reference, current) in [
        (DataFormat::Csv, "csv", reference.clone(), current.clone()),
        (
            DataFormat::Parquet,
            "parquet",
            as_parquet(&reference),
            as_parquet(&current),
        ),
    ] {
        let model = world.model("parquet", version, true).await;
        let profile = world
            .references
            .upload_reference(
                model.id,
                reference.clone(),
                format,
                BTreeMap::new(),
                &engineer,
            )
            .await
            .expect("upload");
        assert_eq!(profile.sha256, driftguard_app::data::sha256_hex(&reference));
        assert_eq!(
            profile.format,
            DataFormat::Csv,
            "{version} is stored as CSV"
        );
        let stored = world
            .evaluations
            .evaluate(
                model.id,
                current,
                format,
                EvaluateOptions::default(),
                &engineer,
            )
            .await
            .expect("evaluate");
        metrics.push(stored.metrics());
        models.push(model.id);
    }
    assert_eq!(metrics[0], metrics[1]);
    let (_, loaded) = world
        .references
        .load_original(models[1])
        .await
        .expect("the stored CSV reads back");
    assert_eq!(
        loaded,
        Dataset::from_csv(&reference, &ParseOptions::default()).expect("parses")
    );
}

driftguard_test_kit::per_backend!(
    driftguard_test_kit::with_store =>
    an_evaluation_can_be_recorded_at_a_past_time_in_order,
    evaluation_numbers_equal_governance_evaluate_on_the_reference_pair,
    parquet_uploads_are_stored_as_csv_and_give_the_csv_numbers,
    inputs_are_checked_before_anything_is_stored,
    every_branch_of_the_deploy_decision,
    policies_are_managed_by_admins_in_versions,
);
