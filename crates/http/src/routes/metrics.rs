//! `/metrics`: the Prometheus text exposition, open or behind a bearer token.

use crate::error::{ApiError, ErrorBody};
use crate::server::HttpSettings;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, web};
use driftguard_observability::Metrics;
use secrecy::ExposeSecret;

/// Compares in time independent of where the first difference is, so the token cannot be
/// guessed byte by byte.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Prometheus metrics (requests, latencies, deployments, violations, pool, cache, process).
#[utoipa::path(
    tag = "meta",
    responses(
        (status = 200, description = "Prometheus text format", content_type = "text/plain"),
        (status = 401, description = "a metrics token is set and was not sent", body = ErrorBody),
    )
)]
#[get("/metrics")]
pub async fn metrics(
    req: HttpRequest,
    metrics: web::Data<Metrics>,
    settings: web::Data<HttpSettings>,
) -> Result<HttpResponse, ApiError> {
    if let Some(token) = &settings.metrics_token {
        let sent = req
            .headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        if !same(sent.as_bytes(), token.expose_secret().as_bytes()) {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "A valid metrics token is required",
            ));
        }
    }
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(metrics.render()))
}
