//! `POST /simulation/policy`: every model's latest evaluation judged twice, by the policies
//! active now and by the same set with a draft added (or replacing one of them), from the
//! stored metric maps; what would change, model by model and counted by transition.

use std::collections::BTreeMap;

use driftguard_auth::Action;
use driftguard_core::{DomainResult, EvaluationId, ModelId, PolicyId, RiskTier, now};
use driftguard_governance::{Policy, PolicyDraft, Status, judge};
use serde::{Deserialize, Serialize};

use super::SimulationService;
use crate::actor::Actor;
use crate::data::blocking;
use crate::ports::evaluations::LatestMetrics;

/// The id the draft is judged under when it replaces no policy (stored ids start at 1).
pub const DRAFT_POLICY_ID: PolicyId = PolicyId(0);

/// What `POST /simulation/policy` takes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicySimulationRequest {
    /// The draft, as `POST /policies` takes it (`active: false` judges nothing, so that
    /// replacing a policy by an inactive draft shows what switching it off would do).
    #[serde(deserialize_with = "driftguard_core::object::one")]
    pub policy: PolicyDraft,
    /// A stored policy the draft stands in for, as `PUT /policies/{id}` would make it.
    #[serde(default)]
    pub replaces_policy_id: Option<PolicyId>,
}

/// One model's status now and under the draft.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelChange {
    /// The model.
    pub model_id: ModelId,
    /// Its name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// Its risk tier.
    pub risk_tier: RiskTier,
    /// The latest evaluation, judged both times.
    pub evaluation_id: EvaluationId,
    /// Its status by the policies active now.
    pub current_status: Status,
    /// Its status with the draft.
    pub proposed_status: Status,
}

/// The answer of `POST /simulation/policy`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicySimulation {
    /// Always true: nothing was stored.
    pub simulated: bool,
    /// Models with an evaluation (those without one are left out).
    pub models_evaluated: usize,
    /// Models whose status the draft changes.
    pub changed: usize,
    /// The changes by `"<current>-><proposed>"` (`"pass->fail"`); only those that happen.
    pub by_transition: BTreeMap<String, usize>,
    /// Every model evaluated, in id order.
    pub models: Vec<ModelChange>,
}

impl SimulationService {
    /// `POST /simulation/policy`: needs `engineer`; `Invalid` for a draft saving would
    /// refuse, `NotFound` for an unknown `replaces_policy_id`. Stores nothing.
    pub async fn policy(
        &self,
        request: PolicySimulationRequest,
        user: &Actor,
    ) -> DomainResult<PolicySimulation> {
        user.require(Action::EditModels)?;
        request.policy.validate().map_err(|e| e.within("policy"))?;
        let draft = match request.replaces_policy_id {
            None => request
                .policy
                .into_policy(DRAFT_POLICY_ID, Some(user.id), now()),
            Some(id) => {
                let stored = self.policies.get(id).await?.ok_or_else(|| id.not_found())?;
                Policy {
                    version: stored.version + 1,
                    created_by: stored.created_by,
                    created_at: stored.created_at,
                    ..request.policy.into_policy(id, stored.created_by, now())
                }
            }
        };
        // Every active policy once (one may cover several tiers); `judge` picks per tier.
        let mut active = BTreeMap::new();
        for &tier in RiskTier::ALL {
            for policy in self.policies.active_for_tier(tier).await? {
                active.insert(policy.id, policy);
            }
        }
        let current: Vec<Policy> = active.into_values().collect();
        let mut proposed: Vec<Policy> = current
            .iter()
            .filter(|p| p.id != draft.id)
            .cloned()
            .collect();
        proposed.push(draft);
        let models = self.latest.latest_metrics().await?;
        blocking(move || Ok(compare(models, &current, &proposed))).await
    }
}

/// Judges each model by both policy sets and counts the changes.
fn compare(
    models: Vec<LatestMetrics>,
    current: &[Policy],
    proposed: &[Policy],
) -> PolicySimulation {
    let mut by_transition = BTreeMap::new();
    let models: Vec<ModelChange> = models
        .into_iter()
        .map(|m| {
            let current_status = judge(&m.metrics, current, m.risk_tier).status;
            let proposed_status = judge(&m.metrics, proposed, m.risk_tier).status;
            if current_status != proposed_status {
                let key = format!("{}->{}", current_status.as_str(), proposed_status.as_str());
                *by_transition.entry(key).or_insert(0) += 1;
            }
            ModelChange {
                model_id: m.model_id,
                name: m.name,
                version: m.version,
                risk_tier: m.risk_tier,
                evaluation_id: m.evaluation_id,
                current_status,
                proposed_status,
            }
        })
        .collect();
    PolicySimulation {
        simulated: true,
        models_evaluated: models.len(),
        changed: by_transition.values().sum(),
        by_transition,
        models,
    }
}
