//! The folds from tallies to bodies, on hand-made tallies (the queries themselves are tested
//! on both databases by the storage contract suite).

use super::*;
use crate::ports::dashboard::{
    DailyRisk, DeploymentTally, EvaluationCounts, ModelTally, ViolationCounts,
};
use async_trait::async_trait;
use chrono::NaiveDate;
use driftguard_audit::Outcome;
use driftguard_core::{RiskTier, Timestamp};
use driftguard_governance::Status;
use driftguard_registry::ModelStatus;

struct Fixed {
    tallies: Vec<ModelTally>,
    daily: Vec<DailyRisk>,
}

#[async_trait]
impl DashboardRepository for Fixed {
    async fn model_tallies(&self) -> DomainResult<Vec<ModelTally>> {
        Ok(self.tallies.clone())
    }
    async fn evaluation_counts(&self, _: Timestamp) -> DomainResult<EvaluationCounts> {
        Ok(EvaluationCounts { total: 9, since: 2 })
    }
    async fn deployment_tallies(&self, _: Timestamp) -> DomainResult<Vec<DeploymentTally>> {
        let tally = |outcome, total, since| DeploymentTally {
            outcome,
            total,
            since,
        };
        Ok(vec![
            tally(Outcome::Deployed, 5, 3),
            tally(Outcome::Overridden, 2, 1),
            tally(Outcome::Blocked, 4, 4),
            tally(Outcome::Superseded, 3, 3),
            tally(Outcome::Retired, 1, 0),
        ])
    }
    async fn daily_risk(&self, _: Timestamp) -> DomainResult<Vec<DailyRisk>> {
        Ok(self.daily.clone())
    }
}

fn tally(
    status: ModelStatus,
    tier: RiskTier,
    latest: Option<Status>,
    models: u64,
    risk_sum: f64,
) -> ModelTally {
    ModelTally {
        status,
        risk_tier: tier,
        latest_status: latest,
        models,
        risk_score_sum: risk_sum,
        violations: ViolationCounts {
            drift: models,
            ..ViolationCounts::default()
        },
    }
}

fn service(daily: Vec<DailyRisk>) -> DashboardService {
    DashboardService::new(Arc::new(Fixed {
        tallies: vec![
            tally(
                ModelStatus::Deployed,
                RiskTier::High,
                Some(Status::Pass),
                2,
                30.0,
            ),
            tally(
                ModelStatus::Registered,
                RiskTier::High,
                Some(Status::Fail),
                1,
                90.0,
            ),
            tally(ModelStatus::Registered, RiskTier::Low, None, 3, 0.0),
        ],
        daily,
    }))
}

#[tokio::test]
async fn the_summary_folds_every_group_and_keeps_empty_keys() {
    let summary = service(Vec::new()).summary().await.expect("summary");
    assert_eq!(summary.models.total, 6);
    assert_eq!(summary.models.by_status["registered"], 4);
    assert_eq!(summary.models.by_status["retired"], 0);
    assert_eq!(summary.models.by_risk_tier["high"], 3);
    assert_eq!(summary.models.by_risk_tier["critical"], 0);
    assert_eq!(
        summary.compliance,
        Compliance {
            pass: 2,
            warn: 0,
            fail: 1,
            unevaluated: 3
        }
    );
    // Only the three evaluated models count: (30 + 90) / 3.
    assert_eq!(summary.average_risk_score, Some(40.0));
    assert_eq!(summary.violations.drift, 6);
    assert_eq!(
        summary.evaluations,
        EvaluationTotals {
            total: 9,
            last_24h: 2
        }
    );
    assert_eq!(
        summary.deployments,
        DeploymentTotals {
            total: 7,
            last_30d: 4,
            overrides: 2,
            blocked: 4
        }
    );
}

#[tokio::test]
async fn compliance_is_split_by_tier() {
    let distribution = service(Vec::new())
        .compliance_distribution()
        .await
        .expect("distribution");
    assert_eq!(distribution.overall.unevaluated, 3);
    assert_eq!(distribution.by_risk_tier["high"].pass, 2);
    assert_eq!(distribution.by_risk_tier["high"].fail, 1);
    assert_eq!(distribution.by_risk_tier["low"].unevaluated, 3);
    assert_eq!(distribution.by_risk_tier["medium"], Compliance::default());
}

#[tokio::test]
async fn risk_trends_fill_the_days_without_evaluations() {
    let today = now().date_naive();
    let yesterday = today.pred_opt().expect("a day before");
    let trends = service(vec![DailyRisk {
        date: yesterday,
        evaluations: 4,
        mean_risk_score: 12.5,
        max_risk_score: 40.0,
    }])
    .risk_trends(3)
    .await
    .expect("trends");
    let dates: Vec<NaiveDate> = trends.points.iter().map(|p| p.date).collect();
    assert_eq!(
        dates,
        [yesterday.pred_opt().expect("day"), yesterday, today]
    );
    assert_eq!(trends.points[1].evaluations, 4);
    assert_eq!(trends.points[1].max_risk_score, Some(40.0));
    assert_eq!(trends.points[2].evaluations, 0);
    assert_eq!(trends.points[2].mean_risk_score, None);
}

#[tokio::test]
async fn risk_trends_take_one_to_365_days() {
    let service = service(Vec::new());
    assert_eq!(service.risk_trends(1).await.expect("1").points.len(), 1);
    assert_eq!(
        service.risk_trends(365).await.expect("365").points.len(),
        365
    );
    for days in [0, 366] {
        assert!(matches!(
            service.risk_trends(days).await,
            Err(DomainError::Invalid { .. })
        ));
    }
}
