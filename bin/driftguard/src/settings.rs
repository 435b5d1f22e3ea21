//! Settings: one typed struct, layered as embedded defaults, then an optional TOML file
//! (`driftguard.toml`, or the file `--config` / `DRIFTGUARD_CONFIG` names), then
//! `DRIFTGUARD_*` environment variables (`DRIFTGUARD_DATABASE_URL` sets `database_url`).
//! Secrets are wrapped so that they cannot be printed.

use anyhow::{Context, bail};
use driftguard_cache::{CacheTtls, RedisTls};
use driftguard_governance::RiskSettings;
use driftguard_http::HttpSettings;
use driftguard_http::middleware::cors::CorsSettings;
use driftguard_http::middleware::rate_limit_rules::RateLimitSettings;
use driftguard_storage::postgres_tls::with_default_params;
use driftguard_storage::{Backend, DatabaseSettings};
use figment::Figment;
use figment::providers::{Env, Format, Toml};
use secrecy::SecretString;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Every setting, with its embedded default.
#[derive(Debug, Clone, Deserialize)]
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
    /// Whether `serve` applies pending migrations at start; off when the server connects as a
    /// runtime role that may not change the schema (`driftguard migrate` does it instead).
    pub database_migrate_on_start: bool,
    /// PostgreSQL TLS: PEM file of the CA to trust (libpq's `sslrootcert`; the URL's
    /// `sslmode` says how much TLS is required and checked, see docs/operations.md).
    pub database_tls_ca_file: Option<PathBuf>,
    /// PostgreSQL TLS: PEM file of a client certificate (`sslcert`), with its key.
    pub database_tls_cert_file: Option<PathBuf>,
    /// PostgreSQL TLS: PEM file of the client certificate's key (`sslkey`).
    pub database_tls_key_file: Option<PathBuf>,
    /// HMAC secret for tokens; generated once into `data_dir` when unset (not in production).
    pub jwt_secret: Option<SecretString>,
    /// Key (at least 32 characters) that signs the audit trail's checkpoints, kept outside the
    /// database; generated once into `data_dir` when neither it nor `audit_key_file` is set
    /// (not in production).
    pub audit_key: Option<SecretString>,
    /// A file holding that key (a mounted secret), read at start.
    pub audit_key_file: Option<PathBuf>,
    /// Token issuer (`iss`).
    pub jwt_issuer: String,
    /// Token lifetime, seconds.
    pub token_lifetime_secs: u64,
    /// Whether `POST /auth/register` is open.
    pub open_registration: bool,
    /// Production refuses to start with open registration unless this is set: anyone who
    /// can reach the server could make an account and read every model and evaluation.
    pub allow_open_registration_in_production: bool,
    /// Email of the admin created on an empty database.
    pub bootstrap_admin_email: Option<String>,
    /// Password of that admin.
    pub bootstrap_admin_password: Option<SecretString>,
    /// Password of the accounts `driftguard demo` creates; a random one each when unset.
    pub demo_password: Option<SecretString>,
    /// Largest JSON body, bytes.
    pub max_json_bytes: usize,
    /// Largest data upload (reference or current data), bytes.
    pub max_upload_bytes: usize,
    /// HTTP worker threads (0: one per core).
    pub workers: usize,
    /// Folder of `app.log` and `errors.log`.
    pub log_dir: PathBuf,
    /// Log level filter (`info`, `debug`, or `info,driftguard_http=debug`).
    pub log_level: String,
    /// Origins allowed to call the API from a browser (a list, or comma-separated).
    #[serde(deserialize_with = "list::deserialize")]
    pub cors_origins: Vec<String>,
    /// Whether cross-origin requests may carry credentials.
    pub cors_allow_credentials: bool,
    /// Proxies whose `X-Forwarded-For` is believed (IPs or CIDR blocks).
    #[serde(deserialize_with = "list::deserialize")]
    pub trusted_proxies: Vec<String>,
    /// `memory` (one process) or `redis` (shared by replicas; needs `redis_url`).
    pub rate_limit_backend: String,
    /// Per-minute quotas by class (`[rate_limits]` in TOML, `DRIFTGUARD_RATE_LIMITS__AUTH_LOGIN`).
    pub rate_limits: RateLimitSettings,
    /// Redis, for the shared rate limiter and the cache: when set, answers are cached there
    /// (shared by every replica), else in process.
    pub redis_url: Option<String>,
    /// Prefix of every Redis key (`{prefix}:rl:…` for rate limits, `{prefix}:cache:…` for
    /// answers), so that several deployments can share one Redis.
    pub redis_key_prefix: String,
    /// Redis TLS (`rediss://` URLs): PEM file of the CA to trust; unset, the machine's.
    pub redis_tls_ca_file: Option<PathBuf>,
    /// Redis TLS: PEM file of a client certificate, with its key.
    pub redis_tls_cert_file: Option<PathBuf>,
    /// Redis TLS: PEM file of the client certificate's key.
    pub redis_tls_key_file: Option<PathBuf>,
    /// How long cached answers live (`[cache_ttls]` in TOML,
    /// `DRIFTGUARD_CACHE_TTLS__DASHBOARD_SUMMARY_SECS`, ...): summary 60 s, compliance 300 s,
    /// risk trends 600 s, policies 1800 s.
    pub cache_ttls: CacheTtls,
    /// Most memory the in-process cache holds, in bytes (keys and values); unused with Redis.
    pub cache_max_bytes: u64,
    /// When set, `/metrics` needs this bearer token.
    pub metrics_token: Option<SecretString>,
    /// Production refuses to start without `metrics_token` unless this says `/metrics` may be
    /// public (a network that only the scraper reaches).
    pub metrics_public: bool,
    /// Sentry DSN (also read from `SENTRY_DSN`); Sentry is off without one.
    pub sentry_dsn: Option<SecretString>,
    /// The risk score's numbers (`[risk]` in TOML, `DRIFTGUARD_RISK__DRIFT_SHARE_THRESHOLD`,
    /// `DRIFTGUARD_RISK__TIER_MULTIPLIERS__CRITICAL`, ...); SPEC §2's values by default.
    pub risk: RiskSettings,
    /// Bounds on what one upload may hold and on how many expensive requests run at once
    /// (`[limits]` in TOML, `DRIFTGUARD_LIMITS__MAX_CATEGORIES`, ...).
    pub limits: LimitSettings,
}

