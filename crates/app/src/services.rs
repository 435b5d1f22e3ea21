//! The bundle of use cases a front end works with.

use crate::dashboard::DashboardService;
use crate::deploy::DeploymentService;
use crate::evaluate::EvaluationService;
use crate::history::AuditService;
use crate::policies::PolicyService;
use crate::ports::dashboard::DashboardRepository;
use crate::ports::deployments::DeploymentStore;
use crate::ports::evaluations::EvaluationRepository;
use crate::ports::references::ReferenceRepository;
use crate::ports::usage::UsageMetrics;
use crate::readiness::Readiness;
use crate::reference::ReferenceService;
use crate::simulate::SimulationService;
use driftguard_audit::{ChainKey, DeploymentLog};
use driftguard_auth::AuthService;
use driftguard_governance::{PolicyRepository, RiskSettings};
use driftguard_registry::{ModelRepository, RegistryService};
use driftguard_stats::Limits;
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
    /// The dashboards.
    pub dashboard: DashboardService,
    /// Drift and policy simulations.
    pub simulation: SimulationService,
    /// Whether backing services answer.
    pub readiness: Arc<dyn Readiness>,
}

/// The governance use cases, built over one store that implements every port they need.
#[derive(Clone)]
pub struct Governance {
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
    /// The dashboards.
    pub dashboard: DashboardService,
    /// Drift and policy simulations.
    pub simulation: SimulationService,
}

impl Governance {
    /// Every governance use case over `store`, verifying the history's checkpoints with
    /// `chain_key` (the key the store signs them with), counting business events in `usage`,
    /// with these upload limits and risk settings.
    pub fn over<S>(
        store: Arc<S>,
        chain_key: ChainKey,
        usage: Arc<dyn UsageMetrics>,
        limits: Limits,
        settings: RiskSettings,
    ) -> Self
    where
        S: ModelRepository
            + ReferenceRepository
            + PolicyRepository
            + EvaluationRepository
            + DeploymentStore
            + DeploymentLog
            + DashboardRepository
            + 'static,
    {
        let references = ReferenceService::new(store.clone(), store.clone(), limits);
        let evaluations = EvaluationService::new(
            store.clone(),
            references.clone(),
            store.clone(),
            store.clone(),
            usage.clone(),
            settings,
        );
        Self {
            simulation: SimulationService::new(evaluations.clone(), store.clone(), store.clone()),
            evaluations,
            deployments: DeploymentService::new(
                store.clone(),
                store.clone(),
                store.clone(),
                store.clone(),
                usage,
            ),
            audit: AuditService::new(store.clone(), chain_key),
            dashboard: DashboardService::new(store.clone()),
            policies: PolicyService::new(store),
            references,
        }
    }
}
