//! The dashboards: summary, compliance distribution and risk trends, each computed from a few
//! aggregate queries of the [`DashboardRepository`]. Caching is the front end's business
//! (the HTTP layer caches these bodies with the TTLs of SPEC §3).

mod bodies;

pub use bodies::{
    Compliance, ComplianceDistribution, DashboardSummary, DeploymentTotals, EvaluationTotals,
    ModelCounts, RiskPoint, RiskTrends,
};

use crate::ports::dashboard::DashboardRepository;
use bodies::ModelFigures;
use chrono::{Days, TimeDelta};
use driftguard_core::{DomainError, DomainResult, now};
use std::sync::Arc;

/// The most days `GET /dashboard/risk-trends` covers.
pub const MAX_TREND_DAYS: u32 = 365;

/// Checks the `days` of `GET /dashboard/risk-trends`: 1–365 (a front end checks before it
/// looks in a cache).
pub fn check_trend_days(days: u32) -> DomainResult<()> {
    if (1..=MAX_TREND_DAYS).contains(&days) {
        Ok(())
    } else {
        Err(DomainError::invalid_field(
            "days",
            format!("must be between 1 and {MAX_TREND_DAYS}"),
        ))
    }
}

/// The dashboard use cases.
#[derive(Clone)]
pub struct DashboardService {
    repo: Arc<dyn DashboardRepository>,
}

impl DashboardService {
    /// Dashboards over `repo`.
    pub fn new(repo: Arc<dyn DashboardRepository>) -> Self {
        Self { repo }
    }

    /// `GET /dashboard/summary`: three aggregate queries, run concurrently.
    pub async fn summary(&self) -> DomainResult<DashboardSummary> {
        let at = now();
        let (tallies, evaluations, deployments) = tokio::try_join!(
            self.repo.model_tallies(),
            self.repo.evaluation_counts(at - TimeDelta::hours(24)),
            self.repo.deployment_tallies(at - TimeDelta::days(30)),
        )?;
        let figures = ModelFigures::fold(&tallies);
        Ok(DashboardSummary {
            models: figures.models,
            evaluations: EvaluationTotals {
                total: evaluations.total,
                last_24h: evaluations.since,
            },
            compliance: figures.compliance,
            deployments: DeploymentTotals::from_tallies(&deployments),
            violations: figures.violations,
            average_risk_score: figures.average_risk_score,
            generated_at: at,
        })
    }

    /// `GET /dashboard/compliance-distribution`.
    pub async fn compliance_distribution(&self) -> DomainResult<ComplianceDistribution> {
        let tallies = self.repo.model_tallies().await?;
        Ok(ComplianceDistribution::fold(&tallies, now()))
    }

    /// `GET /dashboard/risk-trends?days=N`: the `days` UTC days ending today; `days` must be
    /// 1–365.
    pub async fn risk_trends(&self, days: u32) -> DomainResult<RiskTrends> {
        check_trend_days(days)?;
        let at = now();
        let first = at
            .date_naive()
            .checked_sub_days(Days::new(u64::from(days - 1)))
            .ok_or_else(|| DomainError::internal("the trend window is out of range"))?;
        let since = first.and_time(chrono::NaiveTime::MIN).and_utc();
        let daily = self.repo.daily_risk(since).await?;
        Ok(RiskTrends::fill(first, days, &daily, at))
    }
}

#[cfg(test)]
mod tests;
