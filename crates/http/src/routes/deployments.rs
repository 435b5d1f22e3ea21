//! Deploy and retire model versions; read the deployment history; verify the audit chain.

use crate::body::Body;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{CurrentUser, PageParams};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use driftguard_app::{DeployOutcome, DeployRequestBody, Services};
use driftguard_audit::{DeploymentFilter, DeploymentRecord, Outcome, VerifyReport};
use driftguard_auth::Action;
use driftguard_core::{ModelId, Pagination};
use serde::{Deserialize, Serialize};

/// A page of history rows.
#[derive(Debug, Serialize)]
pub struct DeploymentList {
    /// Newest first.
    pub deployments: Vec<DeploymentRecord>,
    /// Where this page is.
    pub pagination: Pagination,
}

/// Filters of `GET /deployments`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeploymentFilters {
    /// Only this model's rows; they stay readable here after the model is deleted.
    #[param(value_type = Option<i64>)]
    pub model_id: Option<ModelId>,
    /// `deployed`, `blocked`, `overridden`, `superseded`, `retired`, or a four-eyes request's
    /// step: `override_requested`, `override_rejected`, `override_expired`, `override_voided`.
    #[param(schema_with = outcome)]
    pub outcome: Option<String>,
    /// Environment name.
    pub environment: Option<String>,
    /// Only overrides (true) or only the rest (false).
    pub override_used: Option<bool>,
    /// Only rows at or after this RFC 3339 time.
    pub since: Option<chrono::DateTime<chrono::Utc>>,
}

fn outcome() -> utoipa::openapi::Object {
    driftguard_core::schema::one_of(Outcome::ALL.iter().map(|o| o.as_str()))
}

/// The body of `POST /models/{id}/retire`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetireBody {
    /// Why it was retired.
    #[serde(default)]
    pub notes: Option<String>,
}

fn page_of(
    records: Vec<DeploymentRecord>,
    total: u64,
    page: driftguard_core::Page,
) -> DeploymentList {
    DeploymentList {
        deployments: records,
        pagination: page.pagination(total),
    }
}

