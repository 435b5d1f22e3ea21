//! `/models`: register, list, read, change and delete model versions.

use crate::answers::Answers;
use crate::body::Body;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{CurrentUser, PageParams};
use actix_web::{HttpResponse, delete, get, patch, post, web};
use driftguard_app::Services;
use driftguard_auth::Action;
use driftguard_cache::ModelPage;
use driftguard_core::schema::one_of;
use driftguard_core::{ModelId, Pagination, RiskTier};
use driftguard_registry::{
    Compliance, Model, ModelPatch, ModelQuery, ModelSort, ModelStatus, NewModel,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A page of models.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModelList {
    /// The models on this page.
    pub models: Vec<Model>,
    /// Where this page is.
    pub pagination: Pagination,
}

/// Filters and order of a model list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ModelFilters {
    /// Only models in this state.
    #[param(value_type = Option<ModelStatus>)]
    pub status: Option<String>,
    /// Only models of this tier.
    #[param(value_type = Option<RiskTier>)]
    pub risk_tier: Option<String>,
    /// Only models whose latest evaluation has this result; `unevaluated`: models never
    /// evaluated. The dashboard's `compliance` figures count the same way.
    #[param(schema_with = compliance)]
    pub compliance: Option<String>,
    /// Text the name contains, matched literally and without regard to case; at most 200
    /// characters.
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// The order: `-created_at` (default), `created_at`, `name`, `-name` or `-updated_at`.
    #[param(schema_with = model_sort)]
    pub sort: Option<String>,
}

fn compliance() -> utoipa::openapi::Object {
    one_of(Compliance::ALL.iter().map(|c| c.as_str()))
}

fn model_sort() -> utoipa::openapi::Object {
    one_of(ModelSort::ALL.iter().map(|s| s.as_str()))
}

/// Longest `q`, in characters as sent.
const MAX_Q: usize = 200;

fn parse<T: std::str::FromStr<Err = String>>(
    field: &str,
    value: Option<&str>,
) -> Result<Option<T>, ApiError> {
    value
        .map(|v| v.parse::<T>().map_err(|m| ApiError::invalid(field, m)))
        .transpose()
}

impl ModelFilters {
    fn query(&self) -> Result<ModelQuery, ApiError> {
        if self.q.as_deref().is_some_and(|q| q.chars().count() > MAX_Q) {
            return Err(ApiError::invalid(
                "q",
                format!("must be at most {MAX_Q} characters"),
            ));
        }
        let name_contains = self.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
        Ok(ModelQuery {
            status: parse("status", self.status.as_deref())?,
            risk_tier: parse("risk_tier", self.risk_tier.as_deref())?,
            compliance: parse("compliance", self.compliance.as_deref())?,
            name_contains: name_contains.map(str::to_owned),
            sort: parse("sort", self.sort.as_deref())?.unwrap_or_default(),
        })
    }
}

/// Registers a model version (engineer).
#[utoipa::path(
    tag = "models",
    request_body = NewModel,
    responses(
        (status = 201, body = Model),
        (status = 409, description = "name and version taken", body = ErrorBody),
        (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/models")]
pub async fn create(
    user: CurrentUser,
    services: web::Data<Services>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    user.require(Action::EditModels)?;
    let new: NewModel = body.json().await?;
    let model = services.models.register(new, &user.actor()).await?;
    tracing::info!(model_id = model.id.0, name = %model.name, version = %model.version, "model.registered");
    Ok(HttpResponse::Created().json(model))
}

/// Lists model versions.
#[utoipa::path(
    tag = "models",
    params(PageParams, ModelFilters),
    responses((status = 200, body = ModelList), (status = 422, body = ErrorBody)),
    security(("bearer" = []))
)]
#[get("/models")]
pub async fn list(
    _signed_in: CurrentUser,
    services: web::Data<Services>,
    answers: web::Data<Answers>,
    page: web::Query<PageParams>,
    filters: web::Query<ModelFilters>,
) -> Result<web::Json<ModelList>, ApiError> {
    let page = page.page()?;
    let query = filters.query()?;
    let ModelPage { models, total } = answers
        .cache()
        .model_page(&services.models, &query, page, &|class, lookup| {
            answers.count(class, lookup)
        })
        .await?;
    Ok(web::Json(ModelList {
        models,
        pagination: page.pagination(total),
    }))
}

/// One model version.
#[utoipa::path(
    tag = "models",
    params(("id" = i64, Path, description = "model id")),
    responses((status = 200, body = Model), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
#[get("/models/{id}")]
pub async fn get(
    _signed_in: CurrentUser,
    services: web::Data<Services>,
    id: web::Path<ModelId>,
) -> Result<web::Json<Model>, ApiError> {
    Ok(web::Json(services.models.get(id.into_inner()).await?))
}

/// Changes a model version's writable fields (engineer).
#[utoipa::path(
    tag = "models",
    params(("id" = i64, Path, description = "model id")),
    request_body = ModelPatch,
    responses(
        (status = 200, body = Model),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[patch("/models/{id}")]
pub async fn update(
    user: CurrentUser,
    services: web::Data<Services>,
    id: web::Path<ModelId>,
    body: Body,
) -> Result<web::Json<Model>, ApiError> {
    user.require(Action::EditModels)?;
    let patch: ModelPatch = body.json().await?;
    let model = services
        .models
        .update(id.into_inner(), patch, &user.actor())
        .await?;
    tracing::info!(model_id = model.id.0, by = user.0.id.0, "model.updated");
    Ok(web::Json(model))
}

/// Deletes a model version (admin).
#[utoipa::path(
    tag = "models",
    params(("id" = i64, Path, description = "model id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
#[delete("/models/{id}")]
pub async fn remove(
    user: CurrentUser,
    services: web::Data<Services>,
    id: web::Path<ModelId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    services.models.delete(id, &user.actor()).await?;
    tracing::info!(model_id = id.0, by = user.0.id.0, "model.deleted");
    Ok(HttpResponse::NoContent().finish())
}
