//! The model registry's use cases: register, read, list, change and delete model versions.
//! Writes check the actor against the permission table and announce what they changed.

use std::sync::Arc;

use driftguard_auth::Action;
use driftguard_core::{DomainResult, ModelId, Page};
use driftguard_registry::{Model, ModelPatch, ModelQuery, ModelRepository, NewModel, validate};

use crate::actor::Actor;
use crate::changes::Announcer;
use crate::ports::changes::Change;

/// Model version use cases over a model store.
#[derive(Clone)]
pub struct ModelService {
    models: Arc<dyn ModelRepository>,
    changes: Announcer,
}

impl ModelService {
    /// The use cases over this store, announcing to `changes`.
    pub fn new(models: Arc<dyn ModelRepository>, changes: Announcer) -> Self {
        Self { models, changes }
    }

    /// `POST /models`: registers a model version owned by the actor. Needs `EditModels`.
    pub async fn register(&self, mut model: NewModel, user: &Actor) -> DomainResult<Model> {
        user.require(Action::EditModels)?;
        validate::new_model(&mut model)?;
        self.changes
            .after(&[Change::Model], self.models.create(model, user.id))
            .await
    }

    /// The model with this id, or `NotFound`.
    pub async fn get(&self, id: ModelId) -> DomainResult<Model> {
        self.models.get(id).await?.ok_or_else(|| id.not_found())
    }

    /// A page of models and the total matching.
    pub async fn list(&self, query: &ModelQuery, page: Page) -> DomainResult<(Vec<Model>, u64)> {
        self.models.list(query, page).await
    }

    /// A page of models matching the query, in its order: what the front ends cache
    /// (`AnswerCache::model_page`).
    pub async fn page(&self, query: &ModelQuery, page: Page) -> DomainResult<Vec<Model>> {
        self.models.page(query, page).await
    }

    /// How many models match the query's filters: the total of its pages, which the
    /// front ends cache (`AnswerCache::model_page`).
    pub async fn count(&self, query: &ModelQuery) -> DomainResult<u64> {
        self.models.count(query).await
    }

    /// `PATCH /models/{id}`: changes a model's writable fields. Needs `EditModels`. A patch
    /// that names none changes nothing, as in JSON Merge Patch, and answers the model as
    /// it is.
    pub async fn update(
        &self,
        id: ModelId,
        mut patch: ModelPatch,
        user: &Actor,
    ) -> DomainResult<Model> {
        user.require(Action::EditModels)?;
        validate::patch(&mut patch)?;
        if patch.is_empty() {
            return self.get(id).await;
        }
        self.changes
            .after(&[Change::Model], self.models.update(id, patch))
            .await
    }

    /// `DELETE /models/{id}`: deletes a model version and what belongs to it. Needs
    /// `DeleteModel`.
    pub async fn delete(&self, id: ModelId, user: &Actor) -> DomainResult<()> {
        user.require(Action::DeleteModel)?;
        self.changes
            .after(&[Change::ModelRemoved], self.models.delete(id))
            .await
    }
}
