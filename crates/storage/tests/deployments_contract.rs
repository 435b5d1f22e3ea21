//! The `DeploymentLog` and `DeploymentStore` contracts, run against every adapter: the
//! chain never forks under concurrent appends, tampering shows (or is refused), and each
//! deploy command is all or nothing.

mod support;

use driftguard_app::{DeployCommand, DeploymentStore, RetireCommand};
use driftguard_audit::{DeploymentFilter, DeploymentLog, NewDeployment, Outcome, verify_log};
use driftguard_core::{DomainError, Page, now};
use driftguard_registry::{ModelRepository, ModelStatus};
use driftguard_storage::{Backend, Store, contract_tests};
use serde_json::json;

fn entry(model_id: i64, outcome: Outcome) -> NewDeployment {
    NewDeployment {
        model_id,
        deployed_at: now(),
        deployed_by: 1,
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
    }
}

fn deploy(model_id: i64, by: i64) -> DeployCommand {
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
    }
}

async fn appends_chain_read_back_and_verify(db: Store) {
    let log: &dyn DeploymentLog = &db;
    let first = log
        .append(entry(7, Outcome::Blocked))
        .await
        .expect("append");
    assert_eq!(
        (first.id, first.prev_hash.as_str()),
        (1, driftguard_audit::GENESIS_HASH)
    );
    let second = log
        .append(entry(8, Outcome::Deployed))
        .await
        .expect("append");
    assert_eq!((second.id, &second.prev_hash), (2, &first.hash));
    let chain = log.chain_after(None, 10).await.expect("chain");
    assert_eq!(chain, [first.clone(), second.clone()]);
    assert_eq!(
        log.chain_after(Some(1), 10).await.expect("chain"),
        std::slice::from_ref(&second)
    );
    let report = verify_log(log, 1).await.expect("verify");
    assert!(report.ok);
    assert_eq!(
        (report.rows_checked, report.head_hash),
        (2, second.hash.clone())
    );

    let (rows, total) = log.list_for_model(7, Page::default()).await.expect("list");
    assert_eq!((rows, total), (vec![first], 1));
    let blocked = DeploymentFilter {
        outcome: Some(Outcome::Deployed),
        environment: Some("production".into()),
        override_used: Some(false),
        since: Some(second.entry.deployed_at),
    };
    let (rows, total) = log.list(&blocked, Page::default()).await.expect("list");
    assert_eq!((rows[0].id, total), (2, 1));
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
    let ids: Vec<i64> = chain.iter().map(|r| r.id).collect();
    assert_eq!(ids, (1..=20).collect::<Vec<_>>());
    let report = verify_log(&db, 7).await.expect("verify");
    assert!(report.ok, "{report:?}");
    assert_eq!(report.rows_checked, 20);
}

async fn tampering_is_caught_or_refused(db: Store) {
    for model in 1..=3 {
        db.append(entry(model, Outcome::Blocked))
            .await
            .expect("append");
    }
    let edit = "UPDATE deployment_history SET notes = 'edited' WHERE id = 2";
    match db.database().backend() {
        Backend::Sqlite => {
            assert_eq!(
                support::raw(&db, edit)
                    .await
                    .expect("SQLite lets it through"),
                1
            );
            let report = verify_log(&db, 100).await.expect("verify");
            assert_eq!((report.ok, report.first_invalid_id), (false, Some(2)));
        }
        Backend::Postgres => {
            for sql in [
                edit,
                "DELETE FROM deployment_history WHERE id = 3",
                "TRUNCATE deployment_history",
            ] {
                let refused = support::raw(&db, sql).await;
                assert!(refused.is_err(), "{sql} was allowed");
            }
            let report = verify_log(&db, 100).await.expect("verify");
            assert_eq!((report.ok, report.rows_checked), (true, 3));
        }
    }
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
    let missing = db.deploy(deploy(9999, by)).await;
    assert!(
        matches!(missing, Err(DomainError::NotFound(_))),
        "{missing:?}"
    );
    let blocked = db
        .record_blocked(entry(v1.id, Outcome::Blocked))
        .await
        .expect("blocked");
    assert_eq!(blocked.id, 6);
    assert!(verify_log(&db, 2).await.expect("verify").ok);
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
    assert!(verify_log(&db, 3).await.expect("verify").ok);
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
    assert!(verify_log(&db, 10).await.expect("verify").ok);
}

async fn a_deploy_judged_on_a_stale_state_is_refused(db: Store) {
    let by = support::user(&db).await;
    let model = support::model(&db, by, "churn", "1").await;
    let mut command = deploy(model.id, by);
    command.judged_evaluation_id = Some(4242);
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
}

contract_tests!(
    a_deploy_judged_on_a_stale_state_is_refused,
    appends_chain_read_back_and_verify,
    concurrent_appends_never_fork,
    tampering_is_caught_or_refused,
    deploy_supersedes_the_deployed_version,
    concurrent_deploys_leave_one_deployed,
    a_failing_deploy_leaves_nothing_behind,
);
