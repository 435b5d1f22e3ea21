//! The `UsageMetrics` port: the business counters the use cases bump (deployments by
//! outcome, governance violations by type), so that this crate needs no metrics library.

use driftguard_audit::Outcome;
use driftguard_governance::MetricKind;

/// Where business events are counted.
pub trait UsageMetrics: Send + Sync {
    /// One deployment attempt ended with `outcome`.
    fn deployment(&self, outcome: Outcome);

    /// One governance violation of this type was found.
    fn violation(&self, kind: MetricKind);
}

/// Counts nothing (tests, the offline tools).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoUsageMetrics;

impl UsageMetrics for NoUsageMetrics {
    fn deployment(&self, _outcome: Outcome) {}

    fn violation(&self, _kind: MetricKind) {}
}
