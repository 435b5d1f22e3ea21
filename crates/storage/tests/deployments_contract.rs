//! The `DeploymentLog` and `DeploymentStore` contracts, run against every adapter: the
//! chain never forks under concurrent appends, every append is sealed by a signed
//! checkpoint, changes are refused, tampering by someone who got past that shows, and each
//! deploy command is all or nothing.

mod support;

use driftguard_app::{DeployCommand, DeploymentStore, RetireCommand};
use driftguard_audit::{
    ArtifactDigest, DeploymentFilter, DeploymentLog, DeploymentRecord, Failure, NewDeployment,
    Outcome, VerifyReport, verify_log,
};
use driftguard_core::{DeploymentId, DomainError, EvaluationId, ModelId, Page, UserId, now};
use driftguard_registry::{ModelRepository, ModelStatus};
use driftguard_storage::{Backend, Store};
use driftguard_test_kit::{chain_key, lift_append_only};
use serde_json::json;

/// Verifies the store's history with the key test stores sign with.
async fn verify(db: &Store, chunk: u64) -> VerifyReport {
    verify_log(db, &chain_key(), chunk).await.expect("verify")
}

/// Appends `n` blocked attempts.
async fn append_rows(db: &Store, n: i64) {
    for model in 1..=n {
        db.append(entry(model, Outcome::Blocked))
            .await
            .expect("append");
    }
}

/// Rewrites rows in place (notes and both hashes, the fields the forgeries here change).
async fn rewrite(db: &Store, rows: &[DeploymentRecord]) {
    for row in rows {
        let notes = row
            .entry
            .notes
            .as_deref()
            .unwrap_or_default()
            .replace('\'', "''");
        let sql = format!(
            "UPDATE deployment_history SET notes = '{notes}', prev_hash = '{}', hash = '{}' \
             WHERE id = {}",
            row.prev_hash, row.hash, row.id
        );
        assert_eq!(support::raw(db, &sql).await.expect("rewrite"), 1, "{sql}");
    }
}

/// Rows from `from` on with their `prev_hash` and `hash` recomputed, as a forger would.
fn rechained(mut rows: Vec<DeploymentRecord>, from: usize) -> Vec<DeploymentRecord> {
    for i in from..rows.len() {
        let prev = rows[i - 1].hash.clone();
        rows[i] = DeploymentRecord::seal(rows[i].entry.clone(), rows[i].id, &prev);
    }
    rows.split_off(from)
}

fn failure(report: &VerifyReport) -> (bool, Option<i64>, Option<Failure>) {
    let first_invalid = report.first_invalid_id.map(i64::from);
    (report.ok, first_invalid, report.reason)
}

fn entry(model_id: impl Into<ModelId>, outcome: Outcome) -> NewDeployment {
    NewDeployment {
        model_id: model_id.into(),
        deployed_at: now(),
        deployed_by: UserId(1),
        environment: "production".into(),
        previous_status: "registered".into(),
        new_status: "registered".into(),
        outcome,
        // A float whose shortest spelling has 17 digits: it must hash as it reads back.
        governance_result: json!({"status": "fail", "risk_score": 67.123_456_789_012_34,
                                  "violations": [{"observed": 0.202_702_702_702_702_7}]}),
        override_used: false,
        override_reason: None,
        notes: Some("note".into()),
        policy_versions: json!([{"policy_id": 1, "version": 1}]),
        // Read back and hashed as written when present, left out when absent.
        artifact_digest: (outcome == Outcome::Deployed).then(|| ArtifactDigest::of(b"model")),
        override_request_id: None,
        override_requested_by: None,
    }
}

fn deploy(model_id: ModelId, by: UserId) -> DeployCommand {
    DeployCommand {
        model_id,
        deployed_at: now(),
        deployed_by: by,
        environment: "production".into(),
        outcome: Outcome::Deployed,
        governance_result: json!({"status": "pass", "risk_score": 10.5}),
        override_reason: None,
        notes: None,
        policy_versions: json!([{"policy_id": 1, "version": 1}]),
        judged_evaluation_id: None,
        artifact_digest: None,
        override_request_id: None,
        override_requested_by: None,
    }
}