/// `[limits]`: beyond a bound, an upload is refused with 413 or 422 naming the column, and a
/// request past a concurrency bound gets a fast 503 with `Retry-After`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct LimitSettings {
    /// Data rows in one upload.
    pub max_rows: usize,
    /// Columns in one upload.
    pub max_columns: usize,
    /// Bytes of one CSV record (the header included).
    pub max_record_bytes: usize,
    /// Distinct values of one categorical column.
    pub max_categories: usize,
    /// Groups of one sensitive column.
    pub max_groups: usize,
    /// Uploads and evaluations at once (0: one per core).
    pub max_concurrent_uploads: usize,
    /// Password hashes (sign-ins, registrations) at once (0: one per core).
    pub max_concurrent_password_hashes: usize,
}

impl Default for LimitSettings {
    fn default() -> Self {
        let data = driftguard_stats::Limits::default();
        Self {
            max_rows: data.max_rows,
            max_columns: data.max_columns,
            max_record_bytes: data.max_record_bytes,
            max_categories: data.max_categories,
            max_groups: data.max_groups,
            max_concurrent_uploads: 0,
            max_concurrent_password_hashes: 0,
        }
    }
}

/// Lists in settings: a TOML array, or one comma-separated string (handy in environment
/// variables: `DRIFTGUARD_CORS_ORIGINS=https://a.example,https://b.example`).
mod list {
    use serde::{Deserialize, Deserializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        One(String),
        Many(Vec<String>),
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(de: D) -> Result<Vec<String>, D::Error> {
        let items = match Raw::deserialize(de)? {
            Raw::One(s) => s.split(',').map(str::to_owned).collect(),
            Raw::Many(v) => v,
        };
        Ok(items
            .into_iter()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect())
    }
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
            database_migrate_on_start: db.migrate_on_start,
            database_tls_ca_file: None,
            database_tls_cert_file: None,
            database_tls_key_file: None,
            jwt_secret: None,
            audit_key: None,
            audit_key_file: None,
            jwt_issuer: "driftguard".into(),
            token_lifetime_secs: 3600,
            open_registration: true,
            allow_open_registration_in_production: false,
            bootstrap_admin_email: None,
            bootstrap_admin_password: None,
            demo_password: None,
            max_json_bytes: HttpSettings::default().max_json_bytes,
            max_upload_bytes: HttpSettings::default().max_upload_bytes,
            workers: 0,
            log_dir: PathBuf::from("logs"),
            log_level: "info".into(),
            cors_origins: Vec::new(),
            cors_allow_credentials: false,
            trusted_proxies: Vec::new(),
            rate_limit_backend: "memory".into(),
            rate_limits: RateLimitSettings::default(),
            redis_url: None,
            redis_key_prefix: "driftguard".into(),
            redis_tls_ca_file: None,
            redis_tls_cert_file: None,
            redis_tls_key_file: None,
            cache_ttls: CacheTtls::default(),
            cache_max_bytes: 64 << 20,
            metrics_token: None,
            metrics_public: false,
            sentry_dsn: None,
            risk: RiskSettings::default(),
            limits: LimitSettings::default(),
        }
    }
}

