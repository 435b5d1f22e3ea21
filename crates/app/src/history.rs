//! Deployment history use cases: list rows (one model's, or all with filters) and verify
//! the hash chain and its signed checkpoints.

use std::sync::Arc;

use driftguard_audit::{
    ChainKey, DeploymentFilter, DeploymentLog, DeploymentRecord, VerifyReport, verify_log,
};
use driftguard_auth::Action;
use driftguard_core::{DomainResult, ModelId, Page};
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
}

impl AuditService {
    /// The use cases over this log, whose checkpoints `key` signs; `models` tells a model
    /// that exists from one that does not (or no longer does).
    pub fn new(
        log: Arc<dyn DeploymentLog>,
        models: Arc<dyn ModelRepository>,
        key: ChainKey,
    ) -> Self {
        Self { log, models, key }
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
}
