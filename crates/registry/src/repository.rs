//! The `ModelRepository` port: how the registry reaches stored model versions.

use crate::model::{Model, ModelPatch, NewModel};
use crate::query::ModelQuery;
use async_trait::async_trait;
use driftguard_core::{DomainResult, ModelId, Page, UserId};

/// Stored model versions.
#[async_trait]
pub trait ModelRepository: Send + Sync {
    /// Inserts a validated model owned by `owner_id`; a taken name+version is a `Conflict`.
    async fn create(&self, model: NewModel, owner_id: UserId) -> DomainResult<Model>;
    /// The model with this id, if any.
    async fn get(&self, id: ModelId) -> DomainResult<Option<Model>>;
    /// A page of models matching the query, in its order.
    async fn page(&self, query: &ModelQuery, page: Page) -> DomainResult<Vec<Model>>;
    /// How many models match the query's filters (its order aside).
    async fn count(&self, query: &ModelQuery) -> DomainResult<u64>;
    /// A page of models matching the query, and how many match in all.
    async fn list(&self, query: &ModelQuery, page: Page) -> DomainResult<(Vec<Model>, u64)> {
        Ok((self.page(query, page).await?, self.count(query).await?))
    }
    /// Applies a validated patch; `NotFound` when there is no such model.
    async fn update(&self, id: ModelId, patch: ModelPatch) -> DomainResult<Model>;
    /// Removes a model version and what hangs off it; `NotFound` when there is none.
    async fn delete(&self, id: ModelId) -> DomainResult<()>;
}
