//! `grant_runtime_role` on PostgreSQL: a server connected as the runtime role works (appends,
//! deploys and verifies), while UPDATE, DELETE and TRUNCATE on the audit trail are refused to
//! it by privilege, even with the append-only triggers disabled. On SQLite it is refused.

use driftguard_audit::{DeploymentLog, NewDeployment, Outcome, verify_log};
use driftguard_core::{ModelId, UserId, now};
use driftguard_storage::runtime_role::{RoleError, grant_runtime_role};
use driftguard_storage::{Database, Store};
use driftguard_test_kit::{TestDatabase, chain_key};
use serde_json::json;

fn entry() -> NewDeployment {
    NewDeployment {
        model_id: ModelId(1),
        deployed_at: now(),
        deployed_by: UserId(1),
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
    }
}

/// `url` with every session switched to `role` at connect time (as `SET ROLE` would).
fn as_role(url: &str, role: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}options=-c%20role%3D{role}")
}

/// What the runtime role may and may not do, as a store and with raw SQL.
async fn check_privileges(db: &TestDatabase, role: &str) -> Result<(), String> {
    let mut settings = db.settings();
    settings.url = as_role(&db.url, role);
    let store = Store::new(
        Database::connect(&settings).map_err(|e| e.to_string())?,
        chain_key(),
    );
    for _ in 0..2 {
        store.append(entry()).await.map_err(|e| e.to_string())?;
    }
    let report = verify_log(&store, &chain_key(), 10)
        .await
        .map_err(|e| e.to_string())?;
    if !(report.ok && report.rows_checked == 2) {
        return Err(format!("verify as the runtime role: {report:?}"));
    }
    let (client, connection) = tokio_postgres::connect(&db.url, tokio_postgres::NoTls)
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(connection);
    // Even with the triggers out of the way, privileges refuse the change.
    client
        .batch_execute(
            "ALTER TABLE deployment_history DISABLE TRIGGER USER; \
             ALTER TABLE audit_checkpoints DISABLE TRIGGER USER;",
        )
        .await
        .map_err(|e| e.to_string())?;
    client
        .batch_execute(&format!("SET ROLE {role}"))
        .await
        .map_err(|e| e.to_string())?;
    for sql in [
        "UPDATE deployment_history SET notes = 'edited'",
        "DELETE FROM deployment_history",
        "TRUNCATE deployment_history",
        "UPDATE audit_checkpoints SET row_count = 1",
        "DELETE FROM audit_checkpoints",
        "TRUNCATE audit_checkpoints",
    ] {
        match client.batch_execute(sql).await {
            Err(e) if format!("{e:?}").contains("permission denied") => {}
            other => return Err(format!("{sql}: {other:?}")),
        }
    }
    // What the server needs elsewhere is granted.
    for sql in [
        "UPDATE models SET status = status",
        "DELETE FROM evaluations WHERE id < 0",
        "SELECT count(*) FROM __diesel_schema_migrations",
    ] {
        client
            .batch_execute(sql)
            .await
            .map_err(|e| format!("{sql}: {e}"))?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_runtime_role_may_only_read_and_append_to_the_audit_trail() {
    let Some(db) = TestDatabase::postgres().await else {
        return;
    };
    let role = format!(
        "driftguard_rt_{}_{}",
        std::process::id(),
        now().timestamp_micros()
    );
    // Twice: running `migrate --runtime-role` again is harmless.
    for _ in 0..2 {
        grant_runtime_role(&db.url, &role)
            .await
            .expect("grant the runtime role");
    }
    let checked = check_privileges(&db, &role).await;

    let (client, connection) = tokio_postgres::connect(&db.url, tokio_postgres::NoTls)
        .await
        .expect("connect as the test's superuser");
    tokio::spawn(connection);
    client
        .batch_execute(&format!("DROP OWNED BY {role}; DROP ROLE {role}"))
        .await
        .expect("drop the role");
    checked.expect("the runtime role's privileges");

    let refused = grant_runtime_role(&db.url, "postgres").await;
    assert!(
        matches!(refused, Err(RoleError::Privileged(_))),
        "{refused:?}"
    );
    let refused = grant_runtime_role(&db.url, "app; DROP TABLE users").await;
    assert!(
        matches!(refused, Err(RoleError::InvalidName(_))),
        "{refused:?}"
    );
}

#[tokio::test]
async fn sqlite_has_no_runtime_role() {
    let db = TestDatabase::sqlite().await;
    let refused = grant_runtime_role(&db.url, "driftguard_app").await;
    assert!(
        matches!(refused, Err(RoleError::NotPostgres)),
        "{refused:?}"
    );
}
