//! The application factory: routes, extractor configuration, error policy and middleware,
//! served by actix on a listener the caller binds (port 0 in tests).

use crate::error::{ApiError, finalize_errors};
use crate::extract::{json_config, path_config, query_config};
use crate::middleware::request_id::AssignRequestId;
use crate::middleware::request_log::RequestLog;
use crate::routes::{self, openapi::OpenApiDocument};
use actix_web::dev::Server;
use actix_web::http::StatusCode;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use driftguard_app::Services;
use serde::Deserialize;
use std::net::TcpListener;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_actix_web::AppExt;

/// HTTP settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct HttpSettings {
    /// Largest JSON body accepted, in bytes.
    pub max_json_bytes: usize,
    /// Worker threads (0: one per core).
    pub workers: usize,
    /// Whether anyone may create an account with `POST /auth/register`.
    pub open_registration: bool,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            max_json_bytes: 1024 * 1024,
            workers: 0,
            open_registration: true,
        }
    }
}

/// The OpenAPI description of every route, as the running server serves it.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, mut doc) = App::new()
        .into_utoipa_app()
        .configure(routes::configure)
        .split_for_parts();
    doc.info.title = "DriftGuard".into();
    doc.info.version = env!("CARGO_PKG_VERSION").into();
    doc.info.description = Some(
        "Governance gate for machine-learning models: drift, fairness, performance, risk, \
         policies and audited deployments."
            .into(),
    );
    doc.components
        .get_or_insert_with(Default::default)
        .add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    doc
}

/// Starts serving on `listener`; the returned server runs when awaited or spawned.
pub fn run(
    listener: TcpListener,
    services: Services,
    settings: HttpSettings,
) -> std::io::Result<Server> {
    let document = openapi()
        .to_json()
        .map_err(|e| std::io::Error::other(format!("OpenAPI document: {e}")))?;
    let document = web::Data::new(OpenApiDocument(document));
    let services = web::Data::new(services);
    let http_settings = web::Data::new(settings.clone());
    let json_limit = settings.max_json_bytes;
    let mut server = HttpServer::new(move || {
        let (app, _) = App::new()
            .into_utoipa_app()
            .configure(routes::configure)
            .split_for_parts();
        app.app_data(services.clone())
            .app_data(document.clone())
            .app_data(http_settings.clone())
            .app_data(json_config(json_limit))
            .app_data(query_config())
            .app_data(path_config())
            .default_service(web::to(|| async {
                Err::<actix_web::HttpResponse, _>(ApiError::new(
                    StatusCode::NOT_FOUND,
                    "not_found",
                    "No such route",
                ))
            }))
            .wrap(from_fn(finalize_errors))
            .wrap(RequestLog)
            .wrap(AssignRequestId)
    })
    .listen(listener)?;
    if settings.workers > 0 {
        server = server.workers(settings.workers);
    }
    Ok(server.run())
}
