//! The `DeploymentStore` port: the deployment commands that change several tables at once,
//! each applied by the store in one transaction that also appends to the hash-chained
//! history (serialised with every other append, so that the chain never forks).

use async_trait::async_trait;
use driftguard_audit::{ArtifactDigest, DeploymentRecord, NewDeployment, Outcome};
use driftguard_core::{DomainResult, EvaluationId, ModelId, OverrideRequestId, Timestamp, UserId};
use driftguard_registry::Model;
use serde_json::Value;

/// Deploy a model version (outcome `deployed`, or `overridden` by an approver).
#[derive(Debug, Clone, PartialEq)]
pub struct DeployCommand {
    /// The model version to deploy.
    pub model_id: ModelId,
    /// When.
    pub deployed_at: Timestamp,
    /// Who asked.
    pub deployed_by: UserId,
    /// Where to.
    pub environment: String,
    /// `Deployed` or `Overridden`; anything else is refused.
    pub outcome: Outcome,
    /// The governance result the decision was taken on.
    pub governance_result: Value,
    /// The justification of an override.
    pub override_reason: Option<String>,
    /// Free notes.
    pub notes: Option<String>,
    /// The `[{policy_id, version}]` that judged it; if the active policies of the model's
    /// tier are others when the transaction runs, the deploy is a `Conflict`.
    pub policy_versions: Value,
    /// The latest evaluation the decision was judged on (`None`: the model had none). If
    /// the model's latest evaluation is another one when the transaction runs, the deploy
    /// is a `Conflict` and nothing is written, so that no deploy goes ahead on a judgement
    /// a newer evaluation has replaced.
    pub judged_evaluation_id: Option<EvaluationId>,
    /// The digest of the artefact deployed, when the request named one.
    pub artifact_digest: Option<ArtifactDigest>,
    /// The four-eyes request an `Overridden` deploy approves, if it does.
    pub override_request_id: Option<OverrideRequestId>,
    /// Who asked for that override (the first approver; `deployed_by` is the second).
    pub override_requested_by: Option<UserId>,
}

/// Retire a model version.
#[derive(Debug, Clone, PartialEq)]
pub struct RetireCommand {
    /// The model version to retire.
    pub model_id: ModelId,
    /// When.
    pub retired_at: Timestamp,
    /// Who asked.
    pub retired_by: UserId,
    /// The environment it leaves.
    pub environment: String,
    /// Free notes.
    pub notes: Option<String>,
}

/// The deployment commands.
#[async_trait]
pub trait DeploymentStore: Send + Sync {
    /// In one transaction: appends the deploy's row (previous status as found), then a
    /// `superseded` row for every other deployed version of the same name, sets those to
    /// `superseded` and this one to `deployed`. Returns the model as it now is and the rows,
    /// the deploy's first. A missing model is `NotFound`; a retired one, or one whose latest
    /// evaluation is not `judged_evaluation_id` or whose judging policies changed, a `Conflict`.
    async fn deploy(&self, command: DeployCommand) -> DomainResult<(Model, Vec<DeploymentRecord>)>;

    /// Appends the row of a blocked attempt.
    async fn record_blocked(&self, entry: NewDeployment) -> DomainResult<DeploymentRecord>;

    /// In one transaction: sets the model to `retired` and appends its `retired` row. A
    /// missing model is `NotFound`, a retired one a `Conflict`.
    async fn retire(&self, command: RetireCommand) -> DomainResult<(Model, DeploymentRecord)>;
}
