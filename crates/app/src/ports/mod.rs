//! The ports the cross-domain use cases need besides those of the domain crates
//! (`ModelRepository`, `PolicyRepository`, `DeploymentLog`): stored evaluations, stored
//! reference data, the multi-table deployment commands and the business metrics.

pub mod deployments;
pub mod evaluations;
pub mod references;
pub mod usage;
