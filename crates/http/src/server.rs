//! The application factory: routes, extractor configuration, error policy and middleware,
//! served by actix on a listener the caller binds (port 0 in tests).

use crate::answers::Answers;
use crate::document::openapi;
use crate::error::finalize_errors;
use crate::extract::{path_config, query_config};
use crate::fallback::KnownRoutes;
use crate::middleware::client_ip::{ResolveClientIp, TrustedProxies};
use crate::middleware::cors::{CorsSettings, cors};
use crate::middleware::metrics::RecordMetrics;
use crate::middleware::rate_limit::{ErrorPage, RateLimit};
use crate::middleware::rate_limit_rules::RateLimitSettings;
use crate::middleware::request_id::AssignRequestId;
use crate::middleware::request_log::RequestLog;
use crate::routes::{self, openapi::OpenApiDocument};
use crate::slots::Slots;
use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpRequest, HttpServer, web};
use driftguard_app::Services;
use driftguard_cache::{AnswerCache, RateLimiter};
use driftguard_observability::Metrics;
use secrecy::SecretString;
use serde::Deserialize;
use std::net::TcpListener;
use std::sync::Arc;
use utoipa_actix_web::AppExt;

/// HTTP settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct HttpSettings {
    /// Cross-origin allow-list.
    pub cors: CorsSettings,
    /// Per-client request quotas.
    pub rate_limits: RateLimitSettings,
    /// When set, `/metrics` needs `Authorization: Bearer <token>`.
    pub metrics_token: Option<SecretString>,
    /// Largest JSON body accepted, in bytes (uploads of data have their own limit).
    pub max_json_bytes: usize,
    /// Largest data upload (reference data, current data), in bytes.
    pub max_upload_bytes: usize,
    /// Worker threads (0: one per core).
    pub workers: usize,
    /// After SIGTERM: how long requests already accepted may take to finish, in seconds,
    /// while no new connection is accepted; what is still running then is cut off.
    pub shutdown_grace_secs: u64,
    /// Whether anyone may create an account with `POST /auth/register`.
    pub open_registration: bool,
    /// Uploads and evaluations running at once (0: one per core); more get a fast 503.
    pub max_concurrent_uploads: usize,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            cors: CorsSettings::default(),
            rate_limits: RateLimitSettings::default(),
            metrics_token: None,
            max_json_bytes: 1024 * 1024,
            max_upload_bytes: 256 << 20,
            workers: 0,
            shutdown_grace_secs: 30,
            open_registration: true,
            max_concurrent_uploads: 0,
        }
    }
}

/// What the server needs besides its settings: the use cases, the metrics registry, the
/// rate limiter and the answer cache.
#[derive(Clone)]
pub struct HttpDeps {
    /// The use cases.
    pub services: Services,
    /// The Prometheus registry and handles.
    pub metrics: Metrics,
    /// Where request quotas are counted (in-process, or Redis shared by replicas).
    pub limiter: Arc<dyn RateLimiter>,
    /// Where dashboard and policy answers are cached (in-process, or Redis shared by replicas).
    pub cache: AnswerCache,
    /// Routes served beside the API under the same middleware (the dashboard UI), which the
    /// binary wires in so that this crate need not know them.
    pub pages: Option<Pages>,
}

/// Pages served beside the API (see [`HttpDeps::pages`]).
#[derive(Clone)]
pub struct Pages {
    /// Registers their routes.
    pub routes: Arc<dyn Fn(&mut web::ServiceConfig) + Send + Sync>,
    /// The path they live under (`/ui`): what the server refuses there before any route runs
    /// (a 429 from the rate limiter) is answered with `error_page`, not the JSON body.
    pub prefix: &'static str,
    /// The HTML page of an error status, given the request id.
    pub error_page: ErrorPage,
}

/// Starts serving on `listener`; the returned server runs when awaited or spawned.
pub fn run(
    listener: TcpListener,
    deps: HttpDeps,
    settings: HttpSettings,
) -> std::io::Result<Server> {
    let doc = openapi();
    let known_routes = KnownRoutes::from_openapi(&doc);
    let document = web::Data::new(OpenApiDocument(doc.to_string()));
    let services = web::Data::new(deps.services);
    let metrics = web::Data::new(deps.metrics.clone());
    let answers = web::Data::new(Answers::new(deps.cache, deps.metrics.clone()));
    let slots = web::Data::new(Slots::new(settings.max_concurrent_uploads));
    let mut rate_limit = RateLimit::new(
        settings.rate_limits.clone(),
        deps.limiter,
        deps.metrics.clone(),
    )
    .map_err(|e| std::io::Error::other(format!("rate limit settings: {e}")))?;
    if let Some(pages) = &deps.pages {
        rate_limit = rate_limit.with_pages(pages.prefix, pages.error_page.clone());
    }
    let cors_settings = settings.cors.clone();
    let resolve_client_ip = ResolveClientIp::new(
        TrustedProxies::parse(&settings.rate_limits.trusted_proxies)
            .map_err(|e| std::io::Error::other(format!("rate limit settings: {e}")))?,
    );
    let pages = deps.pages;
    let workers = settings.workers;
    let shutdown_grace_secs = settings.shutdown_grace_secs;
    let http_settings = web::Data::new(settings);
    let mut server = HttpServer::new(move || {
        let known_routes = known_routes.clone();
        let pages = pages.clone();
        let (app, _) = App::new()
            .into_utoipa_app()
            .configure(routes::configure)
            .split_for_parts();
        // `.wrap` runs outermost last: CORS → request id → log → metrics → limiter →
        // invalidation → app.
        app.app_data(services.clone())
            .app_data(document.clone())
            .app_data(http_settings.clone())
            .app_data(metrics.clone())
            .app_data(answers.clone())
            .app_data(slots.clone())
            .app_data(query_config())
            .app_data(path_config())
            .configure(|cfg| {
                if let Some(pages) = &pages {
                    (pages.routes)(cfg);
                }
            })
            .default_service(web::to(move |req: HttpRequest| {
                let response = known_routes.respond(&req);
                async move { response }
            }))
            .wrap(from_fn(finalize_errors))
            .wrap(rate_limit.clone())
            .wrap(RecordMetrics::new(metrics.get_ref().clone()))
            .wrap(RequestLog)
            .wrap(resolve_client_ip.clone())
            .wrap(AssignRequestId)
            .wrap(cors(&cors_settings))
    })
    .listen(listener)?
    // SIGTERM stops the accept loop and closes the listener at once (a new connection is
    // refused, which a load balancer retries elsewhere), then waits this long for the
    // connections already accepted; SIGINT and SIGQUIT stop at once.
    .shutdown_timeout(shutdown_grace_secs);
    if workers > 0 {
        server = server.workers(workers);
    }
    Ok(server.run())
}
