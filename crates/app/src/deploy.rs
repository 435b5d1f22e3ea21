//! Deployment use cases (SPEC §2): deploy a model version, judged by the policies active now
//! on its latest evaluation's metrics (allow, block and record, or override), and retire one.

use std::sync::Arc;

use driftguard_audit::{ArtifactDigest, DeploymentRecord, NewDeployment, Outcome};
use driftguard_auth::Action;
use driftguard_core::{DomainError, DomainResult, ModelId, now};
use driftguard_governance::{
    DeployDecision, DeployRequest, GovernanceResult, Judgement, PolicyRepository, decide, judge,
};
use driftguard_registry::{Model, ModelRepository};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::actor::Actor;
use crate::changes::Announcer;
use crate::overrides::{Approvals, OverrideService};
use crate::ports::changes::Change;
use crate::ports::deployments::{DeployCommand, DeploymentStore, RetireCommand};
use crate::ports::evaluations::{EvaluationRepository, StoredEvaluation};
use crate::ports::overrides::{NewOverrideRequest, OverrideRequest};
use crate::ports::usage::UsageMetrics;

/// Longest environment name, in characters as sent.
pub const MAX_ENVIRONMENT: usize = 100;

/// Longest deploy or retire note and override justification, in characters: the history
/// keeps them forever, so they are bounded.
pub const MAX_NOTE: usize = 2_000;

/// The body of `POST /models/{id}/deploy`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeployRequestBody {
    /// Where to; `production` when left out.
    #[serde(default = "production")]
    pub environment: String,
    /// Whether an approver overrides a failing result.
    #[serde(default, rename = "override")]
    pub override_requested: bool,
    /// Why the override is justified (at least 20 characters).
    #[serde(default)]
    pub justification: Option<String>,
    /// Free notes.
    #[serde(default)]
    pub notes: Option<String>,
    /// The model artefact's digest (`sha256:` and 64 hex digits): the subject of the
    /// decision's signed attestation. Left out, the model version's own is used; given, it
    /// must equal the model version's when that has one.
    #[serde(default)]
    pub artifact_digest: Option<String>,
}

fn production() -> String {
    "production".to_owned()
}

impl Default for DeployRequestBody {
    fn default() -> Self {
        Self {
            environment: production(),
            override_requested: false,
            justification: None,
            notes: None,
            artifact_digest: None,
        }
    }
}

/// How a deploy request ended, when it did not fail outright.
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)] // one per request, moved once: boxing buys nothing
pub enum DeployOutcome {
    /// Deployed (outcome `deployed` or `overridden`): 200 `{deployment, model}`.
    Deployed {
        /// The deploy's history row.
        deployment: DeploymentRecord,
        /// The model as it now is.
        model: Model,
    },
    /// Blocked by governance and recorded: 409 `governance_blocked` with the result.
    Blocked {
        /// Why, for the `detail` field.
        detail: String,
        /// The `governance_result` of the 409 body.
        governance_result: GovernanceResult,
        /// The `blocked` history row.
        deployment: DeploymentRecord,
    },
    /// An override of a model whose risk tier needs two approvers: nothing is deployed yet;
    /// a pending request waits for a second approver. 202 `{override_request, deployment}`.
    OverrideRequested {
        /// The pending request.
        request: OverrideRequest,
        /// Its `override_requested` history row.
        deployment: DeploymentRecord,
    },
}

/// What a deploy request would do now, decided but not recorded ([`DeploymentService::review`]).
#[derive(Debug, Clone, PartialEq)]
pub struct DeployReview {
    /// The model version.
    pub model: Model,
    /// The environment, as it would be recorded (trimmed).
    pub environment: String,
    /// The governance result the decision was taken on.
    pub result: GovernanceResult,
    /// The outcome the history would record: `deployed`, `blocked`, `overridden`, or
    /// `override_requested` (a tier that needs a second approver).
    pub outcome: Outcome,
}

/// What a checked request leads to.
enum Plan {
    Deploy,
    Block { reason: String },
    Override,
    RequestOverride,
}

