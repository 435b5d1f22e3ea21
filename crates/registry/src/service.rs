//! The registry use cases: register, read, list, change and delete model versions.

use crate::model::{Model, ModelPatch, NewModel};
use crate::query::ModelQuery;
use crate::repository::ModelRepository;
use crate::validate;
use driftguard_core::{DomainError, DomainResult, Page};
use std::sync::Arc;

/// Registry use cases over a model store.
#[derive(Clone)]
pub struct RegistryService {
    models: Arc<dyn ModelRepository>,
}

fn not_found(id: i64) -> DomainError {
    DomainError::NotFound(format!("model {id} not found"))
}

impl RegistryService {
    /// A service over this store.
    pub fn new(models: Arc<dyn ModelRepository>) -> Self {
        Self { models }
    }

    /// Registers a model version for `owner_id`.
    pub async fn register(&self, mut model: NewModel, owner_id: i64) -> DomainResult<Model> {
        validate::new_model(&mut model)?;
        self.models.create(model, owner_id).await
    }

    /// The model with this id, or `NotFound`.
    pub async fn get(&self, id: i64) -> DomainResult<Model> {
        self.models.get(id).await?.ok_or_else(|| not_found(id))
    }

    /// A page of models and the total matching.
    pub async fn list(&self, query: &ModelQuery, page: Page) -> DomainResult<(Vec<Model>, u64)> {
        self.models.list(query, page).await
    }

    /// Changes a model's writable fields. A patch that names none changes nothing, as in
    /// JSON Merge Patch, and answers the model as it is.
    pub async fn update(&self, id: i64, patch: ModelPatch) -> DomainResult<Model> {
        validate::patch(&patch)?;
        if patch.is_empty() {
            return self.get(id).await;
        }
        self.models.update(id, patch).await
    }

    /// Deletes a model version.
    pub async fn delete(&self, id: i64) -> DomainResult<()> {
        self.models.delete(id).await
    }
}
