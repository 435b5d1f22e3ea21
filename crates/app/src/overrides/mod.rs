//! Four-eyes overrides (issue #19): for a risk tier that needs two approvers, an approver's
//! override of a failing result becomes a pending request, which a second, different approver
//! approves (the deploy happens, `overridden`) or rejects; every change of its state is in the
//! hash-chained history. See docs/governance.md.

pub mod settings;

use std::sync::Arc;

use driftguard_audit::{DeploymentRecord, Outcome};
use driftguard_auth::Action;
use driftguard_core::{DomainError, DomainResult, OverrideRequestId, Page, now};
use driftguard_registry::Model;

use crate::actor::Actor;
use crate::changes::Announcer;
use crate::deploy::MAX_NOTE;
use crate::ports::changes::Change;
use crate::ports::overrides::{
    DecideOverride, NewOverrideRequest, OverrideAction, OverrideDecided, OverrideFilter,
    OverrideRequest, OverrideRequestStore, OverrideStatus,
};
use crate::ports::usage::UsageMetrics;
pub use settings::{Approvals, OverrideSettings, TierApprovals};

/// Every step of a request is a history row, and an approval a deployment.
const HISTORY: &[Change] = &[Change::Deployment];

/// An approved request: the deploy it made.
#[derive(Debug, Clone, PartialEq)]
pub struct ApprovedOverride {
    /// The request, now `approved`.
    pub request: OverrideRequest,
    /// Its `overridden` history row.
    pub deployment: DeploymentRecord,
    /// The model as it now is.
    pub model: Model,
}

/// Request, read, approve and reject overrides.
#[derive(Clone)]
pub struct OverrideService {
    store: Arc<dyn OverrideRequestStore>,
    usage: Arc<dyn UsageMetrics>,
    changes: Announcer,
    settings: OverrideSettings,
}

/// `Invalid` unless `text` is at most [`MAX_NOTE`] characters (and, when `required`, not blank).
fn check_text(field: &str, text: Option<&str>, required: bool) -> DomainResult<Option<String>> {
    let text = text.map(str::trim).filter(|t| !t.is_empty());
    match text {
        None if required => Err(DomainError::invalid_field(field, "is required")),
        Some(t) if t.chars().count() > MAX_NOTE => Err(DomainError::invalid_field(
            field,
            format!("must be at most {MAX_NOTE} characters"),
        )),
        other => Ok(other.map(str::to_owned)),
    }
}

impl OverrideService {
    /// The use cases over `store`.
    pub fn new(
        store: Arc<dyn OverrideRequestStore>,
        usage: Arc<dyn UsageMetrics>,
        changes: Announcer,
        settings: OverrideSettings,
    ) -> Self {
        Self {
            store,
            usage,
            changes,
            settings,
        }
    }

    /// The settings: approvers per tier, the expiry.
    pub fn settings(&self) -> &OverrideSettings {
        &self.settings
    }

    /// Makes a pending request of an override the deploy decision allowed (an approver with
    /// a valid justification, on a failing result): the one place a request is created, so
    /// that whatever must follow one (a notification) is added here.
    pub async fn request(
        &self,
        request: NewOverrideRequest,
    ) -> DomainResult<(OverrideRequest, DeploymentRecord)> {
        let made = self.store.request_override(request);
        self.changes.after(HISTORY, made).await
    }

    /// `GET /override-requests`: newest first.
    pub async fn list(
        &self,
        filter: &OverrideFilter,
        page: Page,
    ) -> DomainResult<(Vec<OverrideRequest>, u64)> {
        self.store.override_requests(filter, now(), page).await
    }

    /// The pending requests of every model (`None`) or of one, newest first (one page).
    pub async fn pending(
        &self,
        model_id: Option<driftguard_core::ModelId>,
        page: Page,
    ) -> DomainResult<(Vec<OverrideRequest>, u64)> {
        let filter = OverrideFilter {
            status: Some(OverrideStatus::Pending),
            model_id,
        };
        self.list(&filter, page).await
    }

    /// `GET /override-requests/{id}`.
    pub async fn get(&self, id: OverrideRequestId) -> DomainResult<OverrideRequest> {
        self.store
            .override_request(id, now())
            .await?
            .ok_or_else(|| id.not_found())
    }

    /// Why `actor` may not approve `request`, if they may not: the role, then four eyes (the
    /// requester cannot approve their own). The UI shows the same reason on a disabled button.
    pub fn approval_refusal(request: &OverrideRequest, actor: &Actor) -> Option<String> {
        if !actor.may(Action::OverrideDeploy) {
            return Some("approving an override needs the approver role".to_owned());
        }
        (request.requested_by == actor.id).then(|| {
            "you asked for this override: a second, different approver must approve it".to_owned()
        })
    }

    /// `POST /override-requests/{id}/approve`: a second approver deploys the model as
    /// `overridden`. `Forbidden` for a role below approver or for the requester; `Conflict`
    /// when it is not pending, or (recorded) when it has expired or a newer evaluation or
    /// other policy versions void it.
    pub async fn approve(
        &self,
        id: OverrideRequestId,
        note: Option<String>,
        actor: &Actor,
    ) -> DomainResult<ApprovedOverride> {
        actor.require(Action::OverrideDeploy)?;
        let note = check_text("note", note.as_deref(), false)?;
        let request = self.get(id).await?;
        if let Some(reason) = Self::approval_refusal(&request, actor) {
            return Err(DomainError::Forbidden(reason));
        }
        match self
            .decide(id, actor, OverrideAction::Approve { note })
            .await?
        {
            OverrideDecided::Approved {
                request,
                model,
                rows,
            } => {
                self.usage.deployment(Outcome::Overridden);
                let deployment = rows
                    .into_iter()
                    .next()
                    .ok_or_else(|| DomainError::internal("an approval wrote no history row"))?;
                Ok(ApprovedOverride {
                    request,
                    deployment,
                    model,
                })
            }
            other => Err(Self::unexpected(other)),
        }
    }

    /// `POST /override-requests/{id}/reject`: any approver, the requester included (who
    /// withdraws it), with a reason. `Conflict` when it is not pending or (recorded) expired.
    pub async fn reject(
        &self,
        id: OverrideRequestId,
        reason: Option<String>,
        actor: &Actor,
    ) -> DomainResult<(OverrideRequest, DeploymentRecord)> {
        actor.require(Action::OverrideDeploy)?;
        let reason = check_text("reason", reason.as_deref(), true)?.unwrap_or_default();
        match self
            .decide(id, actor, OverrideAction::Reject { reason })
            .await?
        {
            OverrideDecided::Rejected { request, row } => Ok((request, row)),
            other => Err(Self::unexpected(other)),
        }
    }

    /// Applies a decision; a request found expired or stale is recorded so and answered as a
    /// `Conflict` with the reason.
    async fn decide(
        &self,
        id: OverrideRequestId,
        actor: &Actor,
        action: OverrideAction,
    ) -> DomainResult<OverrideDecided> {
        let decision = self.store.decide_override(DecideOverride {
            id,
            by: actor.id,
            at: now(),
            action,
        });
        match self.changes.after(HISTORY, decision).await? {
            OverrideDecided::Lapsed { reason, .. } => Err(DomainError::Conflict(reason)),
            decided => Ok(decided),
        }
    }

    /// A store answering an approval with a rejection, or the other way round.
    fn unexpected(decided: OverrideDecided) -> DomainError {
        DomainError::internal(format!(
            "the store answered a decision with another: {decided:?}"
        ))
    }
}