impl Plan {
    fn outcome(&self) -> Outcome {
        match self {
            Plan::Deploy => Outcome::Deployed,
            Plan::Block { .. } => Outcome::Blocked,
            Plan::Override => Outcome::Overridden,
            Plan::RequestOverride => Outcome::OverrideRequested,
        }
    }
}

/// A request checked and decided, before anything is recorded.
struct Decided {
    model: Model,
    environment: String,
    artifact_digest: Option<ArtifactDigest>,
    result: GovernanceResult,
    plan: Plan,
}

/// Deploy and retire.
#[derive(Clone)]
pub struct DeploymentService {
    models: Arc<dyn ModelRepository>,
    policies: Arc<dyn PolicyRepository>,
    evaluations: Arc<dyn EvaluationRepository>,
    store: Arc<dyn DeploymentStore>,
    usage: Arc<dyn UsageMetrics>,
    changes: Announcer,
    overrides: OverrideService,
}

fn check_environment(environment: &str) -> DomainResult<String> {
    let trimmed = environment.trim();
    if trimmed.is_empty() || environment.chars().count() > MAX_ENVIRONMENT {
        return Err(DomainError::invalid_field(
            "environment",
            format!("must be 1 to {MAX_ENVIRONMENT} characters"),
        ));
    }
    Ok(trimmed.to_owned())
}

fn check_note(field: &str, text: Option<&str>) -> DomainResult<()> {
    if text.is_some_and(|t| t.chars().count() > MAX_NOTE) {
        return Err(DomainError::invalid_field(
            field,
            format!("must be at most {MAX_NOTE} characters"),
        ));
    }
    Ok(())
}

fn check_digest(digest: Option<&str>) -> DomainResult<Option<ArtifactDigest>> {
    digest
        .map(str::parse)
        .transpose()
        .map_err(|message: String| DomainError::invalid_field("artifact_digest", message))
}

/// The artefact digest a deploy records and attests: the request's, else the model
/// version's. A request naming another digest than the model version's is refused (422):
/// the artefact rolled out would not be the one registered, and an attestation of either
/// would vouch for bytes the other side never saw.
fn subject_digest(
    requested: Option<ArtifactDigest>,
    registered: Option<&ArtifactDigest>,
) -> DomainResult<Option<ArtifactDigest>> {
    match (requested, registered) {
        (Some(requested), Some(registered)) if requested != *registered => {
            Err(DomainError::invalid_field(
                "artifact_digest",
                format!("differs from the model version's artifact_digest ({registered})"),
            ))
        }
        (Some(requested), _) => Ok(Some(requested)),
        (None, registered) => Ok(registered.cloned()),
    }
}

/// Deployed, overridden, blocked and retired alike change the deployment counts.
const DEPLOYMENT: &[Change] = &[Change::Deployment];

fn json(value: &impl Serialize) -> DomainResult<Value> {
    serde_json::to_value(value)
        .map_err(|e| DomainError::internal_caused("a governance result did not encode", e))
}

impl DeploymentService {
    /// The use cases over these stores.
    pub fn new(
        models: Arc<dyn ModelRepository>,
        policies: Arc<dyn PolicyRepository>,
        evaluations: Arc<dyn EvaluationRepository>,
        store: Arc<dyn DeploymentStore>,
        usage: Arc<dyn UsageMetrics>,
        changes: Announcer,
        overrides: OverrideService,
    ) -> Self {
        Self {
            models,
            policies,
            evaluations,
            store,
            usage,
            changes,
            overrides,
        }
    }

