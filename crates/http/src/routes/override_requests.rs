//! Four-eyes override requests: list and read them (any signed-in user), approve or reject
//! one (approver; the requester cannot approve their own). See docs/governance.md.

use crate::body::Body;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{CurrentUser, PageParams};
use actix_web::{HttpResponse, get, post, web};
use driftguard_app::{OverrideFilter, OverrideRequest, OverrideStatus, Services};
use driftguard_auth::Action;
use driftguard_core::{ModelId, OverrideRequestId, Pagination};
use serde::{Deserialize, Serialize};

/// A page of override requests.
#[derive(Debug, Serialize)]
pub struct OverrideRequestList {
    /// Newest first.
    pub override_requests: Vec<OverrideRequest>,
    /// Where this page is.
    pub pagination: Pagination,
}

/// Filters of `GET /override-requests`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OverrideRequestFilters {
    /// `pending`, `approved`, `rejected`, `expired` or `voided` (a pending request past its
    /// expiry is `expired`).
    #[param(schema_with = status)]
    pub status: Option<String>,
    /// Only this model's requests.
    #[param(value_type = Option<i64>)]
    pub model_id: Option<ModelId>,
}

fn status() -> utoipa::openapi::Object {
    driftguard_core::schema::one_of(OverrideStatus::ALL.iter().map(|s| s.as_str()))
}

/// The body of `POST /override-requests/{id}/approve`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApproveBody {
    /// The second approver's note.
    #[serde(default)]
    pub note: Option<String>,
}

/// The body of `POST /override-requests/{id}/reject`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RejectBody {
    /// Why (required).
    #[serde(default)]
    pub reason: Option<String>,
}

/// Override requests, newest first, with filters.
#[utoipa::path(
    tag = "override-requests",
    params(PageParams, OverrideRequestFilters),
    responses((status = 200, description = "{override_requests, pagination}: each {id, model_id, environment, evaluation_id, policy_versions, governance_result, justification, notes, artifact_digest, requested_by, requested_at, expires_at, status, decided_by, decided_at, decision_note, deployment_id}"), (status = 422, body = ErrorBody)),
    security(("bearer" = []))
)]
#[get("/override-requests")]
pub async fn list(
    _signed_in: CurrentUser,
    services: web::Data<Services>,
    page: web::Query<PageParams>,
    filters: web::Query<OverrideRequestFilters>,
) -> Result<web::Json<OverrideRequestList>, ApiError> {
    let page = page.page()?;
    let filters = filters.into_inner();
    let filter = OverrideFilter {
        status: filters
            .status
            .as_deref()
            .map(|s| {
                s.parse()
                    .map_err(|e: String| ApiError::invalid("status", e))
            })
            .transpose()?,
        model_id: filters.model_id,
    };
    let (requests, total) = services.overrides.list(&filter, page).await?;
    Ok(web::Json(OverrideRequestList {
        override_requests: requests,
        pagination: page.pagination(total),
    }))
}

/// One override request.
#[utoipa::path(
    tag = "override-requests",
    params(("id" = i64, Path, description = "override request id")),
    responses((status = 200, description = "the request"), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
#[get("/override-requests/{id}")]
pub async fn get(
    _signed_in: CurrentUser,
    services: web::Data<Services>,
    id: web::Path<OverrideRequestId>,
) -> Result<web::Json<OverrideRequest>, ApiError> {
    Ok(web::Json(services.overrides.get(id.into_inner()).await?))
}

/// Approves a pending override request (an approver other than its requester): the model is
/// deployed as `overridden`, recording both approvers. 409 when it is no longer pending, or
/// when it has expired or a newer evaluation or a policy change voids it (both recorded).
#[utoipa::path(
    tag = "override-requests",
    params(("id" = i64, Path, description = "override request id")),
    request_body(content = ref("#/components/schemas/ApproveOverrideRequest"), description = "Optional: `{note}`"),
    responses(
        (status = 200, description = "{override_request, deployment, model}"),
        (status = 403, description = "role below approver, or the requester's own request", body = ErrorBody),
        (status = 409, description = "not pending, expired or voided", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/override-requests/{id}/approve")]
pub async fn approve(
    user: CurrentUser,
    services: web::Data<Services>,
    id: web::Path<OverrideRequestId>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    user.require(Action::OverrideDeploy)?;
    let note = body.json_or_default::<ApproveBody>().await?.note;
    let approved = services
        .overrides
        .approve(id.into_inner(), note, &user.actor())
        .await?;
    tracing::info!(
        model_id = approved.model.id.0,
        status = "overridden",
        override_used = true,
        deployed_by = user.0.id.0,
        requested_by = approved.request.requested_by.0,
        "model.deployment"
    );
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "override_request": approved.request,
        "deployment": approved.deployment,
        "model": approved.model,
    })))
}

/// Rejects a pending override request with a reason (any approver; its requester withdraws
/// it this way). 409 when it is no longer pending, or has expired (recorded).
#[utoipa::path(
    tag = "override-requests",
    params(("id" = i64, Path, description = "override request id")),
    request_body(content = ref("#/components/schemas/RejectOverrideRequest"), description = "`{reason}`"),
    responses(
        (status = 200, description = "{override_request, deployment}"),
        (status = 403, body = ErrorBody),
        (status = 409, description = "not pending, or expired", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/override-requests/{id}/reject")]
pub async fn reject(
    user: CurrentUser,
    services: web::Data<Services>,
    id: web::Path<OverrideRequestId>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    user.require(Action::OverrideDeploy)?;
    let reason = body.json::<RejectBody>().await?.reason;
    let (request, deployment) = services
        .overrides
        .reject(id.into_inner(), reason, &user.actor())
        .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "override_request": request,
        "deployment": deployment,
    })))
}
