//! `driftguard serve`: logs, database, bootstrap admin, then the HTTP server until a signal.

use crate::settings::Settings;
use crate::wiring;
use anyhow::Context;
use driftguard_observability::{LogSettings, init_tracing};
use secrecy::ExposeSecret;
use std::net::TcpListener;

/// Serves until SIGINT or SIGTERM.
pub async fn serve(settings: Settings) -> anyhow::Result<()> {
    let _logs = init_tracing(&settings.logs()).context("setting up logging")?;
    tracing::info!(
        service = "driftguard",
        version = env!("CARGO_PKG_VERSION"),
        environment = %settings.environment,
        "application.startup"
    );
    let wired = wiring::wire(&settings, true).await?;
    let db_settings = settings.database();
    wired.database.spawn_maintenance(db_settings);
    if let (Some(email), Some(password)) = (
        settings.bootstrap_admin_email.as_deref(),
        settings.bootstrap_admin_password.as_ref(),
    ) && let Some(admin) = wired
        .services
        .auth
        .bootstrap_admin(email, password.expose_secret())
        .await
        .map_err(|e| anyhow::anyhow!("creating the bootstrap admin: {e}"))?
    {
        tracing::info!(user_id = admin.id, "user.bootstrap_admin_created");
    }
    let listener =
        TcpListener::bind(&settings.bind).with_context(|| format!("binding {}", settings.bind))?;
    tracing::info!(address = %settings.bind, "listening");
    start(listener, &settings, wired)?.await?;
    tracing::info!("application.shutdown");
    Ok(())
}

/// The HTTP server over wired services on a bound listener; it runs when awaited. The API
/// tests start the server through this too.
pub fn start(
    listener: TcpListener,
    settings: &Settings,
    wired: wiring::Wired,
) -> anyhow::Result<actix_web::dev::Server> {
    driftguard_http::run(listener, wired.services, settings.http())
        .context("starting the HTTP server")
}

impl Settings {
    /// The log settings.
    pub fn logs(&self) -> LogSettings {
        LogSettings {
            dir: self.log_dir.clone(),
            level: self.log_level.clone(),
            stdout: true,
        }
    }
}
