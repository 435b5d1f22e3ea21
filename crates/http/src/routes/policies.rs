//! `/policies`: the rules models are judged by, versioned (admins edit, everyone reads).
//! Reads are cached for 30 minutes by default; every policy write invalidates them.

use crate::answers::Answers;
use crate::body::Body;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{CurrentUser, PageParams};
use actix_web::{HttpResponse, delete, get, post, put, web};
use driftguard_app::Services;
use driftguard_auth::Action;
use driftguard_cache::CacheClass;
use driftguard_core::{Pagination, PolicyId};
use driftguard_governance::{Policy, PolicyDraft};
use serde::{Deserialize, Serialize};

/// A page of policies.
#[derive(Debug, Serialize, Deserialize)]
pub struct PolicyList {
    /// The policies on this page.
    pub policies: Vec<Policy>,
    /// Where this page is.
    pub pagination: Pagination,
}

/// Lists policies (their current versions).
#[utoipa::path(
    tag = "policies",
    params(PageParams),
    responses((status = 200, description = "{policies, pagination}")),
    security(("bearer" = []))
)]
#[get("/policies")]
pub async fn list(
    _signed_in: CurrentUser,
    services: web::Data<Services>,
    answers: web::Data<Answers>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = page.page()?;
    let key = format!("list:{}:{}", page.skip(), page.limit());
    answers
        .respond(CacheClass::Policies, &key, || async move {
            let (policies, total) = services.policies.list(page).await?;
            Ok(PolicyList {
                policies,
                pagination: page.pagination(total),
            })
        })
        .await
}

/// Creates a policy (admin); an unknown metric name is a 422.
#[utoipa::path(
    tag = "policies",
    request_body(content = ref("#/components/schemas/PolicyDraft")),
    responses((status = 201, description = "the policy, version 1"), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []))
)]
#[post("/policies")]
pub async fn create(
    user: CurrentUser,
    services: web::Data<Services>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    user.require(Action::ManagePolicies)?;
    let draft: PolicyDraft = body.json().await?;
    let policy = services.policies.create(draft, &user.actor()).await?;
    tracing::info!(
        policy_id = policy.id.0,
        version = policy.version,
        by = user.0.id.0,
        "policy.created"
    );
    Ok(HttpResponse::Created().json(policy))
}

/// One policy, at its current version.
#[utoipa::path(
    tag = "policies",
    params(("id" = i64, Path, description = "policy id")),
    responses((status = 200, description = "the policy"), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
#[get("/policies/{id}")]
pub async fn get(
    _signed_in: CurrentUser,
    services: web::Data<Services>,
    answers: web::Data<Answers>,
    id: web::Path<PolicyId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    answers
        .respond(CacheClass::Policies, &format!("get:{id}"), || async move {
            services.policies.get(id).await
        })
        .await
}

/// Edits a policy (admin): a new version; the old ones stay readable.
#[utoipa::path(
    tag = "policies",
    params(("id" = i64, Path, description = "policy id")),
    request_body(content = ref("#/components/schemas/PolicyDraft"), description = "the whole new policy draft"),
    responses((status = 200, description = "the new version"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []))
)]
#[put("/policies/{id}")]
pub async fn update(
    user: CurrentUser,
    services: web::Data<Services>,
    id: web::Path<PolicyId>,
    body: Body,
) -> Result<web::Json<Policy>, ApiError> {
    user.require(Action::ManagePolicies)?;
    let draft: PolicyDraft = body.json().await?;
    let policy = services
        .policies
        .update(id.into_inner(), draft, &user.actor())
        .await?;
    tracing::info!(
        policy_id = policy.id.0,
        version = policy.version,
        by = user.0.id.0,
        "policy.updated"
    );
    Ok(web::Json(policy))
}

/// Deactivates a policy (admin); its versions stay readable and in the history of every
/// evaluation judged by it.
#[utoipa::path(
    tag = "policies",
    params(("id" = i64, Path, description = "policy id")),
    responses((status = 200, description = "the deactivated policy"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
#[delete("/policies/{id}")]
pub async fn deactivate(
    user: CurrentUser,
    services: web::Data<Services>,
    id: web::Path<PolicyId>,
) -> Result<web::Json<Policy>, ApiError> {
    user.require(Action::ManagePolicies)?;
    let policy = services
        .policies
        .deactivate(id.into_inner(), &user.actor())
        .await?;
    tracing::info!(
        policy_id = policy.id.0,
        by = user.0.id.0,
        "policy.deactivated"
    );
    Ok(web::Json(policy))
}

/// Every version of a policy, oldest first.
#[utoipa::path(
    tag = "policies",
    params(("id" = i64, Path, description = "policy id")),
    responses((status = 200, description = "{versions: [policy]}"), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
#[get("/policies/{id}/versions")]
pub async fn versions(
    _signed_in: CurrentUser,
    services: web::Data<Services>,
    answers: web::Data<Answers>,
    id: web::Path<PolicyId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    answers
        .respond(
            CacheClass::Policies,
            &format!("versions:{id}"),
            || async move {
                Ok(PolicyVersions {
                    versions: services.policies.versions(id).await?,
                })
            },
        )
        .await
}

/// Every version of one policy.
#[derive(Debug, Serialize, Deserialize)]
pub struct PolicyVersions {
    /// Oldest first.
    pub versions: Vec<Policy>,
}
