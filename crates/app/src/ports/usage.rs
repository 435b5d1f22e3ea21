//! The `UsageMetrics` port: the counters the use cases bump (deployments by outcome,
//! governance violations by type, evaluations that found their reference kept in memory),
//! so that this crate needs no metrics library.

use driftguard_audit::Outcome;
use driftguard_governance::MetricKind;

/// Where the use cases count what happened (see the module docs).
pub trait UsageMetrics: Send + Sync {
    /// One deployment attempt ended with `outcome`.
    fn deployment(&self, outcome: Outcome);

    /// One governance violation of this type was found.
    fn violation(&self, kind: MetricKind);

    /// An evaluation found its reference among those this replica keeps in memory (`hit`:
    /// no column read from the store), or read it from the store (loaded into memory now,
    /// or not kept: over the budget). Not counted when no reference was read.
    fn kept_reference(&self, hit: bool);
}

/// Counts nothing (tests, the offline tools).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoUsageMetrics;

impl UsageMetrics for NoUsageMetrics {
    fn deployment(&self, _outcome: Outcome) {}

    fn violation(&self, _kind: MetricKind) {}

    fn kept_reference(&self, _hit: bool) {}
}