    /// The governance result a deploy of `model` would be decided on now, and whether the
    /// model has an evaluation at all: its latest evaluation (`model.latest_evaluation`, the
    /// one the store checks a deploy against when it records it) judged by the policies
    /// active now for its tier. `read` is that evaluation when the caller has read it
    /// already; otherwise it is read here.
    async fn judge_now(
        &self,
        model: &Model,
        read: Option<&StoredEvaluation>,
    ) -> DomainResult<(Judgement, GovernanceResult, bool)> {
        let policies = self.policies.active_for_tier(model.risk_tier).await?;
        let fetched;
        let latest = match (&model.latest_evaluation, read) {
            (Some(l), Some(read)) if read.id == l.id => Some(read),
            (Some(l), _) => {
                fetched = self.evaluations.get(l.id).await?.ok_or_else(|| {
                    DomainError::internal(format!(
                        "model {} names evaluation {} as its latest, which is not stored",
                        model.id, l.id
                    ))
                })?;
                Some(&fetched)
            }
            (None, _) => None,
        };
        Ok(match latest {
            Some(evaluation) => {
                let metrics = evaluation.metrics();
                let judgement = judge(&metrics, &policies, model.risk_tier);
                // The breakdown goes into the history row, and so into the attestation.
                let result =
                    GovernanceResult::new(judgement.clone(), Some((evaluation.id, &metrics)))
                        .with_risk_breakdown(evaluation.risk());
                (judgement, result, true)
            }
            None => {
                let judgement = Judgement::no_evaluation(&policies, model.risk_tier);
                (
                    judgement.clone(),
                    GovernanceResult::new(judgement, None),
                    false,
                )
            }
        })
    }

    /// The governance result a deploy of `model` would be decided on now (its latest
    /// evaluation's stored metrics judged by the policies active now: no drift is computed);
    /// nothing is recorded. What the UI shows beside its deploy button, for every role that
    /// may read the model. `latest` is the model's latest evaluation when the caller has
    /// read it already (the model page shows it too), so that it is not read twice.
    pub async fn preview(
        &self,
        model: &Model,
        latest: Option<&StoredEvaluation>,
    ) -> DomainResult<GovernanceResult> {
        Ok(self.judge_now(model, latest).await?.1)
    }

    /// A deploy request checked and decided as [`DeploymentService::deploy`] would now, with
    /// nothing recorded: the same refusals (`Forbidden`, `Invalid`), else the model, the
    /// environment, the governance result and the outcome the history would record. The UI's
    /// override confirmation names what it shows from this.
    pub async fn review(
        &self,
        model_id: ModelId,
        request: &DeployRequestBody,
        user: &Actor,
    ) -> DomainResult<DeployReview> {
        let decided = self.decided(model_id, request, user).await?;
        Ok(DeployReview {
            outcome: decided.plan.outcome(),
            model: decided.model,
            environment: decided.environment,
            result: decided.result,
        })
    }

    /// Checks a deploy request, judges the model now and decides: the one path both
    /// [`DeploymentService::deploy`] and [`DeploymentService::review`] take.
    async fn decided(
        &self,
        model_id: ModelId,
        request: &DeployRequestBody,
        user: &Actor,
    ) -> DomainResult<Decided> {
        // A role that may not deploy at all is refused before its request is read.
        user.require(Action::Deploy)?;
        let environment = check_environment(&request.environment)?;
        check_note("notes", request.notes.as_deref())?;
        check_note("justification", request.justification.as_deref())?;
        let requested_digest = check_digest(request.artifact_digest.as_deref())?;
        let model = self
            .models
            .get(model_id)
            .await?
            .ok_or_else(|| model_id.not_found())?;
        let artifact_digest = subject_digest(requested_digest, model.artifact_digest.as_ref())?;
        let (judgement, result, evaluated) = self.judge_now(&model, None).await?;
        let decision = decide(
            evaluated.then_some(&judgement),
            &DeployRequest {
                rights: user.deploy_rights(),
                override_requested: request.override_requested,
                justification: request.justification.as_deref(),
            },
        );
        let plan = match decision {
            DeployDecision::Forbidden { reason } => return Err(DomainError::Forbidden(reason)),
            DeployDecision::Invalid(error) => return Err(DomainError::invalid_fields(vec![error])),
            DeployDecision::Block { reason } => Plan::Block { reason },
            DeployDecision::Allow => Plan::Deploy,
            DeployDecision::Override
                if self.overrides.settings().approvals.of(model.risk_tier) == Approvals::Two =>
            {
                Plan::RequestOverride
            }
            DeployDecision::Override => Plan::Override,
        };
        Ok(Decided {
            model,
            environment,
            artifact_digest,
            result,
            plan,
        })
    }

