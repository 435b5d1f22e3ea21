//! Health probes: `live` says the process answers; `ready` says the database does too.

use crate::error::{ApiError, ErrorBody};
use actix_web::{get, web};
use driftguard_app::Services;
use serde::Serialize;
use utoipa::ToSchema;

/// A probe's answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`.
    pub status: &'static str,
}

/// Liveness: the process is up.
#[utoipa::path(tag = "health", responses((status = 200, body = Health)))]
#[get("/health/live")]
pub async fn live() -> web::Json<Health> {
    web::Json(Health { status: "ok" })
}

/// Readiness: the database answers; 503 when it does not.
#[utoipa::path(
    tag = "health",
    responses((status = 200, body = Health), (status = 503, body = ErrorBody))
)]
#[get("/health/ready")]
pub async fn ready(services: web::Data<Services>) -> Result<web::Json<Health>, ApiError> {
    services.readiness.check().await?;
    Ok(web::Json(Health { status: "ok" }))
}
