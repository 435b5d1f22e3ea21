//! The bundle of use cases a front end works with.

use crate::changes::Announcer;
use crate::dashboard::DashboardService;
use crate::deploy::DeploymentService;
use crate::evaluate::EvaluationService;
use crate::history::AuditService;
use crate::models::ModelService;
use crate::overrides::{OverrideService, OverrideSettings};
use crate::policies::PolicyService;
use crate::ports::changes::ChangeFeed;
use crate::ports::dashboard::DashboardRepository;
use crate::ports::deployments::DeploymentStore;
use crate::ports::evaluations::EvaluationRepository;
use crate::ports::overrides::OverrideRequestStore;
use crate::ports::references::ReferenceRepository;
use crate::ports::usage::UsageMetrics;
use crate::ports::webhooks::{HostResolver, WebhookStore};
use crate::prepared::kept::KeptReferences;
use crate::readiness::Readiness;
use crate::reference::ReferenceService;
use crate::simulate::SimulationService;
use crate::webhooks::WebhookService;
use crate::webhooks::address::AddressPolicy;
use driftguard_audit::attestation::Keyring;
use driftguard_audit::{ChainKey, DeploymentLog};
use driftguard_auth::{AuthService, RememberedUsers, TokenService, UserRepository};
use driftguard_governance::{PolicyRepository, RiskSettings};
use driftguard_registry::ModelRepository;
use driftguard_stats::Limits;
use std::sync::Arc;

/// Every use case, over the adapters the binary chose. Cheap to clone.
#[derive(Clone)]
pub struct Services {
    /// Accounts, sign-in and roles.
    pub auth: AuthService,
    /// Model versions.
    pub models: ModelService,
    /// Reference data: upload and profile.
    pub references: ReferenceService,
    /// Evaluations: run, list, read.
    pub evaluations: EvaluationService,
    /// Deploy and retire.
    pub deployments: DeploymentService,
    /// Four-eyes override requests: list, read, approve, reject.
    pub overrides: OverrideService,
    /// The deployment history and its verification.
    pub audit: AuditService,
    /// Policies and their versions.
    pub policies: PolicyService,
    /// The dashboards.
    pub dashboard: DashboardService,
    /// What-if: drift scenarios and draft policies.
    pub simulation: SimulationService,
    /// Webhook endpoints and their delivery logs.
    pub webhooks: WebhookService,
    /// Whether backing services answer.
    pub readiness: Arc<dyn Readiness>,
}

/// What the use cases need besides the store: the token service, the key the history's
/// checkpoints are verified with (the key the store signs them with), where the use cases'
/// events are counted and committed changes announced, the upload limits and the risk
/// settings.
pub struct Setup {
    /// Issues and verifies sign-in tokens.
    pub tokens: TokenService,
    /// The audit trail's checkpoint key.
    pub chain_key: ChainKey,
    /// The key that signs deploy decisions' attestations, and the retired ones' public keys.
    pub attestation_keys: Arc<Keyring>,
    /// The use cases' counters (deployments, violations, kept references found).
    pub usage: Arc<dyn UsageMetrics>,
    /// Where writes announce what they changed (the answer cache).
    pub changes: Arc<dyn ChangeFeed>,
    /// Where authentication remembers the users tokens name between requests; `None` to read
    /// each request's user from the store. Only where every replica sees a role change or an
    /// ended session forget them (see `driftguard_auth::RememberedUsers`).
    pub remembered_users: Option<Arc<dyn RememberedUsers>>,
    /// Upload limits.
    pub limits: Limits,
    /// The most memory prepared references kept between evaluations may take (0: none kept).
    pub kept_reference_bytes: u64,
    /// The risk score's numbers.
    pub risk: RiskSettings,
    /// Approvers an override needs per risk tier, and the expiry of a four-eyes request.
    pub overrides: OverrideSettings,
    /// Password hashes (sign-ins, new accounts) running at once (0: one per core).
    pub password_hashes: usize,
    /// The addresses webhook endpoints may have (checked at registration).
    pub webhook_addresses: AddressPolicy,
    /// Resolves webhook hosts for that check.
    pub resolver: Arc<dyn HostResolver>,
}

impl Services {
    /// Every use case over `store`, one adapter that implements every port they need.
    pub fn new<S>(store: Arc<S>, setup: Setup) -> Self
    where
        S: UserRepository
            + ModelRepository
            + ReferenceRepository
            + PolicyRepository
            + EvaluationRepository
            + DeploymentStore
            + OverrideRequestStore
            + DeploymentLog
            + DashboardRepository
            + WebhookStore
            + Readiness
            + 'static,
    {
        let changes = Announcer::new(setup.changes);
        let references = ReferenceService::new(
            store.clone(),
            store.clone(),
            changes.clone(),
            setup.limits,
            KeptReferences::new(setup.kept_reference_bytes),
            setup.usage.clone(),
        );
        let evaluations = EvaluationService::new(
            store.clone(),
            references.clone(),
            store.clone(),
            store.clone(),
            setup.usage.clone(),
            changes.clone(),
            setup.risk,
        );
        let overrides = OverrideService::new(
            store.clone(),
            setup.usage.clone(),
            changes.clone(),
            setup.overrides,
        );
        Self {
            auth: AuthService::new(store.clone(), setup.tokens, setup.password_hashes)
                .remembering(setup.remembered_users),
            models: ModelService::new(store.clone(), changes.clone()),
            simulation: SimulationService::new(evaluations.clone(), store.clone(), store.clone()),
            evaluations,
            deployments: DeploymentService::new(
                store.clone(),
                store.clone(),
                store.clone(),
                store.clone(),
                setup.usage,
                changes.clone(),
                overrides.clone(),
            ),
            overrides,
            audit: AuditService::new(
                store.clone(),
                store.clone(),
                setup.chain_key,
                setup.attestation_keys,
            ),
            dashboard: DashboardService::new(store.clone()),
            webhooks: WebhookService::new(store.clone(), setup.webhook_addresses, setup.resolver),
            policies: PolicyService::new(store.clone(), changes),
            references,
            readiness: store,
        }
    }
}
