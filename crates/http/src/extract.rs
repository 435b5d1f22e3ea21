//! Request extractors: the signed-in user (bearer token or the UI's cookie), pagination, and
//! the query and path configurations that turn malformed input into [`ApiError`]s.

use crate::error::ApiError;
use actix_web::dev::Payload;
use actix_web::error::{PathError, QueryPayloadError};
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, web};
use driftguard_app::{Actor, Services};
use driftguard_auth::{Action, User};
use driftguard_core::{DomainError, Page};
use serde::Deserialize;
use std::future::Future;
use std::pin::Pin;

/// The cookie the dashboard UI keeps the token in.
pub use driftguard_auth::session::SESSION_COOKIE;

/// The signed-in user of a request. Extracting it fails with 401 when there is no valid token.
#[derive(Debug, Clone)]
pub struct CurrentUser(pub User);

impl CurrentUser {
    /// The user as the use cases know them.
    pub fn actor(&self) -> Actor {
        Actor::new(self.0.id, self.0.role)
    }

    /// `Ok` when the permission table lets the user take `action`, else 403: for a route
    /// to refuse before it reads a body (the use case checks again, with the same table).
    pub fn require(&self, action: Action) -> Result<(), ApiError> {
        self.actor().require(action).map_err(ApiError::from)
    }
}

fn bearer_token(req: &HttpRequest) -> Option<String> {
    let header = req.headers().get(actix_web::http::header::AUTHORIZATION)?;
    let value = header.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

fn token_of(req: &HttpRequest) -> Option<String> {
    bearer_token(req).or_else(|| req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned()))
}

impl FromRequest for CurrentUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let services = req.app_data::<web::Data<Services>>().cloned();
        let token = token_of(req);
        Box::pin(async move {
            let services = services.ok_or_else(|| {
                ApiError::from(DomainError::internal("services are not configured"))
            })?;
            let token = token.ok_or_else(|| {
                ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "unauthorized",
                    "Not authenticated",
                )
            })?;
            Ok(CurrentUser(services.auth.authenticate(&token).await?))
        })
    }
}

/// `skip` and `limit` of a list request.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Rows to skip (≥ 0, default 0).
    #[param(minimum = 0)]
    pub skip: Option<u64>,
    /// Rows to return (1–100, default 10).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u64>,
}

impl PageParams {
    /// The validated page, or 422.
    pub fn page(&self) -> Result<Page, ApiError> {
        // The document's int64: SQL offsets are signed 64-bit.
        if self.skip.is_some_and(|s| s > i64::MAX as u64) {
            return Err(ApiError::invalid(
                "skip",
                format!("must be at most {}", i64::MAX),
            ));
        }
        Page::new(
            self.skip.unwrap_or(0),
            self.limit.unwrap_or(Page::DEFAULT_LIMIT),
        )
        .map_err(|m| ApiError::invalid("limit", m))
    }
}

/// Query strings: errors are 422 naming the problem.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err: QueryPayloadError, _req| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_error",
            format!("Invalid query parameters: {err}"),
        )
        .into()
    })
}

/// Path parameters: an id that is not a number is a 404 (no such resource), not a 500.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err: PathError, _req| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("Not found: {err}"),
        )
        .into()
    })
}
