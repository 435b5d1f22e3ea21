//! `driftguard serve`: logs, database, bootstrap admin, then the HTTP server and the webhook
//! delivery worker until a signal.

use crate::settings::Settings;
use crate::wiring;
use anyhow::Context;
use driftguard_app::webhooks::worker::DeliveryWorker;
use driftguard_http::{HttpDeps, Pages};
use driftguard_observability::{
    LogSettings, Metrics, PoolGauges, SentrySettings, init_sentry, init_tracing,
};
use driftguard_storage::Database;
use driftguard_web::UiSettings;
use secrecy::ExposeSecret;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

/// Serves until SIGINT or SIGTERM.
pub async fn serve(settings: Settings) -> anyhow::Result<()> {
    let _logs = init_tracing(&settings.logs()).context("setting up logging")?;
    let _sentry = init_sentry(&SentrySettings {
        dsn: settings.sentry.dsn.clone(),
        environment: settings.environment.as_str().to_owned(),
        ..SentrySettings::default()
    })
    .context("setting up Sentry")?;
    tracing::info!(
        service = "driftguard",
        version = env!("CARGO_PKG_VERSION"),
        environment = %settings.environment,
        "application.startup"
    );
    let wired = wiring::wire(&settings, true).await?;
    let db_settings = settings.database();
    wired.database.spawn_maintenance(db_settings);
    spawn_pool_gauges(wired.database.clone(), wired.metrics.clone());
    if let (Some(email), Some(password)) = (
        settings.auth.bootstrap_admin_email.as_deref(),
        settings.auth.bootstrap_admin_password.as_ref(),
    ) && let Some(admin) = wired
        .services
        .auth
        .bootstrap_admin(email, password.expose_secret())
        .await
        .context("creating the bootstrap admin")?
    {
        tracing::info!(user_id = admin.id.0, "user.bootstrap_admin_created");
    }
    let listener = TcpListener::bind(&settings.server.bind)
        .with_context(|| format!("binding {}", settings.server.bind))?;
    tracing::info!(address = %settings.server.bind, "listening");
    let worker = deliver_webhooks(&settings, &wired);
    let served = start(listener, &settings, wired)?.await;
    // The server has drained its requests; the worker finishes the attempts in flight.
    if let Some(worker) = worker {
        worker.stop().await;
    }
    served?;
    tracing::info!("application.shutdown");
    Ok(())
}

/// Starts the webhook delivery worker when `[webhooks] enabled` (stop it on shutdown).
pub fn deliver_webhooks(settings: &Settings, wired: &wiring::Wired) -> Option<DeliveryWorker> {
    settings
        .webhooks
        .enabled
        .then(|| DeliveryWorker::spawn(wired.deliveries.clone()))
}

fn gauge(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Keeps the pool gauges of `/metrics` current (every five seconds).
fn spawn_pool_gauges(database: Database, metrics: Metrics) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(5));
        loop {
            tick.tick().await;
            let status = database.status();
            metrics.set_database_pool(PoolGauges {
                active: gauge(status.active),
                idle: gauge(status.idle),
                max: gauge(status.max_size),
            });
        }
    });
}

/// The HTTP server (the API and the dashboard UI under `/ui`) over wired services on a bound
/// listener; it runs when awaited. The API tests start the server through this too.
pub fn start(
    listener: TcpListener,
    settings: &Settings,
    wired: wiring::Wired,
) -> anyhow::Result<actix_web::dev::Server> {
    let ui = driftguard_web::Ui {
        services: wired.services.clone(),
        cache: wired.cache.clone(),
        metrics: wired.metrics.clone(),
        settings: UiSettings {
            secure_cookies: settings.ui.secure_cookies,
        },
    };
    let deps = HttpDeps {
        services: wired.services,
        metrics: wired.metrics,
        limiter: wired.limiter,
        cache: wired.cache,
        pages: Some(Pages {
            routes: driftguard_web::routes(ui),
            prefix: driftguard_web::BASE,
            error_page: Arc::new(driftguard_web::error_page),
        }),
    };
    driftguard_http::run(listener, deps, settings.http()).context("starting the HTTP server")
}

impl Settings {
    /// The log settings.
    pub fn logs(&self) -> LogSettings {
        LogSettings {
            dir: self.log.dir.clone(),
            level: self.log.level.clone(),
            stdout: true,
        }
    }
}
