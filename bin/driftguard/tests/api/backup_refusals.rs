//! What backup and restore refuse, and that a refusal leaves nothing behind: an existing
//! output without `--force`, a target that holds data, a missing file, garbage, a damaged or
//! cut-off backup, another backend's, a newer schema's; and what a restore under another
//! audit key finds (`unknown_key`).

use crate::helpers::TestApp;
use driftguard::backup;
use driftguard_core::Role;
use driftguard_test_kit::per_backend;
use secrecy::SecretString;
use serde_json::{Value, json};
use std::path::Path;

/// The backup at `from` with its manifest changed by `edit`, written to `to`.
fn with_manifest(from: &Path, to: &Path, edit: impl FnOnce(&mut Value)) {
    let bytes = std::fs::read(from).expect("the backup");
    let first = bytes.iter().position(|&b| b == b'\n').expect("header line");
    let second = first
        + 1
        + bytes[first + 1..]
            .iter()
            .position(|&b| b == b'\n')
            .expect("manifest");
    let mut manifest: Value = serde_json::from_slice(&bytes[first + 1..second]).expect("json");
    edit(&mut manifest);
    let mut out = bytes[..=first].to_vec();
    out.extend(serde_json::to_vec(&manifest).expect("json"));
    out.extend(&bytes[second..]);
    std::fs::write(to, out).expect("write");
}

/// Restoring `file` into `url` fails with a message containing `expected`.
async fn refused(app: &TestApp, url: &str, file: &Path, expected: &str) {
    let error = backup::restore(&app.settings_on(url), file)
        .await
        .expect_err(expected);
    assert!(format!("{error:#}").contains(expected), "{error:#}");
}

async fn refusals_change_nothing(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let engineer = app.token_for(Role::Engineer).await;
    let model = app.create_model(&engineer, "churn", "1", "high").await;
    let (status, _) = app
        .post(
            &format!("/models/{}/deploy", model["id"]),
            Some(&engineer),
            json!({}),
        )
        .await;
    assert_eq!(status, 409);
    let folder = tempfile::tempdir().expect("folder");
    let file = folder.path().join("b.backup");
    backup::backup(app.settings(), &file, false)
        .await
        .expect("backup");
    let error = backup::backup(app.settings(), &file, false)
        .await
        .expect_err("an existing file");
    assert!(
        format!("{error}").contains("exists; pass --force"),
        "{error}"
    );
    let manifest = backup::backup(app.settings(), &file, true)
        .await
        .expect("--force overwrites");

    // Into the database it came from: it holds data, and stays as it was.
    let (_, before) = app.get("/audit/verify", &admin).await;
    refused(&app, &app.database().url, &file, "already holds data").await;
    let (_, after) = app.get("/audit/verify", &admin).await;
    assert_eq!(before, after);

    let target = app.empty_database(false).await;
    let bad = |name: &str| folder.path().join(name);
    refused(&app, &target.url, &bad("missing"), "opening").await;
    std::fs::write(bad("garbage"), b"PGDMP or anything else, really").expect("write");
    refused(
        &app,
        &target.url,
        &bad("garbage"),
        "not a DriftGuard backup",
    )
    .await;
    let mut bytes = std::fs::read(&file).expect("backup");
    std::fs::write(bad("cut"), &bytes[..bytes.len() / 2]).expect("write");
    refused(&app, &target.url, &bad("cut"), "damaged").await;
    let last = bytes.len() - 100;
    bytes[last] ^= 0x55;
    std::fs::write(bad("flipped"), &bytes).expect("write");
    refused(&app, &target.url, &bad("flipped"), "damaged").await;
    let other = if manifest.backend == "sqlite" {
        "postgres"
    } else {
        "sqlite"
    };
    with_manifest(&file, &bad("other"), |m| m["backend"] = json!(other));
    refused(&app, &target.url, &bad("other"), "restore it into a").await;
    with_manifest(&file, &bad("newer"), |m| {
        m["migration_version"] = json!("29991231000099");
    });
    refused(
        &app,
        &target.url,
        &bad("newer"),
        "newer than this DriftGuard knows",
    )
    .await;

    // After every refusal the target is as empty as it was: the backup restores into it.
    let report = backup::restore(&app.settings_on(&target.url), &file)
        .await
        .expect("restore");
    assert!(report.ok(), "{report:?}");

    // Into a migrated but empty database (a server started on it), without the audit key the
    // backed-up server signed with: the rows are all there but no checkpoint verifies.
    let elsewhere = app.empty_database(true).await;
    let mut settings = app.settings_on(&elsewhere.url);
    settings.audit.key = Some(SecretString::from(
        "another audit key, not the one used".to_owned(),
    ));
    let report = backup::restore(&settings, &file).await.expect("restored");
    assert!(!report.ok());
    assert_eq!(report.verify.head_hash, manifest.head.hash);
    assert_eq!(
        report.verify.reason,
        Some(driftguard_app::audit::Failure::UnknownKey)
    );
}

per_backend!(crate::helpers::with_app => refusals_change_nothing);