impl Settings {
    /// Loads the layers; `file` overrides the default `driftguard.toml` lookup.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Self> {
        let explicit = file
            .map(Path::to_path_buf)
            .or_else(|| std::env::var_os("DRIFTGUARD_CONFIG").map(PathBuf::from));
        let mut figment = Figment::new();
        match &explicit {
            Some(path) if !path.exists() => bail!("config file {} does not exist", path.display()),
            Some(path) => figment = figment.merge(Toml::file(path)),
            None => figment = figment.merge(Toml::file("driftguard.toml")),
        }
        let settings: Settings = figment
            .merge(Env::raw().only(&["SENTRY_DSN"]))
            .merge(Env::prefixed("DRIFTGUARD_").ignore(&["config"]).split("__"))
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
        if let Some(secret) = &self.jwt_secret {
            crate::secret::check_length(secret, "jwt_secret")?;
        }
        self.validate_audit_key()?;
        self.cors()
            .validate(self.is_production())
            .context("invalid cors_origins")?;
        if self.is_production() && self.metrics_token.is_none() && !self.metrics_public {
            bail!(
                "production needs DRIFTGUARD_METRICS_TOKEN (or metrics_public = true to serve \
                 /metrics to anyone who can reach it)"
            );
        }
        self.risk
            .validate()
            .map_err(|e| anyhow::anyhow!("invalid risk settings: {e}"))?;
        if !matches!(self.rate_limit_backend.as_str(), "memory" | "redis") {
            bail!(
                "rate_limit_backend must be memory or redis, not {:?}",
                self.rate_limit_backend
            );
        }
        if self.rate_limit_backend == "redis" && self.redis_url.is_none() {
            bail!("rate_limit_backend = redis needs redis_url");
        }
        let database_tls = [
            &self.database_tls_ca_file,
            &self.database_tls_cert_file,
            &self.database_tls_key_file,
        ];
        if database_tls.iter().any(|f| f.is_some())
            && Backend::of_url(&self.database().url) != Backend::Postgres
        {
            bail!("database_tls_* apply to PostgreSQL only; the database URL is SQLite");
        }
        if self.database_pool_size == 0 || self.database_max_connections < self.database_pool_size {
            bail!(
                "database_max_connections must be at least database_pool_size, which must be > 0"
            );
        }
        if self.is_production()
            && self.open_registration
            && !self.allow_open_registration_in_production
        {
            bail!(
                "production refuses open registration (anyone could make an account and read \
                 everything): set DRIFTGUARD_OPEN_REGISTRATION=false, or \
                 DRIFTGUARD_ALLOW_OPEN_REGISTRATION_IN_PRODUCTION=true to keep it open"
            );
        }
        Ok(())
    }

    fn validate_audit_key(&self) -> anyhow::Result<()> {
        match (&self.audit_key, &self.audit_key_file) {
            (Some(_), Some(_)) => bail!("set audit_key or audit_key_file, not both"),
            (Some(key), None) => crate::secret::check_length(key, "audit_key"),
            (None, None) if self.is_production() => bail!(
                "production needs DRIFTGUARD_AUDIT_KEY or DRIFTGUARD_AUDIT_KEY_FILE: a generated \
                 audit key is refused"
            ),
            _ => Ok(()),
        }
    }

    /// The database settings. The TLS files join a PostgreSQL URL as libpq's parameters
    /// (`sslrootcert`, `sslcert`, `sslkey`) where it does not name them itself, so that the
    /// pool, the migrations and `pg_dump` all read them from the one URL.
    pub fn database(&self) -> DatabaseSettings {
        let mut url = self.database_url.clone().unwrap_or_else(|| {
            format!("sqlite://{}", self.data_dir.join("driftguard.db").display())
        });
        if Backend::of_url(&url) == Backend::Postgres {
            let path = |file: &Option<PathBuf>| file.as_ref().map(|p| p.display().to_string());
            let (ca, cert, key) = (
                path(&self.database_tls_ca_file),
                path(&self.database_tls_cert_file),
                path(&self.database_tls_key_file),
            );
            url = with_default_params(
                &url,
                &[
                    ("sslrootcert", ca.as_deref()),
                    ("sslcert", cert.as_deref()),
                    ("sslkey", key.as_deref()),
                ],
            );
        }
        DatabaseSettings {
            url,
            pool_size: self.database_pool_size,
            max_connections: self.database_max_connections,
            recycle_after_secs: self.database_recycle_secs,
            connect_timeout_secs: self.database_connect_timeout_secs,
            statement_timeout_secs: self.database_statement_timeout_secs,
            migrate_on_start: self.database_migrate_on_start,
        }
    }

    /// The certificates of a `rediss://` Redis URL.
    pub fn redis_tls(&self) -> RedisTls {
        RedisTls {
            ca_file: self.redis_tls_ca_file.clone(),
            cert_file: self.redis_tls_cert_file.clone(),
            key_file: self.redis_tls_key_file.clone(),
        }
    }

    /// The CORS settings.
    pub fn cors(&self) -> CorsSettings {
        CorsSettings {
            origins: self.cors_origins.clone(),
            allow_credentials: self.cors_allow_credentials,
        }
    }

    /// The HTTP settings.
    pub fn http(&self) -> HttpSettings {
        HttpSettings {
            cors: self.cors(),
            rate_limits: RateLimitSettings {
                trusted_proxies: self.trusted_proxies.clone(),
                ..self.rate_limits.clone()
            },
            metrics_token: self.metrics_token.clone(),
            max_json_bytes: self.max_json_bytes,
            max_upload_bytes: self.max_upload_bytes,
            workers: self.workers,
            open_registration: self.open_registration,
            max_concurrent_uploads: self.limits.max_concurrent_uploads,
            max_concurrent_password_hashes: self.limits.max_concurrent_password_hashes,
        }
    }

    /// What one upload may hold.
    pub fn data_limits(&self) -> driftguard_stats::Limits {
        driftguard_stats::Limits {
            max_bytes: self.max_upload_bytes,
            max_rows: self.limits.max_rows,
            max_columns: self.limits.max_columns,
            max_record_bytes: self.limits.max_record_bytes,
            max_categories: self.limits.max_categories,
            max_groups: self.limits.max_groups,
        }
    }
}

