//! The `DashboardRepository` port: the few aggregate queries the dashboards are built from.
//!
//! Contract every adapter keeps: each method is one aggregate query (or a handful), never a
//! loop over models or evaluations; groups with no rows are simply absent; times are UTC and
//! a day is a UTC calendar day.

use async_trait::async_trait;
use chrono::NaiveDate;
use driftguard_audit::Outcome;
use driftguard_core::{DomainResult, RiskTier, Timestamp};
use driftguard_governance::{MetricKind, Status, Violation};
use driftguard_registry::ModelStatus;
use serde::{Deserialize, Serialize};

/// Violations by type (the `governance_violations_total{type}` types).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViolationCounts {
    /// `drift.*` rules.
    pub drift: u64,
    /// `fairness.*` rules.
    pub fairness: u64,
    /// `performance.*` rules.
    pub performance: u64,
    /// `risk.*` rules.
    pub risk: u64,
}

impl ViolationCounts {
    /// The counts of one evaluation's violations (`no_evaluation` is not a type counted here:
    /// it only arises at deploy time).
    pub fn of(violations: &[Violation]) -> Self {
        let mut counts = Self::default();
        for violation in violations {
            match violation.kind {
                MetricKind::Drift => counts.drift += 1,
                MetricKind::Fairness => counts.fairness += 1,
                MetricKind::Performance => counts.performance += 1,
                MetricKind::Risk => counts.risk += 1,
                MetricKind::NoEvaluation => {}
            }
        }
        counts
    }

    /// Adds `other` to these counts.
    pub fn add(&mut self, other: Self) {
        self.drift += other.drift;
        self.fairness += other.fairness;
        self.performance += other.performance;
        self.risk += other.risk;
    }
}

/// The models sharing one status, risk tier and latest evaluation status.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelTally {
    /// Their lifecycle status.
    pub status: ModelStatus,
    /// Their risk tier.
    pub risk_tier: RiskTier,
    /// Their latest evaluation's status; `None` for models never evaluated.
    pub latest_status: Option<Status>,
    /// How many models.
    pub models: u64,
    /// The sum of their latest risk scores (0 when never evaluated).
    pub risk_score_sum: f64,
    /// The violations of their latest evaluations, summed.
    pub violations: ViolationCounts,
}

/// How many evaluations were run: in all, and since a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvaluationCounts {
    /// Every evaluation stored.
    pub total: u64,
    /// Those created at or after the `since` asked for.
    pub since: u64,
}

/// How many deployment-history entries have one outcome: in all, and since a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeploymentTally {
    /// The entries' outcome.
    pub outcome: Outcome,
    /// Every entry with it.
    pub total: u64,
    /// Those recorded at or after the `since` asked for.
    pub since: u64,
}

/// The evaluations of one UTC day.
#[derive(Debug, Clone, PartialEq)]
pub struct DailyRisk {
    /// The day.
    pub date: NaiveDate,
    /// How many evaluations ran that day.
    pub evaluations: u64,
    /// Their mean risk score.
    pub mean_risk_score: f64,
    /// Their highest risk score.
    pub max_risk_score: f64,
}

/// The aggregates behind `/dashboard/*`.
#[async_trait]
pub trait DashboardRepository: Send + Sync {
    /// Models grouped by status, risk tier and latest evaluation status.
    async fn model_tallies(&self) -> DomainResult<Vec<ModelTally>>;

    /// Evaluations in all and since `since`.
    async fn evaluation_counts(&self, since: Timestamp) -> DomainResult<EvaluationCounts>;

    /// Deployment-history entries by outcome, in all and since `since`.
    async fn deployment_tallies(&self, since: Timestamp) -> DomainResult<Vec<DeploymentTally>>;

    /// Evaluations per UTC day from `since` on, oldest first; days without any are absent.
    async fn daily_risk(&self, since: Timestamp) -> DomainResult<Vec<DailyRisk>>;
}
