//! The `OverrideRequestStore` port: four-eyes override requests (a failing model's override
//! that waits for a second approver), kept in their own table and, at every change of state,
//! appended to the hash-chained deployment history in the same transaction.

use async_trait::async_trait;
use driftguard_audit::{ArtifactDigest, DeploymentRecord};
use driftguard_core::{
    DeploymentId, DomainResult, EvaluationId, ModelId, OverrideRequestId, Page, Timestamp, UserId,
};
use driftguard_governance::{GovernanceResult, PolicyRef};
use driftguard_registry::Model;
use serde::{Deserialize, Serialize};

/// Where an override request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OverrideStatus {
    /// Waiting for a second approver.
    Pending,
    /// A second approver approved it: the model was deployed (`overridden`).
    Approved,
    /// Rejected by an approver, or withdrawn by its requester.
    Rejected,
    /// Not decided before its expiry. A pending request past its expiry reads as expired;
    /// the first attempt to decide it records the expiry in the history.
    Expired,
    /// Found stale on approval: the model was evaluated again, or the policies that judged
    /// it changed (or the model was retired).
    Voided,
}

impl OverrideStatus {
    /// Every status.
    pub const ALL: [OverrideStatus; 5] = [
        OverrideStatus::Pending,
        OverrideStatus::Approved,
        OverrideStatus::Rejected,
        OverrideStatus::Expired,
        OverrideStatus::Voided,
    ];

    /// The name as stored and serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            OverrideStatus::Pending => "pending",
            OverrideStatus::Approved => "approved",
            OverrideStatus::Rejected => "rejected",
            OverrideStatus::Expired => "expired",
            OverrideStatus::Voided => "voided",
        }
    }
}

impl std::str::FromStr for OverrideStatus {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|o| o.as_str() == s)
            .ok_or_else(|| "must be one of pending, approved, rejected, expired, voided".to_owned())
    }
}

/// A four-eyes override request: bound to the evaluation and the policy versions whose
/// failing result it overrides, so that an approval can only deploy on that judgement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OverrideRequest {
    /// Its id.
    pub id: OverrideRequestId,
    /// The model version to deploy.
    pub model_id: ModelId,
    /// Where to.
    pub environment: String,
    /// The evaluation judged (`None`: the model had none).
    pub evaluation_id: Option<EvaluationId>,
    /// The policy versions that judged it.
    pub policy_versions: Vec<PolicyRef>,
    /// The failing result overridden (status, risk score, violations, …).
    pub governance_result: GovernanceResult,
    /// The requester's justification.
    pub justification: String,
    /// The deploy request's notes.
    pub notes: Option<String>,
    /// The artefact's digest the deploy request named.
    pub artifact_digest: Option<ArtifactDigest>,
    /// The first approver.
    pub requested_by: UserId,
    /// When it was asked for.
    pub requested_at: Timestamp,
    /// When it lapses if nobody decides it.
    pub expires_at: Timestamp,
    /// Where it stands (a pending request past `expires_at` reads as `expired`).
    pub status: OverrideStatus,
    /// Who approved or rejected it (or whose attempt found it expired or void).
    pub decided_by: Option<UserId>,
    /// When.
    pub decided_at: Option<Timestamp>,
    /// The approval's note, the rejection's reason, or why it expired or was voided.
    pub decision_note: Option<String>,
    /// The `overridden` history row its approval wrote.
    pub deployment_id: Option<DeploymentId>,
}

/// What [`OverrideRequestStore::request_override`] stores.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOverrideRequest {
    /// The model version to deploy.
    pub model_id: ModelId,
    /// Where to.
    pub environment: String,
    /// The failing result to override; its evaluation id and policy versions bind the request.
    pub governance_result: GovernanceResult,
    /// Why (validated by the deploy decision).
    pub justification: String,
    /// The deploy request's notes.
    pub notes: Option<String>,
    /// The artefact's digest.
    pub artifact_digest: Option<ArtifactDigest>,
    /// The first approver.
    pub requested_by: UserId,
    /// When.
    pub requested_at: Timestamp,
    /// When it lapses.
    pub expires_at: Timestamp,
}

/// What a second approver (or the requester, withdrawing) does with a pending request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OverrideAction {
    /// Deploy the model as `overridden`, with an optional note.
    Approve {
        /// The approver's note.
        note: Option<String>,
    },
    /// Refuse it, with a reason.
    Reject {
        /// Why.
        reason: String,
    },
}

/// A decision on a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecideOverride {
    /// The request.
    pub id: OverrideRequestId,
    /// Who decides (the use case has checked they may).
    pub by: UserId,
    /// When.
    pub at: Timestamp,
    /// Approve or reject.
    pub action: OverrideAction,
}

/// How a decision ended; each one committed, with its history rows.
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)] // one per request, moved once
pub enum OverrideDecided {
    /// Approved: the model is deployed; the rows are the `overridden` one first, then any
    /// `superseded` ones.
    Approved {
        /// The request as it now is.
        request: OverrideRequest,
        /// The model as it now is.
        model: Model,
        /// The history rows written.
        rows: Vec<DeploymentRecord>,
    },
    /// Rejected: its `override_rejected` row.
    Rejected {
        /// The request as it now is.
        request: OverrideRequest,
        /// The history row written.
        row: DeploymentRecord,
    },
    /// Found expired or stale instead: recorded as `expired` or `voided` (with its
    /// `override_expired` or `override_voided` row); the decision did not happen.
    Lapsed {
        /// The request as it now is.
        request: OverrideRequest,
        /// The history row written.
        row: DeploymentRecord,
        /// Why, for a person.
        reason: String,
    },
}

/// Filters of the list of requests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OverrideFilter {
    /// Only requests in this state (as read at `now`: a pending one past expiry is expired).
    pub status: Option<OverrideStatus>,
    /// Only this model's.
    pub model_id: Option<ModelId>,
}

/// The override requests.
#[async_trait]
pub trait OverrideRequestStore: Send + Sync {
    /// In one transaction with the history's append lock: refuses a missing or retired model
    /// (`NotFound`, `Conflict`), a judgement that a newer evaluation or a policy change has
    /// replaced meanwhile (`Conflict`), and a second pending, unexpired request of the same
    /// model and environment on the same evaluation (`Conflict`); otherwise stores the
    /// request (`pending`) and appends its `override_requested` row.
    async fn request_override(
        &self,
        request: NewOverrideRequest,
    ) -> DomainResult<(OverrideRequest, DeploymentRecord)>;

    /// In one transaction with the history's append lock: `NotFound` for no such request,
    /// `Conflict` unless it is pending; a request past its expiry becomes `expired`; on
    /// approval, one whose model was evaluated again, retired, or judged by other policy
    /// versions now becomes `voided` (both `Lapsed`). Otherwise an approval deploys the
    /// model as `overridden` (as `DeploymentStore::deploy` does, superseding other
    /// versions) and a rejection appends its row. Two decisions of one request are
    /// serialised: exactly one finds it pending.
    async fn decide_override(&self, decision: DecideOverride) -> DomainResult<OverrideDecided>;

    /// One request, read at `now`.
    async fn override_request(
        &self,
        id: OverrideRequestId,
        now: Timestamp,
    ) -> DomainResult<Option<OverrideRequest>>;

    /// A page of requests, newest first, read at `now`, and how many match.
    async fn override_requests(
        &self,
        filter: &OverrideFilter,
        now: Timestamp,
        page: Page,
    ) -> DomainResult<(Vec<OverrideRequest>, u64)>;
}
