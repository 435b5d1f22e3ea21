//! `driftguard backup` while the server keeps writing, and `driftguard restore` into an empty
//! database: every row committed before the backup began is there, and `/audit/verify` on a
//! server over the restored copy answers the head the backup recorded.

use crate::helpers::TestApp;
use driftguard::backup;
use driftguard_core::Role;
use driftguard_test_kit::per_backend;
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// What the writer saw committed: model ids, and blocked deploy attempts (history rows).
#[derive(Debug, Default, Clone)]
struct Committed {
    models: Vec<i64>,
    attempts: i64,
}

/// Registers models and attempts to deploy each (blocked: no evaluation yet, and recorded in
/// the history) until `stop`, noting each write in `seen` once its response has come back.
async fn keep_writing(
    app: Arc<TestApp>,
    engineer: String,
    seen: Arc<Mutex<Committed>>,
    stop: Arc<AtomicBool>,
) {
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let model = app
            .create_model(&engineer, &format!("load-{n}"), "1", "high")
            .await;
        let id = model["id"].as_i64().expect("model id");
        seen.lock().expect("lock").models.push(id);
        let (status, body) = app
            .post(&format!("/models/{id}/deploy"), Some(&engineer), json!({}))
            .await;
        assert_eq!(status, 409, "{body}");
        seen.lock().expect("lock").attempts += 1;
    }
}

async fn a_backup_under_write_load_restores_every_committed_row(app: TestApp) {
    let app = Arc::new(app);
    let admin = app.token_for(Role::Admin).await;
    let engineer = app.token_for(Role::Engineer).await;
    let (seen, stop) = (Arc::default(), Arc::new(AtomicBool::new(false)));
    let writer = tokio::spawn(keep_writing(
        app.clone(),
        engineer,
        Arc::clone(&seen),
        stop.clone(),
    ));
    while seen.lock().expect("lock").attempts < 3 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }

    let before: Committed = seen.lock().expect("lock").clone();
    let folder = tempfile::tempdir().expect("a folder for the backup");
    let file = folder.path().join("driftguard.backup");
    let manifest = backup::backup(app.settings(), &file, false)
        .await
        .expect("backup while writing");
    let during = seen.lock().expect("lock").attempts;
    // Keep writing a little after the backup: none of it may reach the restored copy.
    while seen.lock().expect("lock").attempts < during + 2 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    stop.store(true, Ordering::Relaxed);
    writer.await.expect("the writer");

    assert!(manifest.head.last_id >= before.attempts, "{manifest:?}");
    assert_eq!(
        manifest.rows["deployment_history"],
        u64::try_from(manifest.head.last_id).expect("an id")
    );
    let target = app.empty_database(false).await;
    let report = backup::restore(&app.settings_on(&target.url), &file)
        .await
        .expect("restore into an empty database");
    assert!(report.ok(), "{report:?}");
    assert_eq!(report.verify.head_hash, manifest.head.hash);
    assert!(report.restored.migrated.is_empty(), "{report:?}");

    let restored = app.serving(target).await;
    let (status, verify) = restored.get("/audit/verify", &admin).await;
    assert_eq!(status, 200, "{verify}");
    assert_eq!(verify["ok"], true, "{verify}");
    assert_eq!(verify["head_hash"], manifest.head.hash.as_str());
    assert_eq!(verify["rows_checked"], manifest.head.last_id);
    assert_eq!(
        verify["signed_head"]["head_hash"],
        manifest.head.hash.as_str()
    );
    for id in &before.models {
        let (status, body) = restored.get(&format!("/models/{id}"), &admin).await;
        assert_eq!(
            status, 200,
            "model {id} committed before the backup: {body}"
        );
    }
    let (_, history) = restored.get("/deployments?limit=1", &admin).await;
    assert_eq!(history["pagination"]["total"], manifest.head.last_id);
    // The original went on writing; the copy stops where the backup's snapshot did.
    let (_, live) = app.get("/audit/verify", &admin).await;
    assert!(
        live["rows_checked"].as_i64() > Some(manifest.head.last_id),
        "{live}"
    );
    assert_eq!(live["ok"], true, "{live}");
}

per_backend!(crate::helpers::with_app => a_backup_under_write_load_restores_every_committed_row);
