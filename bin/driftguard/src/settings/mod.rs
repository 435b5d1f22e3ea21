//! Settings: one typed struct of sections (`[server]`, `[database]`, `[auth]`, …), layered as
//! embedded defaults, then an optional TOML file (`driftguard.toml`, or the file `--config` /
//! `DRIFTGUARD_CONFIG` names), then `DRIFTGUARD_*` environment variables: the nested spelling
//! (`DRIFTGUARD_DATABASE__URL`) and every flat name that existed before the sections
//! (`DRIFTGUARD_DATABASE_URL`, see [`flat`]). Choices are enums ([`Environment`],
//! [`RateLimitBackend`]) that serde checks as the settings load. Secrets are wrapped so that
//! they cannot be printed.

pub mod flat;
pub mod sections;

use anyhow::{Context, bail};
use driftguard_app::OverrideSettings;
use driftguard_app::webhooks::address::AddressPolicy;
use driftguard_app::webhooks::delivery::DeliverySettings;
use driftguard_cache::RedisTls;
use driftguard_governance::RiskSettings;
use driftguard_http::HttpSettings;
use driftguard_http::middleware::cors::CorsSettings;
use driftguard_http::middleware::rate_limit_rules::RateLimitSettings;
use driftguard_storage::postgres_tls::with_default_params;
use driftguard_storage::{Backend, DatabaseSettings};
use figment::Figment;
use figment::providers::{Env, Format, Toml};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

use flat::{ENV_PREFIX, Flat};
pub use sections::{
    AttestationSection, AuditSection, AuthSection, CacheSection, CorsSection, DatabaseSection,
    Environment, LimitSettings, LogSection, MetricsSection, RateLimitBackend, RateLimiterSection,
    RedisSection, SentrySection, ServerSection, UiSection, WebhookSection,
};