#[cfg(test)]
// figment's Jail fixes the closure's error type; its size is not ours to choose.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;

    /// Runs `f` in a jail (its own folder and environment) with these variables set.
    fn with_env<T>(vars: &[(&str, &str)], f: impl FnOnce() -> T) -> T {
        let mut out = None;
        figment::Jail::expect_with(|jail| {
            for (k, v) in vars {
                jail.set_env(k, v);
            }
            out = Some(f());
            Ok(())
        });
        out.expect("the jail ran")
    }

    #[test]
    fn defaults_need_nothing() {
        let s = with_env(&[], || Settings::load(None).expect("defaults load"));
        assert_eq!(s.bind, "127.0.0.1:8000");
        assert!(s.database().url.starts_with("sqlite://data"));
        assert_eq!(s.database().pool_size, 20);
        assert_eq!(s.database().max_connections, 60);
        assert_eq!(s.rate_limits.auth_login.get(), 5);
    }

    #[test]
    fn file_then_environment_override() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "driftguard.toml",
                "bind = \"0.0.0.0:9000\"\ntoken_lifetime_secs = 60\n[rate_limits]\nauth_login = 7\n",
            )?;
            jail.set_env("DRIFTGUARD_TOKEN_LIFETIME_SECS", "120");
            jail.set_env(
                "DRIFTGUARD_CORS_ORIGINS",
                "https://a.example, https://b.example",
            );
            jail.set_env("DRIFTGUARD_RATE_LIMITS__AUTH_REGISTER", "9");
            jail.set_env("SENTRY_DSN", "https://key@sentry.example/1");
            jail.set_env("DRIFTGUARD_RISK__TIER_MULTIPLIERS__CRITICAL", "1.5");
            let s = Settings::load(None).expect("load");
            assert_eq!(s.bind, "0.0.0.0:9000");
            assert_eq!(s.token_lifetime_secs, 120);
            assert_eq!(s.cors_origins, ["https://a.example", "https://b.example"]);
            assert_eq!(s.rate_limits.auth_login.get(), 7);
            assert_eq!(s.rate_limits.auth_register.get(), 9);
            assert!(s.sentry_dsn.is_some());
            assert_eq!(s.risk.tier_multipliers.critical, 1.5);
            assert_eq!(s.risk.drift_share_threshold, 0.5);
            Ok(())
        });
    }

    const PRODUCTION: [(&str, &str); 3] = [
        ("DRIFTGUARD_ENVIRONMENT", "production"),
        (
            "DRIFTGUARD_JWT_SECRET",
            "a-production-secret-of-enough-length",
        ),
        ("DRIFTGUARD_AUDIT_KEY", "a-production-audit-key-long-enough"),
    ];

    #[test]
    fn production_refuses_unsafe_defaults() {
        let err = with_env(&[("DRIFTGUARD_ENVIRONMENT", "production")], || {
            Settings::load(None).expect_err("generated secret refused")
        });
        assert!(
            format!("{err:#}").contains("DRIFTGUARD_JWT_SECRET"),
            "{err:#}"
        );
        let err = with_env(&PRODUCTION[..2], || {
            Settings::load(None).expect_err("generated audit key refused")
        });
        assert!(
            format!("{err:#}").contains("DRIFTGUARD_AUDIT_KEY"),
            "{err:#}"
        );
        let err = with_env(
            &[&PRODUCTION[..], &[("DRIFTGUARD_CORS_ORIGINS", "*")]].concat(),
            || Settings::load(None).expect_err("wildcard refused"),
        );
        assert!(format!("{err:#}").contains("cors"), "{err:#}");
        let safe = [
            ("DRIFTGUARD_CORS_ORIGINS", "https://app.example"),
            ("DRIFTGUARD_OPEN_REGISTRATION", "false"),
            ("DRIFTGUARD_METRICS_TOKEN", "scraper-token"),
        ];
        let err = with_env(&[&PRODUCTION[..], &safe[..2]].concat(), || {
            Settings::load(None).expect_err("public metrics refused")
        });
        assert!(
            format!("{err:#}").contains("DRIFTGUARD_METRICS_TOKEN"),
            "{err:#}"
        );
        let from_file = [
            &PRODUCTION[..2],
            &[("DRIFTGUARD_AUDIT_KEY_FILE", "/run/secrets/audit_key")],
            &safe[..],
        ]
        .concat();
        let s = with_env(&from_file, || {
            Settings::load(None).expect("a key file will do")
        });
        assert_eq!(
            s.audit_key_file.as_deref(),
            Some(Path::new("/run/secrets/audit_key"))
        );
        let with = |extra: (&'static str, &'static str)| {
            let mut vars = [&PRODUCTION[..], &safe[..2]].concat();
            vars.push(extra);
            with_env(&vars, || {
                Settings::load(None).expect("a safe production config loads")
            })
        };
        with(("DRIFTGUARD_METRICS_TOKEN", "scraper-token"));
        with(("DRIFTGUARD_METRICS_PUBLIC", "true"));
    }

    #[test]
    fn limits_are_a_section() {
        let settings = with_env(
            &[
                ("DRIFTGUARD_LIMITS__MAX_CATEGORIES", "50"),
                ("DRIFTGUARD_LIMITS__MAX_CONCURRENT_UPLOADS", "3"),
            ],
            || Settings::load(None).expect("loads"),
        );
        assert_eq!(settings.data_limits().max_categories, 50);
        assert_eq!(settings.data_limits().max_groups, 1_000, "default kept");
        assert_eq!(settings.http().max_concurrent_uploads, 3);
    }

    #[test]
    fn production_refuses_open_registration_unless_opted_in() {
        let production = [
            &PRODUCTION[..],
            &[
                ("DRIFTGUARD_CORS_ORIGINS", "https://app.example"),
                ("DRIFTGUARD_METRICS_TOKEN", "scraper-token"),
            ],
        ]
        .concat();
        let err = with_env(&production, || {
            Settings::load(None).expect_err("open registration by default")
        });
        assert!(
            format!("{err:#}").contains("DRIFTGUARD_ALLOW_OPEN_REGISTRATION_IN_PRODUCTION"),
            "{err:#}"
        );
        let opted_in = [
            production.as_slice(),
            &[("DRIFTGUARD_ALLOW_OPEN_REGISTRATION_IN_PRODUCTION", "true")],
        ]
        .concat();
        let s = with_env(&opted_in, || Settings::load(None).expect("opted in"));
        assert!(s.open_registration && s.http().open_registration);
        // Development keeps registration open, with no opt-in needed.
        let s = with_env(&[], || Settings::load(None).expect("defaults"));
        assert!(s.open_registration && !s.allow_open_registration_in_production);
    }

    #[test]
    fn one_audit_key_source_at_most() {
        let both = [
            (
                "DRIFTGUARD_AUDIT_KEY",
                "an-audit-key-that-is-long-enough-too",
            ),
            ("DRIFTGUARD_AUDIT_KEY_FILE", "/run/secrets/audit_key"),
        ];
        let err = with_env(&both, || Settings::load(None).expect_err("both refused"));
        assert!(format!("{err:#}").contains("not both"), "{err:#}");
    }

    #[test]
    fn bad_values_are_refused() {
        for (k, v) in [
            ("DRIFTGUARD_ENVIRONMENT", "staging"),
            ("DRIFTGUARD_JWT_SECRET", "short"),
            ("DRIFTGUARD_JWT_SECRET", "31-characters-are-one-too-few!!"),
            ("DRIFTGUARD_AUDIT_KEY", "short"),
            ("DRIFTGUARD_RATE_LIMIT_BACKEND", "redis"),
            ("DRIFTGUARD_DATABASE_POOL_SIZE", "0"),
            ("DRIFTGUARD_BIND", "[1,2]"),
        ] {
            with_env(&[(k, v)], || {
                assert!(Settings::load(None).is_err(), "{k}={v} should be refused");
            });
        }
    }
}
