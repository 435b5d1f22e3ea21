//! DriftGuard's model registry: model versions, the rules for valid fields, the lifecycle
//! states and the `ModelRepository` port (the use cases, which check who may act and
//! announce what changed, are `driftguard_app::ModelService`).

pub mod model;
pub mod query;
pub mod repository;
pub mod schema;
pub mod validate;

pub use model::{LatestEvaluation, Model, ModelColumns, ModelPatch, ModelStatus, NewModel};
pub use query::{Compliance, ModelQuery, ModelSort};
pub use repository::ModelRepository;
