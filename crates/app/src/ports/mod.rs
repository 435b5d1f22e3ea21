//! The ports the cross-domain use cases need besides those of the domain crates
//! (`ModelRepository`, `PolicyRepository`, `DeploymentLog`): stored evaluations, stored
//! reference data, the multi-table deployment commands, the four-eyes override requests, the
//! dashboard aggregates, the business metrics, the feed of committed changes, and the
//! webhooks (endpoints, outbox, transport).

pub mod changes;
pub mod dashboard;
pub mod deployments;
pub mod evaluations;
pub mod overrides;
pub mod references;
pub mod usage;
pub mod webhooks;
