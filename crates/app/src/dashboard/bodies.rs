//! The dashboard bodies of SPEC §3 and how they are folded from the repository's tallies.
//!
//! Every key of a breakdown is present, with 0 for an empty group, so that a chart or a client
//! never has to guess whether a missing key means zero.

use crate::ports::dashboard::{DailyRisk, DeploymentTally, ModelTally, ViolationCounts};
use chrono::{Days, NaiveDate};
use driftguard_audit::Outcome;
use driftguard_core::{RiskTier, Timestamp};
use driftguard_governance::Status;
use driftguard_registry::ModelStatus;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Models by their latest evaluation's status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Compliance {
    /// Latest evaluation passed.
    pub pass: u64,
    /// Latest evaluation warned.
    pub warn: u64,
    /// Latest evaluation failed.
    pub fail: u64,
    /// Never evaluated.
    pub unevaluated: u64,
}

impl Compliance {
    fn count(&mut self, latest: Option<Status>, models: u64) {
        match latest {
            Some(Status::Pass) => self.pass += models,
            Some(Status::Warn) => self.warn += models,
            Some(Status::Fail) => self.fail += models,
            None => self.unevaluated += models,
        }
    }
}

/// `models` of the summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelCounts {
    /// Every model version.
    pub total: u64,
    /// By lifecycle status (`registered`, `deployed`, `superseded`, `retired`).
    pub by_status: BTreeMap<String, u64>,
    /// By risk tier (`low`, `medium`, `high`, `critical`).
    pub by_risk_tier: BTreeMap<String, u64>,
}

/// `evaluations` of the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluationTotals {
    /// Every evaluation run.
    pub total: u64,
    /// Those of the last 24 hours.
    pub last_24h: u64,
}

/// `deployments` of the summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeploymentTotals {
    /// Deployments that happened (`deployed` and `overridden` outcomes).
    pub total: u64,
    /// Of those, the ones of the last 30 days.
    pub last_30d: u64,
    /// Deployments of a failing model by an approver's override.
    pub overrides: u64,
    /// Attempts refused because governance failed.
    pub blocked: u64,
}

impl DeploymentTotals {
    /// Folds the history's per-outcome counts (`since` being 30 days ago).
    pub fn from_tallies(tallies: &[DeploymentTally]) -> Self {
        let mut totals = Self::default();
        for tally in tallies {
            match tally.outcome {
                Outcome::Deployed => {}
                Outcome::Overridden => totals.overrides += tally.total,
                Outcome::Blocked => {
                    totals.blocked += tally.total;
                    continue;
                }
                // Status changes a deployment caused, and the steps of a four-eyes override
                // request, not deployments themselves (its approval is an `overridden` row).
                Outcome::Superseded
                | Outcome::Retired
                | Outcome::OverrideRequested
                | Outcome::OverrideRejected
                | Outcome::OverrideExpired
                | Outcome::OverrideVoided => continue,
            }
            totals.total += tally.total;
            totals.last_30d += tally.since;
        }
        totals
    }
}

/// `GET /dashboard/summary`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DashboardSummary {
    /// Model versions by status and tier.
    pub models: ModelCounts,
    /// Evaluations run.
    pub evaluations: EvaluationTotals,
    /// Models by their latest evaluation's status.
    pub compliance: Compliance,
    /// Deployments, overrides and blocked attempts.
    pub deployments: DeploymentTotals,
    /// Violations of each model's latest evaluation, by type.
    pub violations: ViolationCounts,
    /// The mean of each evaluated model's latest risk score; `null` when none is evaluated.
    pub average_risk_score: Option<f64>,
    /// When these figures were computed (they may be served from the cache for a while).
    pub generated_at: Timestamp,
}

/// The parts of the summary that come from the model tallies.
pub(crate) struct ModelFigures {
    pub(crate) models: ModelCounts,
    pub(crate) compliance: Compliance,
    pub(crate) violations: ViolationCounts,
    pub(crate) average_risk_score: Option<f64>,
}

