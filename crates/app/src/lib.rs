//! DriftGuard's use cases, bundled for the three front ends (HTTP API, dashboard UI, CLI):
//! each front end holds one [`Services`] and calls the same code. A use case that changes
//! several tables hands one command to one port method (see [`ports`]), which the store
//! applies in one transaction.

pub mod actor;
pub mod changes;
pub mod dashboard;
pub mod data;
pub mod deploy;
pub mod evaluate;
pub mod history;
pub mod incoming;
pub mod models;
pub mod overrides;
pub mod packing;
pub mod parquet;
pub mod policies;
pub mod ports;
pub mod prepared;
pub mod readiness;
pub mod reference;
pub mod services;
pub mod simulate;
mod stored_csv;
pub mod webhooks;

pub use actor::Actor;
pub use dashboard::DashboardService;
pub use data::UploadData;
pub use deploy::{DeployOutcome, DeployRequestBody, DeployReview, DeploymentService};
/// The audit crate (history rows, outcomes, filters, the verify report), for front ends that
/// use these use cases without depending on it themselves.
pub use driftguard_audit as audit;
pub use evaluate::{EvaluateOptions, EvaluationService};
pub use history::AuditService;
pub use models::ModelService;
pub use overrides::{Approvals, ApprovedOverride, OverrideService, OverrideSettings};
pub use policies::PolicyService;
pub use ports::changes::{Change, ChangeFeed, NoChangeFeed};
pub use ports::dashboard::{
    DailyRisk, DashboardRepository, DeploymentTally, EvaluationCounts, ModelTally, ViolationCounts,
};
pub use ports::deployments::{DeployCommand, DeploymentStore, RetireCommand};
pub use ports::evaluations::{
    EvaluationRepository, LatestMetrics, NewEvaluation, StoredEvaluation,
};
pub use ports::overrides::{
    DecideOverride, NewOverrideRequest, OverrideAction, OverrideDecided, OverrideFilter,
    OverrideRequest, OverrideRequestStore, OverrideStatus,
};
pub use ports::references::{
    ColumnSummary, DataFormat, LoadedColumn, NewReference, Ordered, ReferenceProfile,
    ReferenceRepository, ReferenceUpload, StoredColumn,
};
pub use ports::usage::{NoUsageMetrics, UsageMetrics};
pub use readiness::Readiness;
pub use reference::ReferenceService;
pub use services::{Services, Setup};
pub use simulate::SimulationService;
pub use webhooks::WebhookService;
