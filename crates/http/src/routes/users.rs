//! `/users`: the admin's view of accounts and roles.

use crate::body::Body;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{CurrentUser, PageParams};
use crate::routes::auth::UserResponse;
use actix_web::{get, put, web};
use driftguard_app::Services;
use driftguard_auth::Action;
use driftguard_core::{Pagination, Role};
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

/// Changes a user's role (admin).
#[utoipa::path(
    tag = "users",
    params(("id" = i64, Path, description = "user id")),
    request_body = RoleChange,
    responses(
        (status = 200, body = UserResponse),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[put("/users/{id}/role")]
pub async fn set_role(
    user: CurrentUser,
    services: web::Data<Services>,
    id: web::Path<i64>,
    body: Body,
) -> Result<web::Json<UserResponse>, ApiError> {
    user.require(Action::ManageUsers)?;
    let change: RoleChange = body.json().await?;
    let changed = services.auth.set_role(id.into_inner(), change.role).await?;
    tracing::info!(user_id = changed.id, role = %changed.role, by = user.0.id, "user.role_changed");
    Ok(web::Json(changed.into()))
}
