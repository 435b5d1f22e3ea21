//! The bundle of use cases a front end works with.

use crate::deploy::DeploymentService;
use crate::evaluate::EvaluationService;
use crate::history::AuditService;
use crate::policies::PolicyService;
use crate::readiness::Readiness;
use crate::reference::ReferenceService;
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
    /// Reference data: upload and profile.
    pub references: ReferenceService,
    /// Evaluations: run, list, read.
    pub evaluations: EvaluationService,
    /// Deploy and retire.
    pub deployments: DeploymentService,
    /// The deployment history and its verification.
    pub audit: AuditService,
    /// Policies and their versions.
    pub policies: PolicyService,
    /// Whether backing services answer.
    pub readiness: Arc<dyn Readiness>,
}
