//! `/models/{id}/evaluations`, `/evaluations/{id}`: run and read evaluations.

use crate::body::Body;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{CurrentUser, PageParams};
use crate::slots::Slots;
use crate::upload::{self, EvaluationQuery};
use actix_web::{HttpResponse, get, post, web};
use driftguard_app::{DataFormat, Services, StoredEvaluation};
use driftguard_auth::Action;
use driftguard_core::{EvaluationId, ModelId, Pagination};
use serde::Serialize;

/// A page of evaluations.
#[derive(Debug, Serialize)]
pub struct EvaluationList {
    /// Newest first.
    pub evaluations: Vec<StoredEvaluation>,
    /// Where this page is.
    pub pagination: Pagination,
}

/// Evaluates current data against the model's reference data and the active policies.
/// `text/csv` or `application/vnd.apache.parquet` with options in the query, or `application/json`
/// `{"data": ..., "drift_method", "drift_threshold", "column_methods", "columns"}`.
#[utoipa::path(
    tag = "evaluations",
    params(("id" = i64, Path, description = "model id"), EvaluationQuery),
    request_body(
        description = "CSV with a header row or a Parquet file (options in the query), or the JSON envelope",
        content(
            (String = "text/csv"),
            (String = "application/vnd.apache.parquet"),
            (ref("#/components/schemas/EvaluationEnvelope") = "application/json"),
        )
    ),
    responses(
        (status = 201, description = "the evaluation: status, drift, fairness, performance, risk, metrics, violations"),
        (status = 404, body = ErrorBody),
        (status = 409, description = "the model has no reference data", body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/models/{id}/evaluations")]
pub async fn create(
    user: CurrentUser,
    services: web::Data<Services>,
    id: web::Path<ModelId>,
    query: web::Query<EvaluationQuery>,
    slots: web::Data<Slots>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    user.require(Action::EditModels)?;
    let _slot = slots.upload()?;
    let upload = body.upload()?;
    let (id, actor) = (id.into_inner(), user.actor());
    let evaluations = &services.evaluations;
    let evaluation = match upload.format {
        DataFormat::Json => {
            let (data, options) = upload::evaluation_envelope(&upload.bytes().await?)?;
            evaluations
                .evaluate(id, data, DataFormat::Json, options, &actor)
                .await?
        }
        format => {
            let options = upload::evaluation_options(&query)?;
            upload
                .streamed(|data| evaluations.evaluate(id, data, format, options, &actor))
                .await?
        }
    };
    tracing::info!(
        model_id = evaluation.model_id.0,
        evaluation_id = evaluation.id.0,
        result_status = ?evaluation.status().map(|s| s.as_str()),
        "governance.evaluation"
    );
    Ok(HttpResponse::Created().json(evaluation))
}

/// A model's evaluations, newest first.
#[utoipa::path(
    tag = "evaluations",
    params(("id" = i64, Path, description = "model id"), PageParams),
    responses((status = 200, description = "{evaluations, pagination}"), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
#[get("/models/{id}/evaluations")]
pub async fn list(
    _signed_in: CurrentUser,
    services: web::Data<Services>,
    id: web::Path<ModelId>,
    page: web::Query<PageParams>,
) -> Result<web::Json<EvaluationList>, ApiError> {
    let page = page.page()?;
    let (evaluations, total) = services
        .evaluations
        .list_evaluations(id.into_inner(), page)
        .await?;
    Ok(web::Json(EvaluationList {
        evaluations,
        pagination: page.pagination(total),
    }))
}

/// One evaluation.
#[utoipa::path(
    tag = "evaluations",
    params(("id" = i64, Path, description = "evaluation id")),
    responses((status = 200, description = "the evaluation"), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
#[get("/evaluations/{id}")]
pub async fn get(
    _signed_in: CurrentUser,
    services: web::Data<Services>,
    id: web::Path<EvaluationId>,
) -> Result<web::Json<StoredEvaluation>, ApiError> {
    Ok(web::Json(
        services.evaluations.get_evaluation(id.into_inner()).await?,
    ))
}