/// Deploys a model version: judged now against the active policies; 409 with the governance
/// result when blocked (and the attempt recorded); overrides need an approver and a
/// justification of at least 20 characters. An override of a model whose risk tier needs two
/// approvers deploys nothing: it answers 202 with a pending override request, which a second
/// approver approves at `POST /override-requests/{id}/approve`.
#[utoipa::path(
    tag = "deployments",
    params(("id" = i64, Path, description = "model id")),
    request_body(content = ref("#/components/schemas/DeployRequest"), description = "Optional: no body deploys to production without override"),
    responses(
        (status = 200, description = "{deployment, model}"),
        (status = 202, description = "{override_request, deployment}: a pending four-eyes override request and its override_requested history row"),
        (status = 403, body = ErrorBody),
        (status = 409, description = "governance_blocked, with governance_result; or an override request already pending", body = ErrorBody),
        (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/models/{id}/deploy")]
pub async fn deploy(
    user: CurrentUser,
    services: web::Data<Services>,
    id: web::Path<ModelId>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    user.require(Action::Deploy)?;
    let request: DeployRequestBody = body.json_or_default().await?;
    let outcome = services
        .deployments
        .deploy(id.into_inner(), request, &user.actor())
        .await?;
    match outcome {
        DeployOutcome::Deployed {
            deployment, model, ..
        } => {
            tracing::info!(
                model_id = model.id.0,
                status = deployment.entry.outcome.as_str(),
                override_used = deployment.entry.override_used,
                deployed_by = user.0.id.0,
                "model.deployment"
            );
            Ok(HttpResponse::Ok()
                .json(serde_json::json!({"deployment": deployment, "model": model})))
        }
        DeployOutcome::Blocked {
            detail,
            governance_result,
            deployment,
        } => {
            tracing::info!(
                model_id = deployment.entry.model_id.0,
                status = "blocked",
                override_used = false,
                deployed_by = user.0.id.0,
                "model.deployment"
            );
            let extra = serde_json::json!({ "governance_result": governance_result });
            Err(ApiError::new(StatusCode::CONFLICT, "governance_blocked", detail).with_extra(extra))
        }
        DeployOutcome::OverrideRequested {
            request,
            deployment,
        } => {
            tracing::info!(
                model_id = request.model_id.0,
                status = "override_requested",
                override_request_id = request.id.0,
                deployed_by = user.0.id.0,
                "model.deployment"
            );
            Ok(HttpResponse::Accepted()
                .json(serde_json::json!({"override_request": request, "deployment": deployment})))
        }
    }
}

/// Retires a model version (approver).
#[utoipa::path(
    tag = "deployments",
    params(("id" = i64, Path, description = "model id")),
    request_body(content = ref("#/components/schemas/RetireRequest"), description = "Optional: `{notes}`"),
    responses(
        (status = 200, description = "{deployment, model}"),
        (status = 403, body = ErrorBody),
        (status = 409, description = "already retired", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/models/{id}/retire")]
pub async fn retire(
    user: CurrentUser,
    services: web::Data<Services>,
    id: web::Path<ModelId>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    user.require(Action::Retire)?;
    let notes = body.json_or_default::<RetireBody>().await?.notes;
    let (model, deployment) = services
        .deployments
        .retire(id.into_inner(), notes, &user.actor())
        .await?;
    tracing::info!(
        model_id = model.id.0,
        status = "retired",
        deployed_by = user.0.id.0,
        "model.deployment"
    );
    Ok(HttpResponse::Ok().json(serde_json::json!({"deployment": deployment, "model": model})))
}

/// One model's deployment history, newest first.
#[utoipa::path(
    tag = "deployments",
    params(("id" = i64, Path, description = "model id"), PageParams),
    responses((status = 200, description = "{deployments, pagination}"), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
#[get("/models/{id}/deployments")]
pub async fn for_model(
    _signed_in: CurrentUser,
    services: web::Data<Services>,
    id: web::Path<ModelId>,
    page: web::Query<PageParams>,
) -> Result<web::Json<DeploymentList>, ApiError> {
    let page = page.page()?;
    let (rows, total) = services.audit.list_for_model(id.into_inner(), page).await?;
    Ok(web::Json(page_of(rows, total, page)))
}

/// The whole deployment history, newest first, with filters.
#[utoipa::path(
    tag = "deployments",
    params(PageParams, DeploymentFilters),
    responses((status = 200, description = "{deployments, pagination}"), (status = 422, body = ErrorBody)),
    security(("bearer" = []))
)]
#[get("/deployments")]
pub async fn list(
    _signed_in: CurrentUser,
    services: web::Data<Services>,
    page: web::Query<PageParams>,
    filters: web::Query<DeploymentFilters>,
) -> Result<web::Json<DeploymentList>, ApiError> {
    let page = page.page()?;
    let filters = filters.into_inner();
    let filter = DeploymentFilter {
        model_id: filters.model_id,
        outcomes: filters
            .outcome
            .as_deref()
            .map(|o| {
                o.parse::<Outcome>()
                    .map_err(|e| ApiError::invalid("outcome", e.to_string()))
            })
            .transpose()?
            .into_iter()
            .collect(),
        environment: filters.environment,
        override_used: filters.override_used,
        since: filters.since,
    };
    let (rows, total) = services.audit.list(&filter, page).await?;
    Ok(web::Json(page_of(rows, total, page)))
}

/// Verifies the hash chain of the deployment history and its signed checkpoints (admin):
/// `{ok, rows_checked, first_invalid_id, head_hash, reason, checkpoints_checked,
/// signed_head}` (see docs/security-audit-trail.md).
#[utoipa::path(
    tag = "deployments",
    responses((status = 200, description = "{ok, rows_checked, first_invalid_id, head_hash, reason, checkpoints_checked, signed_head}"), (status = 403, body = ErrorBody)),
    security(("bearer" = []))
)]
#[get("/audit/verify")]
pub async fn verify(
    user: CurrentUser,
    services: web::Data<Services>,
) -> Result<web::Json<VerifyReport>, ApiError> {
    user.require(Action::VerifyAudit)?;
    Ok(web::Json(services.audit.verify_audit(&user.actor()).await?))
}