impl ModelFigures {
    pub(crate) fn fold(tallies: &[ModelTally]) -> Self {
        let mut by_status = zeros(ModelStatus::ALL.iter().map(|s| s.as_str()));
        let mut by_risk_tier = zeros(RiskTier::ALL.iter().map(|t| t.as_str()));
        let (mut total, mut evaluated, mut risk_sum) = (0, 0, 0.0);
        let mut compliance = Compliance::default();
        let mut violations = ViolationCounts::default();
        for tally in tallies {
            total += tally.models;
            *by_status
                .entry(tally.status.as_str().to_owned())
                .or_default() += tally.models;
            *by_risk_tier
                .entry(tally.risk_tier.as_str().to_owned())
                .or_default() += tally.models;
            compliance.count(tally.latest_status, tally.models);
            violations.add(tally.violations);
            if tally.latest_status.is_some() {
                evaluated += tally.models;
                risk_sum += tally.risk_score_sum;
            }
        }
        Self {
            models: ModelCounts {
                total,
                by_status,
                by_risk_tier,
            },
            compliance,
            violations,
            // u64 → f64 is exact far beyond any realistic number of models.
            average_risk_score: (evaluated > 0).then(|| risk_sum / evaluated as f64),
        }
    }
}

fn zeros<'a>(keys: impl Iterator<Item = &'a str>) -> BTreeMap<String, u64> {
    keys.map(|k| (k.to_owned(), 0)).collect()
}

/// `GET /dashboard/compliance-distribution`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComplianceDistribution {
    /// Every model.
    pub overall: Compliance,
    /// The models of each risk tier.
    pub by_risk_tier: BTreeMap<String, Compliance>,
    /// When these figures were computed.
    pub generated_at: Timestamp,
}

impl ComplianceDistribution {
    /// Folds the model tallies.
    pub(crate) fn fold(tallies: &[ModelTally], generated_at: Timestamp) -> Self {
        let mut overall = Compliance::default();
        let mut by_risk_tier: BTreeMap<String, Compliance> = RiskTier::ALL
            .iter()
            .map(|t| (t.as_str().to_owned(), Compliance::default()))
            .collect();
        for tally in tallies {
            overall.count(tally.latest_status, tally.models);
            by_risk_tier
                .entry(tally.risk_tier.as_str().to_owned())
                .or_default()
                .count(tally.latest_status, tally.models);
        }
        Self {
            overall,
            by_risk_tier,
            generated_at,
        }
    }
}

/// One day of `GET /dashboard/risk-trends`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskPoint {
    /// The UTC day.
    pub date: NaiveDate,
    /// Evaluations run that day.
    pub evaluations: u64,
    /// Their mean risk score; `null` on a day without evaluations.
    pub mean_risk_score: Option<f64>,
    /// Their highest risk score; `null` on a day without evaluations.
    pub max_risk_score: Option<f64>,
}

/// `GET /dashboard/risk-trends?days=N`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskTrends {
    /// How many days, ending today (UTC), the points cover.
    pub days: u32,
    /// One point per day, oldest first, days without evaluations included.
    pub points: Vec<RiskPoint>,
    /// When these figures were computed.
    pub generated_at: Timestamp,
}

impl RiskTrends {
    /// One point for each of the `days` days from `first`, filled from `daily` where it has
    /// the day.
    pub(crate) fn fill(
        first: NaiveDate,
        days: u32,
        daily: &[DailyRisk],
        generated_at: Timestamp,
    ) -> Self {
        let by_date: BTreeMap<NaiveDate, &DailyRisk> = daily.iter().map(|d| (d.date, d)).collect();
        let points = (0..u64::from(days))
            .filter_map(|offset| first.checked_add_days(Days::new(offset)))
            .map(|date| match by_date.get(&date) {
                Some(day) => RiskPoint {
                    date,
                    evaluations: day.evaluations,
                    mean_risk_score: Some(day.mean_risk_score),
                    max_risk_score: Some(day.max_risk_score),
                },
                None => RiskPoint {
                    date,
                    evaluations: 0,
                    mean_risk_score: None,
                    max_risk_score: None,
                },
            })
            .collect();
        Self {
            days,
            points,
            generated_at,
        }
    }
}
