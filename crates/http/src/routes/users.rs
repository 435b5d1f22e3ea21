//! `/users`: the admin's view of accounts and roles: list, change a role (audited), read a
//! user's role changes, end a user's sessions.

use crate::body::Body;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{CurrentUser, PageParams};
use crate::routes::auth::UserResponse;
use actix_web::{HttpResponse, get, post, put, web};
use driftguard_app::Services;
use driftguard_auth::{Action, RoleChangeRecord};
use driftguard_core::{Pagination, Role, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A page of users.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserList {
    /// The users on this page.
    pub users: Vec<UserResponse>,
    /// Where this page is.
    pub pagination: Pagination,
}

/// A role change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    /// The new role.
    pub role: Role,
}

/// A recorded role change.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoleChangeResponse {
    /// Record id.
    pub id: i64,
    /// Whose role changed.
    #[schema(value_type = i64)]
    pub user_id: UserId,
    /// The admin who changed it.
    #[schema(value_type = i64)]
    pub changed_by: UserId,
    /// The role before.
    pub from_role: Role,
    /// The role after.
    pub to_role: Role,
    /// When.
    pub changed_at: chrono::DateTime<chrono::Utc>,
}

impl From<RoleChangeRecord> for RoleChangeResponse {
    fn from(r: RoleChangeRecord) -> Self {
        Self {
            id: r.id,
            user_id: r.user_id,
            changed_by: r.changed_by,
            from_role: r.from_role,
            to_role: r.to_role,
            changed_at: r.changed_at,
        }
    }
}

/// A page of a user's role changes, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoleChangeList {
    /// The changes on this page.
    pub role_changes: Vec<RoleChangeResponse>,
    /// Where this page is.
    pub pagination: Pagination,
}

/// Lists users (admin).
#[utoipa::path(
    tag = "users",
    params(PageParams),
    responses((status = 200, body = UserList), (status = 403, body = ErrorBody)),
    security(("bearer" = []))
)]
#[get("/users")]
pub async fn list(
    user: CurrentUser,
    services: web::Data<Services>,
    params: web::Query<PageParams>,
) -> Result<web::Json<UserList>, ApiError> {
    user.require(Action::ManageUsers)?;
    let page = params.page()?;
    let (users, total) = services.auth.list_users(page).await?;
    Ok(web::Json(UserList {
        users: users.into_iter().map(Into::into).collect(),
        pagination: page.pagination(total),
    }))
}

/// Changes a user's role (admin); the change is recorded (`GET /users/{id}/role-changes`).
#[utoipa::path(
    tag = "users",
    params(("id" = i64, Path, description = "user id")),
    request_body = RoleChange,
    responses(
        (status = 200, body = UserResponse),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "the user is the last admin", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[put("/users/{id}/role")]
pub async fn set_role(
    user: CurrentUser,
    services: web::Data<Services>,
    id: web::Path<UserId>,
    body: Body,
) -> Result<web::Json<UserResponse>, ApiError> {
    user.require(Action::ManageUsers)?;
    let change: RoleChange = body.json().await?;
    let changed = services
        .auth
        .set_role(driftguard_auth::RoleChange {
            user_id: id.into_inner(),
            role: change.role,
            changed_by: user.0.id,
        })
        .await?;
    tracing::info!(user_id = changed.id.0, role = %changed.role, by = user.0.id.0, "user.role_changed");
    Ok(web::Json(changed.into()))
}

/// A user's recorded role changes, newest first (admin).
#[utoipa::path(
    tag = "users",
    params(("id" = i64, Path, description = "user id"), PageParams),
    responses(
        (status = 200, body = RoleChangeList),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/users/{id}/role-changes")]
pub async fn role_changes(
    user: CurrentUser,
    services: web::Data<Services>,
    id: web::Path<UserId>,
    params: web::Query<PageParams>,
) -> Result<web::Json<RoleChangeList>, ApiError> {
    user.require(Action::ManageUsers)?;
    let page = params.page()?;
    let (records, total) = services.auth.role_changes(id.into_inner(), page).await?;
    Ok(web::Json(RoleChangeList {
        role_changes: records.into_iter().map(Into::into).collect(),
        pagination: page.pagination(total),
    }))
}

/// Ends every session of a user (admin): each token issued to them so far is refused from
/// the next request on; signing in again works.
#[utoipa::path(
    tag = "users",
    params(("id" = i64, Path, description = "user id")),
    responses(
        (status = 204, description = "every session of the user has ended"),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/users/{id}/sessions/revoke")]
pub async fn revoke_sessions(
    user: CurrentUser,
    services: web::Data<Services>,
    id: web::Path<UserId>,
) -> Result<HttpResponse, ApiError> {
    user.require(Action::ManageUsers)?;
    let id = id.into_inner();
    services.auth.end_sessions(id).await?;
    tracing::info!(user_id = id.0, by = user.0.id.0, "user.sessions_revoked");
    Ok(HttpResponse::NoContent().finish())
}
