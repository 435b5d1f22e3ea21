//! `driftguard backup` and `driftguard restore`: the storage crate's backup of the configured
//! database, and its restore followed by what an operator checks next — the audit trail
//! verified with the configured audit key, its head compared with the one the backup
//! recorded.

use crate::settings::Settings;
use crate::wiring;
use driftguard_app::audit::VerifyReport;
use driftguard_app::{Actor, AuditService};
use driftguard_core::{Role, UserId};
use driftguard_storage::backup::{self, Manifest, Restored};
use driftguard_storage::{Database, Store};
use std::path::Path;
use std::sync::Arc;

/// Backs up the configured database to `out` while it serves; refuses an existing `out`
/// unless `force`.
pub async fn backup(settings: &Settings, out: &Path, force: bool) -> anyhow::Result<Manifest> {
    Ok(backup::backup(&settings.database().url, out, force).await?)
}

/// What a restore did and what verification found after it.
#[derive(Debug)]
pub struct RestoreReport {
    /// The restore.
    pub restored: Restored,
    /// `GET /audit/verify` on the restored database, with the configured audit key.
    pub verify: VerifyReport,
}

impl RestoreReport {
    /// Whether the restored history verifies and ends at the head the backup recorded.
    pub fn ok(&self) -> bool {
        self.verify.ok && self.verify.head_hash == self.restored.manifest.head.hash
    }
}

/// Restores the backup `file` into the configured database (which must hold no data),
/// migrates it forward, and verifies the audit trail with the configured key.
pub async fn restore(settings: &Settings, file: &Path) -> anyhow::Result<RestoreReport> {
    let db_settings = settings.database();
    let restored = backup::restore(&db_settings.url, file).await?;
    wiring::seal_if_introduced(settings, &restored.migrated).await?;
    let key = wiring::chain_key(settings)?;
    let store = Store::new(Database::connect(&db_settings)?, key.clone());
    // The operator at the command line stands for the admin the HTTP route asks for.
    let operator = Actor::new(UserId(0), Role::Admin);
    let store = Arc::new(store);
    let attestation_keys = Arc::new(wiring::attestation_keys(settings)?);
    let verify = AuditService::new(store.clone(), store, key, attestation_keys)
        .verify_audit(&operator)
        .await?;
    Ok(RestoreReport { restored, verify })
}
