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
    // or tier, its last change) and with their latest evaluations (the compliance filter),
    // and a page holds its models' rows: every change that writes a model's row drops the
    // pages, so every change but a policy's.
    match change {
        // The counts by status and tier.
        Change::Model => MODEL_COUNTS,
        // The model's row (`has_reference`, its last change); no count or filter moves.
        Change::Reference => MODEL_PAGES,
        // A deleted model takes its evaluations, and their risk over time, with it.
        Change::ModelRemoved | Change::Evaluation => DASHBOARDS,
        // Deployments, overrides, blocked attempts and the status counts.
        Change::Deployment => SUMMARY,
        Change::Policy => POLICIES,
    }
}

/// The classes `changes` make stale, in the order they must be dropped: the model pages
/// last. A page missed is computed with the total of its filters from the totals' own
/// cache; were the pages dropped first, a reader between the two could stamp an old total
/// with the pages' new generation, and serve it after the invalidation (`invalidate` drops
/// the classes one after the other, in order).
fn to_drop(changes: &[Change]) -> Vec<CacheClass> {
    let mut classes: Vec<CacheClass> = Vec::new();
    for &change in changes {
        for &class in stale_after(change) {
            if !classes.contains(&class) {
                classes.push(class);
            }
        }
    }
    // Stable: the others keep their order.
    classes.sort_by_key(|&class| class == CacheClass::ModelPages);
    classes
}

#[async_trait]
impl ChangeFeed for AnswerCache {
    async fn changed(&self, changes: &[Change]) {
        self.invalidate(&to_drop(changes)).await;
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
    fn the_model_pages_are_dropped_after_the_totals() {
        for changes in [
            &[Change::Reference, Change::Model][..],
            &[Change::Evaluation],
            &[Change::Reference, Change::Deployment, Change::Policy],
        ] {
            let classes = to_drop(changes);
            assert_eq!(classes.last(), Some(&CacheClass::ModelPages), "{changes:?}");
            assert_eq!(
                classes
                    .iter()
                    .filter(|&&c| c == CacheClass::ModelPages)
                    .count(),
                1
            );
        }
        assert_eq!(
            to_drop(&[Change::Reference, Change::Policy]),
            [CacheClass::Policies, CacheClass::ModelPages]
        );
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
