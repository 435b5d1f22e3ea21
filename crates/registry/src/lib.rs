//! DriftGuard's model registry: model versions, the rules for valid fields, the lifecycle
//! states, the `ModelRepository` port, and the registry use cases.

pub mod model;
pub mod query;
pub mod repository;
pub mod schema;
pub mod service;
pub mod validate;

pub use model::{LatestEvaluation, Model, ModelColumns, ModelPatch, ModelStatus, NewModel};
pub use query::{ModelQuery, ModelSort};
pub use repository::ModelRepository;
pub use service::RegistryService;
