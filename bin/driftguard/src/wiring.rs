//! Wiring: settings in, adapters chosen, use cases built.

use crate::secret;
use crate::settings::Settings;
use anyhow::Context;
use driftguard_app::Services;
use driftguard_auth::{AuthService, TokenService};
use driftguard_registry::RegistryService;
use driftguard_storage::{Database, Store, migrate};
use std::sync::Arc;
use std::time::Duration;

/// The database pool and the use cases over it.
pub struct Wired {
    /// The use cases.
    pub services: Services,
    /// The pool (health, gauges, maintenance).
    pub database: Database,
}

/// Connects to the database (migrating it first when asked) and builds every use case.
pub async fn wire(settings: &Settings, migrate_first: bool) -> anyhow::Result<Wired> {
    let db_settings = settings.database();
    if migrate_first {
        let applied = migrate::run_pending(&db_settings.url)
            .await
            .context("running database migrations")?;
        if !applied.is_empty() {
            tracing::info!(migrations = ?applied, "database migrated");
        }
    }
    let database = Database::connect(&db_settings).context("connecting to the database")?;
    let store = Arc::new(Store::new(database.clone()));
    let secret = secret::load_or_generate(settings.jwt_secret.as_ref(), &settings.data_dir)?;
    let tokens = TokenService::new(
        &secret,
        settings.jwt_issuer.clone(),
        Duration::from_secs(settings.token_lifetime_secs),
    );
    let services = Services {
        auth: AuthService::new(store.clone(), tokens),
        registry: RegistryService::new(store.clone()),
        readiness: store,
    };
    Ok(Wired { services, database })
}
