//! Types every DriftGuard domain crate shares: ids, roles, pagination, time, the domain
//! error and the artefact digest. Kept small and free of I/O so that every other crate can
//! depend on it.

pub mod digest;
pub mod error;
pub mod id;
pub mod model_kind;
pub mod object;
pub mod page;
pub mod role;
pub mod schema;
pub mod time;

pub use digest::ArtifactDigest;
pub use error::{Cause, DatabaseFault, DomainError, DomainResult, FieldError};
pub use id::{DeploymentId, EvaluationId, ModelId, OverrideRequestId, PolicyId, UserId, WebhookId};
pub use model_kind::{RiskTier, Task};
pub use page::{Page, Pagination};
pub use role::Role;
pub use time::{Timestamp, now};