async fn appends_chain_read_back_and_verify(db: Store) {
    let log: &dyn DeploymentLog = &db;
    let first = log
        .append(entry(7, Outcome::Blocked))
        .await
        .expect("append");
    assert_eq!(
        (first.id.0, first.prev_hash.as_str()),
        (1, driftguard_audit::GENESIS_HASH)
    );
    let second = log
        .append(entry(8, Outcome::Deployed))
        .await
        .expect("append");
    assert_eq!((second.id.0, &second.prev_hash), (2, &first.hash));
    let chain = log.chain_after(None, 10).await.expect("chain");
    assert_eq!(chain, [first.clone(), second.clone()]);
    assert_eq!(
        log.chain_after(Some(DeploymentId(1)), 10)
            .await
            .expect("chain"),
        std::slice::from_ref(&second)
    );
    let report = verify(&db, 1).await;
    assert!(report.ok, "{report:?}");
    assert_eq!(
        (
            report.rows_checked,
            report.checkpoints_checked,
            report.head_hash
        ),
        (2, 2, second.hash.clone())
    );
    // Each append is sealed by a checkpoint that reads back as signed (to the microsecond).
    let seals = log.checkpoints_after(None, 10).await.expect("checkpoints");
    let sealed: Vec<_> = seals
        .iter()
        .map(|c| (c.last_id.0, c.head_hash.as_str(), c.row_count))
        .collect();
    assert_eq!(
        sealed,
        [(1, first.hash.as_str(), 1), (2, second.hash.as_str(), 2)]
    );
    assert!(seals.iter().all(|c| c.is_signed_by(&chain_key())));
    assert_eq!(report.signed_head.as_ref(), seals.last());
    assert_eq!(
        log.checkpoints_after(Some(DeploymentId(1)), 10)
            .await
            .expect("checkpoints"),
        seals[1..]
    );

    let (rows, total) = log
        .list_for_model(ModelId(7), Page::default())
        .await
        .expect("list");
    assert_eq!((rows, total), (vec![first], 1));
    let blocked = DeploymentFilter {
        model_id: Some(second.entry.model_id),
        outcomes: vec![Outcome::Deployed],
        environment: Some("production".into()),
        override_used: Some(false),
        since: Some(second.entry.deployed_at),
    };
    let (rows, total) = log.list(&blocked, Page::default()).await.expect("list");
    assert_eq!((rows[0].id.0, total), (2, 1));
    let either = DeploymentFilter {
        outcomes: vec![Outcome::Blocked, Outcome::Deployed],
        ..DeploymentFilter::default()
    };
    assert_eq!(
        log.list(&either, Page::default()).await.expect("list").1,
        2,
        "any of the outcomes"
    );
    let overridden = DeploymentFilter {
        outcomes: vec![Outcome::Overridden],
        ..DeploymentFilter::default()
    };
    assert_eq!(
        log.list(&overridden, Page::default())
            .await
            .expect("list")
            .1,
        0
    );
    let staging = DeploymentFilter {
        environment: Some("staging".into()),
        ..DeploymentFilter::default()
    };
    assert_eq!(
        log.list(&staging, Page::default()).await.expect("list").1,
        0
    );
}

