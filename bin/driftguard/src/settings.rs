//! Settings: one typed struct, layered as embedded defaults, then an optional TOML file
//! (`driftguard.toml`, or the file `--config` / `DRIFTGUARD_CONFIG` names), then
//! `DRIFTGUARD_*` environment variables (`DRIFTGUARD_DATABASE_URL` sets `database_url`).
//! Secrets are wrapped so that they cannot be printed.

use anyhow::{Context, bail};
use driftguard_http::HttpSettings;
use driftguard_storage::DatabaseSettings;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Every setting, with its embedded default.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// `development` or `production` (which refuses unsafe defaults).
    pub environment: String,
    /// Address and port to serve on.
    pub bind: String,
    /// Folder for the SQLite file and the generated JWT secret.
    pub data_dir: PathBuf,
    /// `sqlite://...` (default: a file in `data_dir`) or `postgres://...`.
    pub database_url: Option<String>,
    /// Connections kept open when idle.
    pub database_pool_size: usize,
    /// Most connections open at once, under spikes.
    pub database_max_connections: usize,
    /// Seconds after which a connection is replaced.
    pub database_recycle_secs: u64,
    /// Seconds to wait for a connection.
    pub database_connect_timeout_secs: u64,
    /// Seconds a PostgreSQL statement may run.
    pub database_statement_timeout_secs: u64,
    /// HMAC secret for tokens; generated once into `data_dir` when unset (not in production).
    #[serde(serialize_with = "never_serialize")]
    pub jwt_secret: Option<SecretString>,
    /// Token issuer (`iss`).
    pub jwt_issuer: String,
    /// Token lifetime, seconds.
    pub token_lifetime_secs: u64,
    /// Whether `POST /auth/register` is open.
    pub open_registration: bool,
    /// Email of the admin created on an empty database.
    pub bootstrap_admin_email: Option<String>,
    /// Password of that admin.
    #[serde(serialize_with = "never_serialize")]
    pub bootstrap_admin_password: Option<SecretString>,
    /// Largest JSON body, bytes.
    pub max_json_bytes: usize,
    /// HTTP worker threads (0: one per core).
    pub workers: usize,
    /// Folder of `app.log` and `errors.log`.
    pub log_dir: PathBuf,
    /// Log level filter (`info`, `debug`, or `info,driftguard_http=debug`).
    pub log_level: String,
}

fn never_serialize<S: serde::Serializer>(
    _: &Option<SecretString>,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.serialize_none()
}

impl Default for Settings {
    fn default() -> Self {
        let db = DatabaseSettings::default();
        Self {
            environment: "development".into(),
            bind: "127.0.0.1:8000".into(),
            data_dir: PathBuf::from("data"),
            database_url: None,
            database_pool_size: db.pool_size,
            database_max_connections: db.max_connections,
            database_recycle_secs: db.recycle_after_secs,
            database_connect_timeout_secs: db.connect_timeout_secs,
            database_statement_timeout_secs: db.statement_timeout_secs,
            jwt_secret: None,
            jwt_issuer: "driftguard".into(),
            token_lifetime_secs: 3600,
            open_registration: true,
            bootstrap_admin_email: None,
            bootstrap_admin_password: None,
            max_json_bytes: HttpSettings::default().max_json_bytes,
            workers: 0,
            log_dir: PathBuf::from("logs"),
            log_level: "info".into(),
        }
    }
}

impl Settings {
    /// Loads the layers; `file` overrides the default `driftguard.toml` lookup.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Self> {
        let explicit = file
            .map(Path::to_path_buf)
            .or_else(|| std::env::var_os("DRIFTGUARD_CONFIG").map(PathBuf::from));
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        match &explicit {
            Some(path) if !path.exists() => bail!("config file {} does not exist", path.display()),
            Some(path) => figment = figment.merge(Toml::file(path)),
            None => figment = figment.merge(Toml::file("driftguard.toml")),
        }
        let settings: Settings = figment
            .merge(Env::prefixed("DRIFTGUARD_").ignore(&["config"]))
            .extract()
            .context("invalid settings")?;
        settings.validate()?;
        Ok(settings)
    }

    /// Whether this is a production deployment.
    pub fn is_production(&self) -> bool {
        self.environment == "production"
    }

    fn validate(&self) -> anyhow::Result<()> {
        if !matches!(
            self.environment.as_str(),
            "development" | "production" | "test"
        ) {
            bail!(
                "environment must be development, test or production, not {:?}",
                self.environment
            );
        }
        if self.is_production() && self.jwt_secret.is_none() {
            bail!("production needs DRIFTGUARD_JWT_SECRET: a generated secret is refused");
        }
        if let Some(secret) = &self.jwt_secret
            && secret.expose_secret().len() < 32
        {
            bail!("jwt_secret must be at least 32 characters");
        }
        if self.database_pool_size == 0 || self.database_max_connections < self.database_pool_size {
            bail!(
                "database_max_connections must be at least database_pool_size, which must be > 0"
            );
        }
        Ok(())
    }

    /// The database settings.
    pub fn database(&self) -> DatabaseSettings {
        let url = self.database_url.clone().unwrap_or_else(|| {
            format!("sqlite://{}", self.data_dir.join("driftguard.db").display())
        });
        DatabaseSettings {
            url,
            pool_size: self.database_pool_size,
            max_connections: self.database_max_connections,
            recycle_after_secs: self.database_recycle_secs,
            connect_timeout_secs: self.database_connect_timeout_secs,
            statement_timeout_secs: self.database_statement_timeout_secs,
            migrate_on_start: true,
        }
    }

    /// The HTTP settings.
    pub fn http(&self) -> HttpSettings {
        HttpSettings {
            max_json_bytes: self.max_json_bytes,
            workers: self.workers,
            open_registration: self.open_registration,
        }
    }
}
