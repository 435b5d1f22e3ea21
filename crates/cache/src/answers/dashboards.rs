//! The dashboards' cached answers, keyed once for every front end: the API's
//! `/dashboard/*` and the UI's overview read the same entries, so that both show the same
//! numbers and one invalidation refreshes both.

use driftguard_app::DashboardService;
use driftguard_app::dashboard::{
    ComplianceDistribution, DashboardSummary, RiskTrends, check_trend_days,
};
use driftguard_core::{DomainResult, now};

use super::{AnswerCache, CacheClass, Lookup};

impl AnswerCache {
    /// `GET /dashboard/summary`, from the cache or computed.
    pub async fn dashboard_summary(
        &self,
        dashboard: &DashboardService,
    ) -> DomainResult<(DashboardSummary, Lookup)> {
        self.get_or_compute(CacheClass::DashboardSummary, "", || dashboard.summary())
            .await
    }

    /// `GET /dashboard/compliance-distribution`, from the cache or computed.
    pub async fn compliance_distribution(
        &self,
        dashboard: &DashboardService,
    ) -> DomainResult<(ComplianceDistribution, Lookup)> {
        self.get_or_compute(CacheClass::ComplianceDistribution, "", || {
            dashboard.compliance_distribution()
        })
        .await
    }

    /// `GET /dashboard/risk-trends?days=N`, from the cache or computed; `days` is checked
    /// before the cache is asked.
    pub async fn risk_trends(
        &self,
        dashboard: &DashboardService,
        days: u32,
    ) -> DomainResult<(RiskTrends, Lookup)> {
        check_trend_days(days)?;
        // The window ends today (UTC): after midnight it is another answer.
        let key = format!("{days}:{}", now().date_naive());
        self.get_or_compute(CacheClass::RiskTrends, &key, || dashboard.risk_trends(days))
            .await
    }
}
