//! The answer cache as the use cases' [`ChangeFeed`]: each change a write announces drops
//! the cached answers it makes stale (on every replica, when the cache is Redis). One table
//! says which.

use async_trait::async_trait;
use driftguard_app::{Change, ChangeFeed};

use super::{AnswerCache, CacheClass};

const DASHBOARDS: &[CacheClass] = &[
    CacheClass::DashboardSummary,
    CacheClass::ComplianceDistribution,
    CacheClass::RiskTrends,
    CacheClass::ModelTotals,
    CacheClass::ModelPages,
];
const MODEL_COUNTS: &[CacheClass] = &[
    CacheClass::DashboardSummary,
    CacheClass::ComplianceDistribution,
    CacheClass::ModelTotals,
    CacheClass::ModelPages,
];
const SUMMARY: &[CacheClass] = &[
    CacheClass::DashboardSummary,
    CacheClass::ModelTotals,
    CacheClass::ModelPages,
];
const MODEL_PAGES: &[CacheClass] = &[CacheClass::ModelPages];
const POLICIES: &[CacheClass] = &[CacheClass::Policies];

/// The answers a change makes stale.
fn stale_after(change: Change) -> &'static [CacheClass] {
    // A model list's totals and pages move with the models (a new or deleted one, its status
    // or tier, its last change) and with their latest evaluations (the compliance filter), so
    // every change but a policy's drops them. A page's rows are read by key each time, so
    // only a change of which models it holds, or of their order, needs to drop it.
    match change {
        // The counts by status and tier.
        Change::Model => MODEL_COUNTS,
        // The model's last change (the by-last-change order); no count or filter moves.
        Change::Reference => MODEL_PAGES,
        // A deleted model takes its evaluations, and their risk over time, with it.
        Change::ModelRemoved | Change::Evaluation => DASHBOARDS,
        // Deployments, overrides, blocked attempts and the status counts.
        Change::Deployment => SUMMARY,
        Change::Policy => POLICIES,
    }
}

#[async_trait]
impl ChangeFeed for AnswerCache {
    async fn changed(&self, changes: &[Change]) {
        let mut classes: Vec<CacheClass> = Vec::new();
        for &change in changes {
            for &class in stale_after(change) {
                if !classes.contains(&class) {
                    classes.push(class);
                }
            }
        }
        self.invalidate(&classes).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_change_makes_its_answers_stale() {
        assert_eq!(stale_after(Change::Evaluation), DASHBOARDS);
        assert_eq!(stale_after(Change::ModelRemoved), DASHBOARDS);
        assert_eq!(stale_after(Change::Model), MODEL_COUNTS);
        assert_eq!(stale_after(Change::Deployment), SUMMARY);
        assert_eq!(stale_after(Change::Reference), MODEL_PAGES);
        assert_eq!(stale_after(Change::Policy), POLICIES);
    }

    #[test]
    fn every_change_but_a_policy_drops_the_model_totals_and_pages() {
        for change in [
            Change::Model,
            Change::ModelRemoved,
            Change::Evaluation,
            Change::Deployment,
        ] {
            for class in [CacheClass::ModelTotals, CacheClass::ModelPages] {
                assert!(stale_after(change).contains(&class), "{change:?} {class:?}");
            }
        }
        assert!(stale_after(Change::Reference).contains(&CacheClass::ModelPages));
        for class in [CacheClass::ModelTotals, CacheClass::ModelPages] {
            assert!(!stale_after(Change::Policy).contains(&class), "{class:?}");
        }
    }
}