    /// `POST /models/{id}/deploy`. `Forbidden` (403) for a role too low, `Invalid` (422)
    /// for a bad override request; otherwise deployed, overridden, blocked (recorded), or —
    /// an override of a tier that needs two approvers — a pending override request.
    pub async fn deploy(
        &self,
        model_id: ModelId,
        request: DeployRequestBody,
        user: &Actor,
    ) -> DomainResult<DeployOutcome> {
        let Decided {
            model,
            environment,
            artifact_digest,
            result,
            plan,
        } = self.decided(model_id, &request, user).await?;
        let (outcome, override_reason) = match plan {
            Plan::Block { reason } => {
                let blocked = self.store.record_blocked(NewDeployment {
                    model_id,
                    deployed_at: now(),
                    deployed_by: user.id,
                    environment,
                    previous_status: model.status.as_str().to_owned(),
                    new_status: model.status.as_str().to_owned(),
                    outcome: Outcome::Blocked,
                    governance_result: json(&result)?,
                    override_used: false,
                    override_reason: None,
                    notes: request.notes,
                    policy_versions: json(&result.policy_versions)?,
                    artifact_digest,
                    override_request_id: None,
                    override_requested_by: None,
                });
                let deployment = self.changes.after(DEPLOYMENT, blocked).await?;
                self.usage.deployment(Outcome::Blocked);
                return Ok(DeployOutcome::Blocked {
                    detail: reason,
                    governance_result: result,
                    deployment,
                });
            }
            Plan::Deploy => (Outcome::Deployed, None),
            Plan::RequestOverride => {
                let (request, deployment) = self
                    .overrides
                    .request(NewOverrideRequest {
                        model_id,
                        environment,
                        governance_result: result,
                        justification: request
                            .justification
                            .map(|j| j.trim().to_owned())
                            .unwrap_or_default(),
                        notes: request.notes,
                        artifact_digest,
                        requested_by: user.id,
                        requested_at: now(),
                        expires_at: now() + self.overrides.settings().expiry(),
                    })
                    .await?;
                return Ok(DeployOutcome::OverrideRequested {
                    request,
                    deployment,
                });
            }
            Plan::Override => (
                Outcome::Overridden,
                request.justification.map(|j| j.trim().to_owned()),
            ),
        };
        let deploy = self.store.deploy(DeployCommand {
            model_id,
            deployed_at: now(),
            deployed_by: user.id,
            environment,
            outcome,
            governance_result: json(&result)?,
            override_reason,
            notes: request.notes,
            policy_versions: json(&result.policy_versions)?,
            judged_evaluation_id: result.evaluation_id,
            artifact_digest,
            override_request_id: None,
            override_requested_by: None,
        });
        let (model, rows) = self.changes.after(DEPLOYMENT, deploy).await?;
        self.usage.deployment(outcome);
        // The deploy's own row comes first; the `superseded` rows after it are in the history
        // (SPEC §3's answer is `{deployment, model}`).
        let deployment = rows
            .into_iter()
            .next()
            .ok_or_else(|| DomainError::internal("a deploy wrote no history row"))?;
        Ok(DeployOutcome::Deployed { deployment, model })
    }

    /// `POST /models/{id}/retire`: needs `approver`; `Conflict` when already retired.
    pub async fn retire(
        &self,
        model_id: ModelId,
        notes: Option<String>,
        user: &Actor,
    ) -> DomainResult<(Model, DeploymentRecord)> {
        user.require(Action::Retire)?;
        check_note("notes", notes.as_deref())?;
        let retire = self.store.retire(RetireCommand {
            model_id,
            retired_at: now(),
            retired_by: user.id,
            environment: production(),
            notes,
        });
        self.changes.after(DEPLOYMENT, retire).await
    }
}
