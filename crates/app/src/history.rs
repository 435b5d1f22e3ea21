//! Deployment history use cases: list rows (one model's, or all with filters), verify the
//! hash chain and its signed checkpoints, and serve the signed attestation of a deploy
//! decision with the public keys that verify it.

use std::sync::Arc;

use driftguard_audit::attestation::{Envelope, Keyring, ModelIdentity, PublicKey, attest};
use driftguard_audit::{
    ChainKey, DeploymentFilter, DeploymentLog, DeploymentRecord, VerifyReport, verify_log,
};
use driftguard_auth::Action;
use driftguard_core::{DeploymentId, DomainError, DomainResult, ModelId, Page};
use driftguard_registry::ModelRepository;

use crate::actor::Actor;

/// Rows read at a time when verifying the chain.
pub const VERIFY_CHUNK: u64 = 1_000;

/// The deployment history.
#[derive(Clone)]
pub struct AuditService {
    log: Arc<dyn DeploymentLog>,
    models: Arc<dyn ModelRepository>,
    key: ChainKey,
    attestation_keys: Arc<Keyring>,
}

impl AuditService {
    /// The use cases over this log, whose checkpoints `key` signs and whose decisions
    /// `attestation_keys` attests; `models` tells a model that exists from one that does not
    /// (or no longer does).
    pub fn new(
        log: Arc<dyn DeploymentLog>,
        models: Arc<dyn ModelRepository>,
        key: ChainKey,
        attestation_keys: Arc<Keyring>,
    ) -> Self {
        Self {
            log,
            models,
            key,
            attestation_keys,
        }
    }

    /// `GET /models/{id}/deployments`: a page of one model's rows, newest first; not found
    /// once the model is deleted, like every other path under it. Its rows stay in the
    /// append-only log and `GET /deployments?model_id=` still reads them.
    pub async fn list_for_model(
        &self,
        model_id: ModelId,
        page: Page,
    ) -> DomainResult<(Vec<DeploymentRecord>, u64)> {
        if self.models.get(model_id).await?.is_none() {
            return Err(model_id.not_found());
        }
        self.log.list_for_model(model_id, page).await
    }

    /// `GET /deployments`: a page of the rows matching `filter`, newest first.
    pub async fn list(
        &self,
        filter: &DeploymentFilter,
        page: Page,
    ) -> DomainResult<(Vec<DeploymentRecord>, u64)> {
        self.log.list(filter, page).await
    }

    /// `GET /audit/verify`: checks the whole chain and every checkpoint against the key;
    /// needs `admin`.
    pub async fn verify_audit(&self, user: &Actor) -> DomainResult<VerifyReport> {
        user.require(Action::VerifyAudit)?;
        verify_log(self.log.as_ref(), &self.key, VERIFY_CHUNK).await
    }

    /// `GET /deployments/{id}/attestation`: the decision of row `id` (deployed, overridden
    /// or blocked) as an in-toto statement in a DSSE envelope signed with the active key.
    /// Made from the stored row on each read: Ed25519 is deterministic, so the same row
    /// gives the same bytes. Not found for an unknown row, a row that is no deploy decision
    /// (superseded, retired), and a row whose model was deleted (its name and version, which
    /// the subject names, are gone).
    pub async fn attestation(&self, id: DeploymentId) -> DomainResult<Envelope> {
        let record = self.get(id).await?;
        let model_id = record.entry.model_id;
        let model = self.models.get(model_id).await?.ok_or_else(|| {
            DomainError::NotFound(format!(
                "deployment {id} has no attestation: its model {model_id} was deleted"
            ))
        })?;
        let identity = ModelIdentity {
            id: model.id,
            name: model.name,
            version: model.version,
        };
        attest(&record, identity, self.attestation_keys.signing()).ok_or_else(|| {
            DomainError::NotFound(format!(
                "deployment {id} has no attestation: it is a {} row, not a deploy decision",
                record.entry.outcome.as_str()
            ))
        })
    }

    /// `GET /.well-known/driftguard/attestation-keys`: every public key that verifies an
    /// attestation, the active one first; public, like any public key.
    pub fn attestation_keys(&self) -> Vec<PublicKey> {
        self.attestation_keys.public_keys()
    }

    /// Row `id` (`NotFound` when there is none): the first row after `id - 1`, read by the
    /// key the chain is read by. The UI shows the row an action left.
    pub async fn get(&self, id: DeploymentId) -> DomainResult<DeploymentRecord> {
        let after = DeploymentId(id.0.saturating_sub(1));
        let rows = self.log.chain_after(Some(after), 1).await?;
        rows.into_iter()
            .find(|row| row.id == id)
            .ok_or_else(|| id.not_found())
    }
}