/// Every setting, with its embedded default.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// `development`, `test` or `production` (which refuses unsafe defaults).
    pub environment: Environment,
    /// Folder for the SQLite file and the generated JWT secret and audit key.
    pub data_dir: PathBuf,
    /// `[server]`: address, workers, body limits.
    pub server: ServerSection,
    /// `[database]`: URL and pool.
    pub database: DatabaseSection,
    /// `[auth]`: tokens, registration, bootstrap and demo accounts.
    pub auth: AuthSection,
    /// `[audit]`: the key that signs the audit trail.
    pub audit: AuditSection,
    /// `[attestation]`: the key that signs deploy decisions' attestations.
    pub attestation: AttestationSection,
    /// `[log]`: folder and level.
    pub log: LogSection,
    /// `[cors]`: allowed browser origins.
    pub cors: CorsSection,
    /// `[rate_limiter]`: where the counters live, trusted proxies.
    pub rate_limiter: RateLimiterSection,
    /// `[ui]`: the dashboard UI's session cookie.
    pub ui: UiSection,
    /// Per-minute quotas by class (`[rate_limits]` in TOML, `DRIFTGUARD_RATE_LIMITS__AUTH_LOGIN`).
    pub rate_limits: RateLimitSettings,
    /// `[redis]`: the shared Redis, if any.
    pub redis: RedisSection,
    /// `[cache]`: the answer cache's size and TTLs.
    pub cache: CacheSection,
    /// `[metrics]`: access to `/metrics`.
    pub metrics: MetricsSection,
    /// `[sentry]`: error reporting.
    pub sentry: SentrySection,
    /// The risk score's numbers (`[risk]` in TOML, `DRIFTGUARD_RISK__DRIFT_SHARE_THRESHOLD`,
    /// `DRIFTGUARD_RISK__TIER_MULTIPLIERS__CRITICAL`, ...); SPEC §2's values by default.
    pub risk: RiskSettings,
    /// Four-eyes overrides (`[overrides]` in TOML): approvers an override needs per risk tier
    /// (`DRIFTGUARD_OVERRIDE_APPROVALS__CRITICAL=2`, or nested
    /// `DRIFTGUARD_OVERRIDES__APPROVALS__CRITICAL`; 1 or 2, default 2 for critical and 1
    /// otherwise) and how long a request waits (`DRIFTGUARD_OVERRIDE_EXPIRY_SECS`, 24 h).
    pub overrides: OverrideSettings,
    /// Bounds on what one upload may hold and on how many expensive requests run at once
    /// (`[limits]` in TOML, `DRIFTGUARD_LIMITS__MAX_CATEGORIES`, ...).
    pub limits: LimitSettings,
    /// `[webhooks]`: the delivery worker, allowed addresses, timeout, retries.
    pub webhooks: WebhookSection,
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
        Self {
            environment: Environment::default(),
            data_dir: PathBuf::from("data"),
            server: ServerSection::default(),
            database: DatabaseSection::default(),
            auth: AuthSection::default(),
            audit: AuditSection::default(),
            attestation: AttestationSection::default(),
            log: LogSection::default(),
            cors: CorsSection::default(),
            rate_limiter: RateLimiterSection::default(),
            ui: UiSection::default(),
            rate_limits: RateLimitSettings::default(),
            redis: RedisSection::default(),
            cache: CacheSection::default(),
            metrics: MetricsSection::default(),
            sentry: SentrySection::default(),
            risk: RiskSettings::default(),
            overrides: OverrideSettings::default(),
            limits: LimitSettings::default(),
            webhooks: WebhookSection::default(),
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
            Some(path) => figment = figment.merge(Flat::file(Toml::file(path))),
            None => figment = figment.merge(Flat::file(Toml::file("driftguard.toml"))),
        }
        let settings: Settings = figment
            .merge(Flat::file(Env::raw().only(&["SENTRY_DSN"])))
            .merge(Flat::environment(
                Env::prefixed(ENV_PREFIX).ignore(&["config"]).split("__"),
            ))
            .extract()
            .context("invalid settings")?;
        settings.validate()?;
        Ok(settings)
    }

    /// Whether this is a production deployment.
    pub fn is_production(&self) -> bool {
        self.environment == Environment::Production
    }

    fn validate(&self) -> anyhow::Result<()> {
        if self.is_production() && self.auth.jwt_secret.is_none() {
            bail!("production needs DRIFTGUARD_JWT_SECRET: a generated secret is refused");
        }
        if let Some(secret) = &self.auth.jwt_secret {
            crate::secret::check_length(secret, "jwt_secret")?;
        }
        self.validate_audit_key()?;
        self.validate_attestation_key()?;
        self.webhook_delivery()?;
        self.cors()
            .validate(self.is_production())
            .context("invalid cors_origins")?;
        if self.is_production() && self.metrics.token.is_none() && !self.metrics.public {
            bail!(
                "production needs DRIFTGUARD_METRICS_TOKEN (or metrics_public = true to serve \
                 /metrics to anyone who can reach it)"
            );
        }
        self.risk
            .validate()
            .map_err(|e| anyhow::anyhow!("invalid risk settings: {e}"))?;
        self.overrides
            .validate()
            .map_err(|e| anyhow::anyhow!("invalid DRIFTGUARD_OVERRIDE_EXPIRY_SECS: {e}"))?;
        if self.rate_limiter.backend == RateLimitBackend::Redis && self.redis.url.is_none() {
            bail!("DRIFTGUARD_RATE_LIMIT_BACKEND=redis needs DRIFTGUARD_REDIS_URL");
        }
        let db = &self.database;
        let database_tls = [&db.tls_ca_file, &db.tls_cert_file, &db.tls_key_file];
        if database_tls.iter().any(|f| f.is_some())
            && Backend::of_url(&self.database().url) != Backend::Postgres
        {
            bail!("DRIFTGUARD_DATABASE_TLS_* apply to PostgreSQL only; the database URL is SQLite");
        }
        if db.pool_size == 0 || db.max_connections < db.pool_size {
            bail!(
                "DRIFTGUARD_DATABASE_MAX_CONNECTIONS must be at least \
                 DRIFTGUARD_DATABASE_POOL_SIZE, which must be > 0"
            );
        }
        if self.is_production()
            && self.auth.open_registration
            && !self.auth.allow_open_registration_in_production
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
        match (&self.audit.key, &self.audit.key_file) {
            (Some(_), Some(_)) => bail!("set audit_key or audit_key_file, not both"),
            (Some(key), None) => crate::secret::check_length(key, "audit_key"),
            (None, None) if self.is_production() => bail!(
                "production needs DRIFTGUARD_AUDIT_KEY or DRIFTGUARD_AUDIT_KEY_FILE: a generated \
                 audit key is refused"
            ),
            _ => Ok(()),
        }
    }

    fn validate_attestation_key(&self) -> anyhow::Result<()> {
        let section = &self.attestation;
        match (&section.signing_key, &section.signing_key_file) {
            (Some(_), Some(_)) => {
                bail!("set attestation.signing_key or attestation.signing_key_file, not both")
            }
            (None, None) if self.is_production() => bail!(
                "production needs DRIFTGUARD_ATTESTATION__SIGNING_KEY or \
                 DRIFTGUARD_ATTESTATION__SIGNING_KEY_FILE: a generated attestation key is refused"
            ),
            _ => Ok(()),
        }
    }

    /// The database settings. The TLS files join a PostgreSQL URL as libpq's parameters
    /// (`sslrootcert`, `sslcert`, `sslkey`) where it does not name them itself, so that the
    /// pool, the migrations and `pg_dump` all read them from the one URL.
    pub fn database(&self) -> DatabaseSettings {
        let db = &self.database;
        let mut url = db.url.clone().unwrap_or_else(|| {
            format!("sqlite://{}", self.data_dir.join("driftguard.db").display())
        });
        if Backend::of_url(&url) == Backend::Postgres {
            let path = |file: &Option<PathBuf>| file.as_ref().map(|p| p.display().to_string());
            let (ca, cert, key) = (
                path(&db.tls_ca_file),
                path(&db.tls_cert_file),
                path(&db.tls_key_file),
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
            pool_size: db.pool_size,
            max_connections: db.max_connections,
            recycle_after_secs: db.recycle_secs,
            connect_timeout_secs: db.connect_timeout_secs,
            statement_timeout_secs: db.statement_timeout_secs,
            migrate_on_start: db.migrate_on_start,
            sqlite_cache_kib: db.sqlite_cache_kib,
        }
    }

    /// The certificates of a `rediss://` Redis URL.
    pub fn redis_tls(&self) -> RedisTls {
        RedisTls {
            ca_file: self.redis.tls_ca_file.clone(),
            cert_file: self.redis.tls_cert_file.clone(),
            key_file: self.redis.tls_key_file.clone(),
        }
    }

    /// The CORS settings.
    pub fn cors(&self) -> CorsSettings {
        CorsSettings {
            origins: self.cors.origins.clone(),
            allow_credentials: self.cors.allow_credentials,
        }
    }

    /// The HTTP settings.
    pub fn http(&self) -> HttpSettings {
        HttpSettings {
            cors: self.cors(),
            rate_limits: RateLimitSettings {
                trusted_proxies: self.rate_limiter.trusted_proxies.clone(),
                ..self.rate_limits.clone()
            },
            metrics_token: self.metrics.token.clone(),
            max_json_bytes: self.server.max_json_bytes,
            max_upload_bytes: self.server.max_upload_bytes,
            workers: self.server.workers,
            shutdown_grace_secs: self.server.shutdown_grace_secs,
            open_registration: self.auth.open_registration,
            max_concurrent_uploads: self.limits.max_concurrent_uploads,
        }
    }

    /// How webhooks are delivered: the `[webhooks]` section, its lists read as an address
    /// policy (an entry that is no network is an error naming the setting).
    pub fn webhook_delivery(&self) -> anyhow::Result<DeliverySettings> {
        let w = &self.webhooks;
        if w.max_attempts == 0 || w.timeout_secs == 0 {
            bail!("webhooks.max_attempts and webhooks.timeout_secs must be at least 1");
        }
        let addresses = AddressPolicy::new(&w.allowed_hosts, &w.allowed_networks)
            .map_err(|e| anyhow::anyhow!("invalid webhooks.allowed_networks: {e}"))?;
        Ok(DeliverySettings {
            addresses,
            timeout: Duration::from_secs(w.timeout_secs),
            max_attempts: w.max_attempts,
            backoff_base: Duration::from_millis(w.backoff_base_ms),
            backoff_max: Duration::from_secs(w.backoff_max_secs),
            poll_interval: Duration::from_millis(w.poll_interval_ms.max(1)),
            ..DeliverySettings::default()
        })
    }

    /// What one upload may hold.
    pub fn data_limits(&self) -> driftguard_stats::Limits {
        driftguard_stats::Limits {
            max_bytes: self.server.max_upload_bytes,
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
        assert_eq!(s.server.bind, "127.0.0.1:8000");
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
            assert_eq!(s.server.bind, "0.0.0.0:9000");
            assert_eq!(s.auth.token_lifetime_secs, 120);
            assert_eq!(s.cors.origins, ["https://a.example", "https://b.example"]);
            assert_eq!(s.rate_limits.auth_login.get(), 7);
            assert_eq!(s.rate_limits.auth_register.get(), 9);
            assert!(s.sentry.dsn.is_some());
            assert_eq!(s.risk.tier_multipliers.critical, 1.5);
            assert_eq!(s.risk.drift_share_threshold, 0.5);
            Ok(())
        });
    }

    #[test]
    fn override_approvals_are_one_or_two_per_tier_and_errors_name_the_variable() {
        use driftguard_app::Approvals;
        use driftguard_core::RiskTier;
        let s = with_env(&[], || Settings::load(None).expect("defaults load"));
        assert_eq!(s.overrides.approvals.of(RiskTier::Critical), Approvals::Two);
        assert_eq!(s.overrides.approvals.of(RiskTier::High), Approvals::One);
        assert_eq!(s.overrides.expiry_secs, 86_400);
        let s = with_env(
            &[
                ("DRIFTGUARD_OVERRIDE_APPROVALS__HIGH", "2"),
                ("DRIFTGUARD_OVERRIDE_APPROVALS__CRITICAL", "1"),
                ("DRIFTGUARD_OVERRIDE_EXPIRY_SECS", "60"),
            ],
            || Settings::load(None).expect("valid overrides"),
        );
        assert_eq!(s.overrides.approvals.of(RiskTier::High), Approvals::Two);
        assert_eq!(s.overrides.approvals.of(RiskTier::Critical), Approvals::One);
        assert_eq!(s.overrides.expiry_secs, 60);
        // The nested spelling works too (and, for the whole table, wins over the flat one).
        let s = with_env(&[("DRIFTGUARD_OVERRIDES__APPROVALS__LOW", "2")], || {
            Settings::load(None).expect("valid overrides")
        });
        assert_eq!(s.overrides.approvals.of(RiskTier::Low), Approvals::Two);
        assert_eq!(s.overrides.approvals.of(RiskTier::Critical), Approvals::Two);
        for (name, value) in [
            ("DRIFTGUARD_OVERRIDE_APPROVALS__CRITICAL", "3"),
            ("DRIFTGUARD_OVERRIDE_APPROVALS__LOW", "0"),
            ("DRIFTGUARD_OVERRIDE_APPROVALS__LOW", "two"),
        ] {
            let err = with_env(&[(name, value)], || {
                Settings::load(None).expect_err("not 1 or 2")
            });
            assert!(format!("{err:#}").contains(name), "{name}={value}: {err:#}");
        }
        let err = with_env(&[("DRIFTGUARD_OVERRIDE_EXPIRY_SECS", "0")], || {
            Settings::load(None).expect_err("no expiry")
        });
        assert!(
            format!("{err:#}").contains("DRIFTGUARD_OVERRIDE_EXPIRY_SECS"),
            "{err:#}"
        );
    }

    const PRODUCTION: [(&str, &str); 4] = [
        ("DRIFTGUARD_ENVIRONMENT", "production"),
        (
            "DRIFTGUARD_JWT_SECRET",
            "a-production-secret-of-enough-length",
        ),
        ("DRIFTGUARD_AUDIT_KEY", "a-production-audit-key-long-enough"),
        (
            "DRIFTGUARD_ATTESTATION__SIGNING_KEY",
            "2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a",
        ),
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
        let err = with_env(&PRODUCTION[..3], || {
            Settings::load(None).expect_err("generated attestation key refused")
        });
        assert!(
            format!("{err:#}").contains("DRIFTGUARD_ATTESTATION__SIGNING_KEY"),
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
            &PRODUCTION[3..],
            &safe[..],
        ]
        .concat();
        let s = with_env(&from_file, || {
            Settings::load(None).expect("a key file will do")
        });
        assert_eq!(
            s.audit.key_file.as_deref(),
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
    fn attestation_keys_come_from_their_section_and_are_checked() {
        use secrecy::SecretString;
        let seed = PRODUCTION[3].1;
        let settings = with_env(
            &[
                ("DRIFTGUARD_ATTESTATION__SIGNING_KEY", seed),
                ("DRIFTGUARD_ATTESTATION__RETIRED_PUBLIC_KEYS", "a, b"),
            ],
            || Settings::load(None).expect("loads"),
        );
        assert_eq!(settings.attestation.retired_public_keys, ["a", "b"]);
        let err = crate::wiring::attestation_keys(&settings).expect_err("not base64 keys");
        assert!(
            format!("{err:#}").contains("retired_public_keys"),
            "{err:#}"
        );
        let mut settings = settings;
        let retired = "O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik=";
        settings.attestation.retired_public_keys = vec![retired.to_owned()];
        let ring = crate::wiring::attestation_keys(&settings).expect("keys");
        let served: Vec<String> = ring
            .public_keys()
            .into_iter()
            .map(|k| k.public_key)
            .collect();
        assert_eq!(served.len(), 2);
        assert_eq!(served[1], retired);
        settings.attestation.signing_key = Some(SecretString::from("ab".repeat(31)));
        assert!(
            crate::wiring::attestation_keys(&settings).is_err(),
            "31 bytes"
        );
        let err = with_env(
            &[
                ("DRIFTGUARD_ATTESTATION__SIGNING_KEY", seed),
                ("DRIFTGUARD_ATTESTATION__SIGNING_KEY_FILE", "/run/secrets/k"),
            ],
            || Settings::load(None).expect_err("one source at most"),
        );
        assert!(format!("{err:#}").contains("not both"), "{err:#}");
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
    fn webhooks_are_a_section_with_flat_names() {
        let settings = with_env(
            &[
                (
                    "DRIFTGUARD_WEBHOOKS_ALLOWED_HOSTS",
                    "hooks.internal, 127.0.0.1",
                ),
                ("DRIFTGUARD_WEBHOOKS__ALLOWED_NETWORKS", "10.1.0.0/16"),
                ("DRIFTGUARD_WEBHOOKS_MAX_ATTEMPTS", "3"),
            ],
            || Settings::load(None).expect("loads"),
        );
        assert_eq!(
            settings.webhooks.allowed_hosts,
            ["hooks.internal", "127.0.0.1"]
        );
        let delivery = settings.webhook_delivery().expect("valid");
        assert_eq!(delivery.max_attempts, 3);
        let loopback = "127.0.0.1".parse().expect("ip");
        assert!(delivery.addresses.check("127.0.0.1", loopback).is_ok());
        assert!(delivery.addresses.check("localhost", loopback).is_err());
        let err = with_env(
            &[("DRIFTGUARD_WEBHOOKS_ALLOWED_NETWORKS", "10.0.0.0/99")],
            || Settings::load(None).expect_err("not a network"),
        );
        assert!(
            format!("{err:#}").contains("webhooks.allowed_networks"),
            "{err:#}"
        );
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
        assert!(s.auth.open_registration && s.http().open_registration);
        // Development keeps registration open, with no opt-in needed.
        let s = with_env(&[], || Settings::load(None).expect("defaults"));
        assert!(s.auth.open_registration && !s.auth.allow_open_registration_in_production);
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
        // A value serde refuses names the variable as the user spelled it.
        for (k, v) in [
            ("DRIFTGUARD_ENVIRONMENT", "staging"),
            ("DRIFTGUARD_RATE_LIMIT_BACKEND", "memcached"),
            ("DRIFTGUARD_DATABASE_POOL_SIZE", "many"),
            ("DRIFTGUARD_CACHE_TTLS__POLICIES_SECS", "soon"),
        ] {
            let err = with_env(&[(k, v)], || Settings::load(None).expect_err("refused"));
            assert!(format!("{err:#}").contains(k), "{k}={v}: {err:#}");
        }
    }

    #[test]
    fn sections_take_nested_names_and_the_flat_ones_they_had() {
        let s = with_env(
            &[
                ("DRIFTGUARD_ENVIRONMENT", "test"),
                ("DRIFTGUARD_DATABASE__POOL_SIZE", "7"),
                ("DRIFTGUARD_DATABASE_MAX_CONNECTIONS", "9"),
                ("DRIFTGUARD_DATABASE_SQLITE_CACHE_KIB", "300"),
                ("DRIFTGUARD_RATE_LIMIT_BACKEND", "redis"),
                ("DRIFTGUARD_REDIS__URL", "redis://127.0.0.1:1"),
                ("DRIFTGUARD_CACHE_TTLS__POLICIES_SECS", "5"),
                ("DRIFTGUARD_TRUSTED_PROXIES", "10.0.0.0/8, 192.168.0.1"),
            ],
            || Settings::load(None).expect("loads"),
        );
        assert_eq!(s.environment, Environment::Test);
        assert_eq!(
            (
                s.database().pool_size,
                s.database().max_connections,
                s.database().sqlite_cache_kib
            ),
            (7, 9, 300)
        );
        assert_eq!(s.rate_limiter.backend, RateLimitBackend::Redis);
        assert_eq!(s.redis.url.as_deref(), Some("redis://127.0.0.1:1"));
        assert_eq!(s.cache.ttls.policies_secs, 5);
        assert_eq!(
            s.http().rate_limits.trusted_proxies,
            ["10.0.0.0/8", "192.168.0.1"]
        );
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "driftguard.toml",
                "[server]\nbind = \"0.0.0.0:9001\"\n[auth]\ntoken_lifetime_secs = 90\n",
            )?;
            let s = Settings::load(None).expect("load");
            assert_eq!(
                (s.server.bind.as_str(), s.auth.token_lifetime_secs),
                ("0.0.0.0:9001", 90)
            );
            Ok(())
        });
    }
}