async fn concurrent_appends_never_fork(db: Store) {
    let tasks: Vec<_> = (0..8)
        .map(|t| {
            let db = db.clone();
            tokio::spawn(async move {
                // 20 appends in all, spread over the 8 tasks.
                for _ in (0..20).filter(|i| i % 8 == t) {
                    db.append(entry(t, Outcome::Blocked)).await.expect("append");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task");
    }
    let chain = db.chain_after(None, 1000).await.expect("chain");
    let ids: Vec<i64> = chain.iter().map(|r| r.id.0).collect();
    assert_eq!(ids, (1..=20).collect::<Vec<_>>());
    let report = verify(&db, 7).await;
    assert!(report.ok, "{report:?}");
    assert_eq!((report.rows_checked, report.checkpoints_checked), (20, 20));
}

async fn changes_are_refused(db: Store) {
    append_rows(&db, 3).await;
    let mut refused = vec![
        "UPDATE deployment_history SET notes = 'edited' WHERE id = 2",
        "DELETE FROM deployment_history WHERE id = 3",
        "DELETE FROM deployment_history",
        "UPDATE audit_checkpoints SET row_count = 1 WHERE last_id = 2",
        "DELETE FROM audit_checkpoints WHERE last_id = 3",
        "DELETE FROM audit_checkpoints",
    ];
    if db.database().backend() == Backend::Postgres {
        refused.extend(["TRUNCATE deployment_history", "TRUNCATE audit_checkpoints"]);
    }
    for sql in refused {
        let result = support::raw(&db, sql).await;
        let refusal = format!("{result:?}");
        assert!(refusal.contains("append-only"), "{sql}: {refusal}");
    }
    let report = verify(&db, 100).await;
    assert_eq!((report.ok, report.rows_checked), (true, 3));
}

async fn a_row_edited_in_place_is_caught(db: Store) {
    append_rows(&db, 3).await;
    lift_append_only(&db).await.expect("lift the guard");
    let edit = "UPDATE deployment_history SET notes = 'edited' WHERE id = 2";
    assert_eq!(support::raw(&db, edit).await.expect("edit"), 1);
    let report = verify(&db, 100).await;
    assert_eq!(
        failure(&report),
        (false, Some(2), Some(Failure::HashMismatch))
    );
}

async fn a_cut_tail_is_caught(db: Store) {
    append_rows(&db, 5).await;
    let before = verify(&db, 2).await;
    lift_append_only(&db).await.expect("lift the guard");
    let cut = "DELETE FROM deployment_history WHERE id > 3";
    assert_eq!(support::raw(&db, cut).await.expect("cut"), 2);
    let report = verify(&db, 2).await;
    assert_eq!(
        failure(&report),
        (false, Some(4), Some(Failure::SignedRowMissing))
    );
    assert_eq!(report.rows_checked, 3);
    // The signed head is still the one before the cut.
    assert_eq!(report.signed_head, before.signed_head);
    assert_eq!(report.signed_head.map(|c| c.last_id.0), Some(5));
}

async fn a_chain_rewritten_from_an_edited_row_is_caught(db: Store) {
    append_rows(&db, 5).await;
    let mut rows = db.chain_after(None, 10).await.expect("chain");
    rows[2].entry.notes = Some("nothing to see here".into());
    let forged = rechained(rows, 2);
    lift_append_only(&db).await.expect("lift the guard");
    rewrite(&db, &forged).await;
    let report = verify(&db, 2).await;
    assert_eq!(
        failure(&report),
        (false, Some(3), Some(Failure::SignedHeadMismatch))
    );
}

async fn a_gap_in_ids_is_caught(db: Store) {
    append_rows(&db, 5).await;
    let mut rows = db.chain_after(None, 10).await.expect("chain");
    rows.remove(2);
    let forged = rechained(rows, 2);
    lift_append_only(&db).await.expect("lift the guard");
    let removed = "DELETE FROM deployment_history WHERE id = 3";
    assert_eq!(support::raw(&db, removed).await.expect("remove"), 1);
    rewrite(&db, &forged).await;
    let report = verify(&db, 2).await;
    assert_eq!(failure(&report), (false, Some(4), Some(Failure::IdGap)));
}

async fn a_row_inserted_around_the_server_is_caught(db: Store) {
    append_rows(&db, 2).await;
    // Appending needs no key: a correct id, link and hash, but no checkpoint can be signed.
    let head = db
        .chain_after(Some(DeploymentId(1)), 1)
        .await
        .expect("chain")
        .remove(0);
    let forged = DeploymentRecord::seal(head.entry.clone(), DeploymentId(3), &head.hash);
    let insert = format!(
        "INSERT INTO deployment_history (id, model_id, deployed_at, deployed_by, environment, \
         previous_status, new_status, outcome, governance_result, override_used, \
         override_reason, notes, policy_versions, prev_hash, hash) \
         SELECT 3, model_id, deployed_at, deployed_by, environment, previous_status, \
         new_status, outcome, governance_result, override_used, override_reason, notes, \
         policy_versions, '{}', '{}' FROM deployment_history WHERE id = 2",
        forged.prev_hash, forged.hash
    );
    assert_eq!(support::raw(&db, &insert).await.expect("insert"), 1);
    let report = verify(&db, 10).await;
    assert_eq!(failure(&report), (false, Some(3), Some(Failure::Unsigned)));
    // The server's next append seals its own row, not the forged one before it.
    append_rows(&db, 1).await;
    let report = verify(&db, 10).await;
    assert_eq!(failure(&report), (false, Some(3), Some(Failure::Unsigned)));
}

async fn a_history_from_before_checkpoints_is_sealed_once(db: Store) {
    assert_eq!(db.seal_unsigned_history().await.expect("seal"), None);
    append_rows(&db, 3).await;
    // As an install upgraded from before migration 5 has it: rows, no checkpoint.
    lift_append_only(&db).await.expect("lift the guard");
    support::raw(&db, "DELETE FROM audit_checkpoints")
        .await
        .expect("forget the checkpoints");
    let report = verify(&db, 2).await;
    assert_eq!(failure(&report), (false, Some(1), Some(Failure::Unsigned)));
    let seal = db.seal_unsigned_history().await.expect("seal");
    let head = db
        .chain_after(Some(DeploymentId(2)), 1)
        .await
        .expect("chain")
        .remove(0);
    assert_eq!(
        seal.as_ref()
            .map(|c| (c.last_id.0, c.head_hash.as_str(), c.row_count)),
        Some((3, head.hash.as_str(), 3))
    );
    assert_eq!(db.seal_unsigned_history().await.expect("seal"), None);
    append_rows(&db, 1).await;
    let report = verify(&db, 2).await;
    assert!(report.ok, "{report:?}");
    assert_eq!((report.rows_checked, report.checkpoints_checked), (4, 2));
}

#[test]
fn migrating_a_fresh_database_introduces_the_checkpoints() {
    let dir = std::env::temp_dir().join(format!(
        "driftguard-migrate-{}-{}",
        std::process::id(),
        now().timestamp_micros()
    ));
    let url = format!("sqlite://{}", dir.join("fresh.db").display());
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let applied = runtime
        .block_on(driftguard_storage::migrate::run_pending(&url))
        .expect("migrate");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        driftguard_storage::migrate::introduces_checkpoints(&applied),
        "{applied:?}"
    );
    assert!(!driftguard_storage::migrate::introduces_checkpoints(
        &applied[..4]
    ));
}

async fn deploy_supersedes_the_deployed_version(db: Store) {
    let by = support::user(&db).await;
    let v1 = support::model(&db, by, "churn", "1").await;
    let v2 = support::model(&db, by, "churn", "2").await;
    let other = support::model(&db, by, "fraud", "1").await;
    let (model, rows) = db.deploy(deploy(other.id, by)).await.expect("deploy");
    assert_eq!((model.status, rows.len()), (ModelStatus::Deployed, 1));
    let (model, rows) = db.deploy(deploy(v1.id, by)).await.expect("deploy");
    assert_eq!((model.status, rows.len()), (ModelStatus::Deployed, 1));
    assert_eq!(rows[0].entry.previous_status, "registered");

    let mut command = deploy(v2.id, by);
    command.outcome = Outcome::Overridden;
    command.override_reason = Some("accepted by the risk board".into());
    let (model, rows) = db.deploy(command).await.expect("deploy");
    assert_eq!(model.status, ModelStatus::Deployed);
    let summary: Vec<_> = rows
        .iter()
        .map(|r| (r.entry.model_id, r.entry.outcome, r.entry.override_used))
        .collect();
    assert_eq!(
        summary,
        [
            (v2.id, Outcome::Overridden, true),
            (v1.id, Outcome::Superseded, false)
        ]
    );
    assert_eq!(rows[1].entry.new_status, "superseded");
    let v1 = db.get(v1.id).await.expect("get").expect("v1");
    assert_eq!(v1.status, ModelStatus::Superseded);
    let fraud = db.get(other.id).await.expect("get").expect("other");
    assert_eq!(
        fraud.status,
        ModelStatus::Deployed,
        "another name is untouched"
    );

    let (model, row) = db
        .retire(RetireCommand {
            model_id: v2.id,
            retired_at: now(),
            retired_by: by,
            environment: "production".into(),
            notes: Some("end of life".into()),
        })
        .await
        .expect("retire");
    assert_eq!(
        (model.status, row.entry.outcome),
        (ModelStatus::Retired, Outcome::Retired)
    );
    assert_eq!(row.entry.previous_status, "deployed");
    let again = db.deploy(deploy(v2.id, by)).await;
    assert!(matches!(again, Err(DomainError::Conflict(_))), "{again:?}");
    let missing = db.deploy(deploy(ModelId(9999), by)).await;
    assert!(
        matches!(missing, Err(DomainError::NotFound(_))),
        "{missing:?}"
    );
    let blocked = db
        .record_blocked(entry(v1.id, Outcome::Blocked))
        .await
        .expect("blocked");
    assert_eq!(blocked.id, DeploymentId(6));
    let report = verify(&db, 2).await;
    assert!(report.ok, "{report:?}");
    assert_eq!((report.rows_checked, report.checkpoints_checked), (6, 6));
}

async fn concurrent_deploys_leave_one_deployed(db: Store) {
    let by = support::user(&db).await;
    let v1 = support::model(&db, by, "churn", "1").await;
    let v2 = support::model(&db, by, "churn", "2").await;
    for _ in 0..3 {
        let (a, b) = (db.clone(), db.clone());
        let (ra, rb) = tokio::join!(
            tokio::spawn(async move { a.deploy(deploy(v1.id, by)).await }),
            tokio::spawn(async move { b.deploy(deploy(v2.id, by)).await }),
        );
        ra.expect("task").expect("deploy v1");
        rb.expect("task").expect("deploy v2");
        let s1 = db.get(v1.id).await.expect("get").expect("v1").status;
        let s2 = db.get(v2.id).await.expect("get").expect("v2").status;
        let deployed = [s1, s2]
            .iter()
            .filter(|s| **s == ModelStatus::Deployed)
            .count();
        assert_eq!(deployed, 1, "{s1:?} {s2:?}");
    }
    assert!(verify(&db, 3).await.ok);
}

async fn a_failing_deploy_leaves_nothing_behind(db: Store) {
    let by = support::user(&db).await;
    let v1 = support::model(&db, by, "churn", "1").await;
    let v2 = support::model(&db, by, "churn", "2").await;
    db.deploy(deploy(v1.id, by)).await.expect("deploy v1");
    // Inject a failure at the last step (making v2 deployed), after the history rows and
    // v1's supersession were written.
    let trigger = match db.database().backend() {
        Backend::Sqlite => vec![
            "CREATE TRIGGER fail_deploy BEFORE UPDATE OF status ON models \
             WHEN NEW.status = 'deployed' BEGIN SELECT RAISE(ABORT, 'injected'); END",
        ],
        Backend::Postgres => vec![
            "CREATE FUNCTION fail_deploy() RETURNS trigger AS $$ BEGIN \
             RAISE EXCEPTION 'injected'; END; $$ LANGUAGE plpgsql",
            "CREATE TRIGGER fail_deploy BEFORE UPDATE OF status ON models FOR EACH ROW \
             WHEN (NEW.status = 'deployed') EXECUTE FUNCTION fail_deploy()",
        ],
    };
    for sql in trigger {
        support::raw(&db, sql).await.expect("install the failure");
    }
    assert!(db.deploy(deploy(v2.id, by)).await.is_err());
    let v1 = db.get(v1.id).await.expect("get").expect("v1");
    let v2 = db.get(v2.id).await.expect("get").expect("v2");
    assert_eq!(
        (v1.status, v2.status),
        (ModelStatus::Deployed, ModelStatus::Registered)
    );
    let chain = db.chain_after(None, 100).await.expect("chain");
    assert_eq!(chain.len(), 1, "no history row of the failed deploy");
    let report = verify(&db, 10).await;
    assert!(report.ok, "{report:?}");
    assert_eq!(
        report.checkpoints_checked, 1,
        "no checkpoint of the failed deploy"
    );
}

async fn a_deploy_judged_on_a_stale_state_is_refused(db: Store) {
    let by = support::user(&db).await;
    let model = support::model(&db, by, "churn", "1").await;
    let mut command = deploy(model.id, by);
    command.judged_evaluation_id = Some(EvaluationId(4242));
    let stale = db.deploy(command).await;
    assert!(matches!(stale, Err(DomainError::Conflict(_))), "{stale:?}");
    // Judged by no policy, while the default policy judges every tier now.
    let mut command = deploy(model.id, by);
    command.policy_versions = json!([]);
    let changed = db.deploy(command).await;
    assert!(
        matches!(changed, Err(DomainError::Conflict(_))),
        "{changed:?}"
    );
    let model = db.get(model.id).await.expect("get").expect("model");
    assert_eq!(model.status, ModelStatus::Registered);
    assert!(db.chain_after(None, 10).await.expect("chain").is_empty());
    let seals = db.checkpoints_after(None, 10).await.expect("checkpoints");
    assert!(seals.is_empty());
}

driftguard_test_kit::per_backend!(
    driftguard_test_kit::with_store =>
    a_deploy_judged_on_a_stale_state_is_refused,
    appends_chain_read_back_and_verify,
    concurrent_appends_never_fork,
    changes_are_refused,
    a_row_edited_in_place_is_caught,
    a_cut_tail_is_caught,
    a_chain_rewritten_from_an_edited_row_is_caught,
    a_gap_in_ids_is_caught,
    a_row_inserted_around_the_server_is_caught,
    a_history_from_before_checkpoints_is_sealed_once,
    deploy_supersedes_the_deployed_version,
    concurrent_deploys_leave_one_deployed,
    a_failing_deploy_leaves_nothing_behind,
);
