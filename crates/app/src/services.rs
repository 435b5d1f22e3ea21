//! The bundle of use cases a front end works with.

use crate::readiness::Readiness;
use driftguard_auth::AuthService;
use driftguard_registry::RegistryService;
use std::sync::Arc;

/// Every use case, over the adapters the binary chose. Cheap to clone.
#[derive(Clone)]
pub struct Services {
    /// Accounts, sign-in and roles.
    pub auth: AuthService,
    /// Model versions.
    pub registry: RegistryService,
    /// Whether backing services answer.
    pub readiness: Arc<dyn Readiness>,
}
