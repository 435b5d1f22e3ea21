//! The `EvaluationRepository` port: stored evaluations, and the latest one of each model.
//!
//! Contract every adapter keeps: `record` stores the evaluation and sets the model's
//! `latest_evaluation` summary (status, risk score, violation counts) in one transaction (a missing model is `NotFound` and stores
//! nothing); lists are newest first; `latest_metrics` reads the metric map of every model's
//! latest evaluation without reading the evaluation bodies (a policy simulation over 10,000
//! models reads that many small maps, not that many drift reports).

use crate::ports::dashboard::ViolationCounts;
use async_trait::async_trait;
use driftguard_core::{DomainResult, EvaluationId, ModelId, Page, RiskTier, Timestamp, UserId};
use driftguard_governance::{MetricMap, PolicyRef, RiskScore, Status};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// An evaluation to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvaluation {
    /// The model evaluated.
    pub model_id: ModelId,
    /// The user who ran it.
    pub created_by: UserId,
    /// When it ran.
    pub created_at: Timestamp,
    /// The judgement's status.
    pub status: Status,
    /// The risk score.
    pub risk_score: f64,
    /// The policy versions that judged it.
    pub policy_versions: Vec<PolicyRef>,
    /// Its violations by type (kept on the model as its latest, for the dashboards).
    pub violations: ViolationCounts,
    /// The evaluation body (SPEC §3) without `id`, `model_id` and `created_at`.
    pub body: Map<String, Value>,
}

/// A stored evaluation: SPEC §3's evaluation body, serialised flat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredEvaluation {
    /// The evaluation's id.
    pub id: EvaluationId,
    /// The model evaluated.
    pub model_id: ModelId,
    /// When it ran.
    pub created_at: Timestamp,
    /// The user who ran it.
    pub created_by: UserId,
    /// `status`, `drift`, `fairness`, `performance`, `risk`, `metrics`, `violations`, ….
    #[serde(flatten)]
    pub body: Map<String, Value>,
}

impl StoredEvaluation {
    /// The flat metric map the evaluation produced (what a deploy is judged on).
    pub fn metrics(&self) -> MetricMap {
        self.body
            .get("metrics")
            .and_then(|m| serde_json::from_value(m.clone()).ok())
            .unwrap_or_default()
    }

    /// The risk score and its breakdown, when the body holds them.
    pub fn risk(&self) -> Option<RiskScore> {
        self.body
            .get("risk")
            .and_then(|r| serde_json::from_value(r.clone()).ok())
    }

    /// The evaluation's status, when the body holds one.
    pub fn status(&self) -> Option<Status> {
        self.body
            .get("status")
            .and_then(|s| serde_json::from_value(s.clone()).ok())
    }
}

/// A model and the metric map of its latest evaluation: what a policy simulation judges.
#[derive(Debug, Clone, PartialEq)]
pub struct LatestMetrics {
    /// The model.
    pub model_id: ModelId,
    /// Its name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// Its risk tier (which policies judge it).
    pub risk_tier: RiskTier,
    /// The latest evaluation.
    pub evaluation_id: EvaluationId,
    /// That evaluation's metrics.
    pub metrics: MetricMap,
}

/// Stored evaluations.
#[async_trait]
pub trait EvaluationRepository: Send + Sync {
    /// Stores an evaluation and makes it the model's latest, in one transaction.
    async fn record(&self, evaluation: NewEvaluation) -> DomainResult<StoredEvaluation>;

    /// The evaluation with this id, if any.
    async fn get(&self, id: EvaluationId) -> DomainResult<Option<StoredEvaluation>>;

    /// A page of one model's evaluations, newest first, and how many it has in all.
    async fn list_for_model(
        &self,
        model_id: ModelId,
        page: Page,
    ) -> DomainResult<(Vec<StoredEvaluation>, u64)>;

    /// The model's newest evaluation, if any.
    async fn latest_for_model(&self, model_id: ModelId) -> DomainResult<Option<StoredEvaluation>>;

    /// Every model that has an evaluation, in id order, with its latest evaluation's metric
    /// map; models without one are left out.
    async fn latest_metrics(&self) -> DomainResult<Vec<LatestMetrics>>;
}
