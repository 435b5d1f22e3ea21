//! DriftGuard's use cases, bundled for the three front ends (HTTP API, dashboard UI, CLI):
//! each front end holds one [`Services`] and calls the same code.

pub mod readiness;
pub mod services;

pub use readiness::Readiness;
pub use services::Services;
