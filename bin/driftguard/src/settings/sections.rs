//! The sections of the settings (`[server]`, `[database]`, `[auth]`, …) and the enums that
//! name a choice, each with its embedded default. Serde refuses a value outside an enum when
//! the settings load, naming the variable or key (see [`super::flat`]).

use std::fmt;
use std::path::PathBuf;

use driftguard_cache::CacheTtls;
use driftguard_http::HttpSettings;
use driftguard_storage::DatabaseSettings;
use secrecy::SecretString;
use serde::Deserialize;

/// Where the service runs; production refuses unsafe defaults.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Environment {
    /// A developer's machine: generated secrets and open defaults are fine.
    #[default]
    Development,
    /// A test run.
    Test,
    /// Production: refuses generated secrets, wildcard CORS, public metrics, open registration.
    Production,
}

impl Environment {
    /// The name, as written in settings and reported to Sentry.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Development => "development",
            Self::Test => "test",
            Self::Production => "production",
        }
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where rate-limit counters live.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RateLimitBackend {
    /// In this process: one replica.
    #[default]
    Memory,
    /// In Redis (`redis.url`), shared by every replica.
    Redis,
}

/// `[server]`: where and how the HTTP server listens.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct ServerSection {
    /// Address and port to serve on.
    pub bind: String,
    /// HTTP worker threads (0: one per core).
    pub workers: usize,
    /// Seconds a SIGTERM leaves requests in progress to finish (no new connections meanwhile).
    pub shutdown_grace_secs: u64,
    /// Largest JSON body, bytes.
    pub max_json_bytes: usize,
    /// Largest data upload (reference or current data), bytes.
    pub max_upload_bytes: usize,
}

impl Default for ServerSection {
    fn default() -> Self {
        let http = HttpSettings::default();
        Self {
            bind: "127.0.0.1:8000".into(),
            workers: 0,
            shutdown_grace_secs: http.shutdown_grace_secs,
            max_json_bytes: http.max_json_bytes,
            max_upload_bytes: http.max_upload_bytes,
        }
    }
}

/// `[database]`: the database and its pool.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct DatabaseSection {
    /// `sqlite://...` (default: a file in `data_dir`) or `postgres://...`.
    pub url: Option<String>,
    /// Connections kept open when idle.
    pub pool_size: usize,
    /// Most connections open at once, under spikes.
    pub max_connections: usize,
    /// Seconds after which a connection is replaced.
    pub recycle_secs: u64,
    /// Seconds to wait for a connection.
    pub connect_timeout_secs: u64,
    /// Seconds a PostgreSQL statement may run.
    pub statement_timeout_secs: u64,
    /// Whether `serve` applies pending migrations at start; off when the server connects as a
    /// runtime role that may not change the schema (`driftguard migrate` does it instead).
    pub migrate_on_start: bool,
    /// SQLite: each pooled connection's page cache, in KiB.
    pub sqlite_cache_kib: u32,
    /// PostgreSQL TLS: PEM file of the CA to trust (libpq's `sslrootcert`; the URL's
    /// `sslmode` says how much TLS is required and checked, see docs/operations.md).
    pub tls_ca_file: Option<PathBuf>,
    /// PostgreSQL TLS: PEM file of a client certificate (`sslcert`), with its key.
    pub tls_cert_file: Option<PathBuf>,
    /// PostgreSQL TLS: PEM file of the client certificate's key (`sslkey`).
    pub tls_key_file: Option<PathBuf>,
}

impl Default for DatabaseSection {
    fn default() -> Self {
        let db = DatabaseSettings::default();
        Self {
            url: None,
            pool_size: db.pool_size,
            max_connections: db.max_connections,
            recycle_secs: db.recycle_after_secs,
            connect_timeout_secs: db.connect_timeout_secs,
            statement_timeout_secs: db.statement_timeout_secs,
            migrate_on_start: db.migrate_on_start,
            sqlite_cache_kib: db.sqlite_cache_kib,
            tls_ca_file: None,
            tls_cert_file: None,
            tls_key_file: None,
        }
    }
}

/// `[auth]`: tokens, registration and the accounts made at start.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct AuthSection {
    /// HMAC secret for tokens; generated once into `data_dir` when unset (not in production).
    pub jwt_secret: Option<SecretString>,
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
}

impl Default for AuthSection {
    fn default() -> Self {
        Self {
            jwt_secret: None,
            jwt_issuer: "driftguard".into(),
            token_lifetime_secs: 3600,
            open_registration: true,
            allow_open_registration_in_production: false,
            bootstrap_admin_email: None,
            bootstrap_admin_password: None,
            demo_password: None,
        }
    }
}

/// `[audit]`: the key that signs the audit trail's checkpoints, kept outside the database.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AuditSection {
    /// The key (at least 32 characters); generated once into `data_dir` when neither it nor
    /// `key_file` is set (not in production).
    pub key: Option<SecretString>,
    /// A file holding that key (a mounted secret), read at start.
    pub key_file: Option<PathBuf>,
}

/// `[attestation]`: the Ed25519 key that signs deploy decisions' attestations, and the
/// public keys of the keys it replaced (docs/attestations.md).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AttestationSection {
    /// The signing key: an Ed25519 seed of 32 bytes as 64 hex digits; generated once into
    /// `data_dir` when neither it nor `signing_key_file` is set (not in production).
    pub signing_key: Option<SecretString>,
    /// A file holding that key (a mounted secret), read at start.
    pub signing_key_file: Option<PathBuf>,
    /// The public keys (base64) of retired signing keys, still served and trusted for
    /// verification: a TOML array or one comma-separated string.
    #[serde(deserialize_with = "super::list::deserialize")]
    pub retired_public_keys: Vec<String>,
}

/// `[log]`: where logs go and how much.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct LogSection {
    /// Folder of `app.log` and `errors.log`.
    pub dir: PathBuf,
    /// Log level filter (`info`, `debug`, or `info,driftguard_http=debug`).
    pub level: String,
}

impl Default for LogSection {
    fn default() -> Self {
        Self {
            dir: PathBuf::from("logs"),
            level: "info".into(),
        }
    }
}

/// `[cors]`: which browser origins may call the API.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CorsSection {
    /// Origins allowed to call the API from a browser (a list, or comma-separated).
    #[serde(deserialize_with = "super::list::deserialize")]
    pub origins: Vec<String>,
    /// Whether cross-origin requests may carry credentials.
    pub allow_credentials: bool,
}

/// `[ui]`: the dashboard UI.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct UiSection {
    /// Mark the session cookie `Secure` even when the request came over plain HTTP (behind a
    /// proxy that ends TLS); over HTTPS it always is (`DRIFTGUARD_UI_SECURE_COOKIES`).
    pub secure_cookies: bool,
}

/// `[rate_limiter]`: where the counters live and whose forwarded addresses are believed (the
/// quotas are `[rate_limits]`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RateLimiterSection {
    /// `memory` (one process) or `redis` (shared by replicas; needs `redis.url`).
    pub backend: RateLimitBackend,
    /// Proxies whose `X-Forwarded-For` is believed (IPs or CIDR blocks).
    #[serde(deserialize_with = "super::list::deserialize")]
    pub trusted_proxies: Vec<String>,
}

/// `[redis]`: the Redis the shared rate limiter and cache use.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct RedisSection {
    /// When set, answers are cached there (shared by every replica), else in process.
    pub url: Option<String>,
    /// Prefix of every Redis key (`{prefix}:rl:…` for rate limits, `{prefix}:cache:…` for
    /// answers), so that several deployments can share one Redis.
    pub key_prefix: String,
    /// Redis TLS (`rediss://` URLs): PEM file of the CA to trust; unset, the machine's.
    pub tls_ca_file: Option<PathBuf>,
    /// Redis TLS: PEM file of a client certificate, with its key.
    pub tls_cert_file: Option<PathBuf>,
    /// Redis TLS: PEM file of the client certificate's key.
    pub tls_key_file: Option<PathBuf>,
}

impl Default for RedisSection {
    fn default() -> Self {
        Self {
            url: None,
            key_prefix: "driftguard".into(),
            tls_ca_file: None,
            tls_cert_file: None,
            tls_key_file: None,
        }
    }
}

/// `[cache]`: the answer cache.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct CacheSection {
    /// Most memory the in-process cache holds, in bytes (keys and values); unused with Redis.
    pub max_bytes: u64,
    /// How long cached answers live (`[cache.ttls]`, or `DRIFTGUARD_CACHE_TTLS__…`): summary
    /// 60 s, compliance 300 s, risk trends 600 s, policies 1800 s.
    pub ttls: CacheTtls,
    /// Most memory each replica gives to prepared reference data kept between evaluations,
    /// in bytes (`cache_reference_bytes`; 0 keeps none): 256 MiB, about two
    /// 1M-row references of 20 columns.
    pub reference_bytes: u64,
}

impl Default for CacheSection {
    fn default() -> Self {
        Self {
            max_bytes: 64 << 20,
            ttls: CacheTtls::default(),
            reference_bytes: 256 << 20,
        }
    }
}

/// `[metrics]`: who may read `/metrics`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MetricsSection {
    /// When set, `/metrics` needs this bearer token.
    pub token: Option<SecretString>,
    /// Production refuses to start without `token` unless this says `/metrics` may be public
    /// (a network that only the scraper reaches).
    pub public: bool,
}

/// `[sentry]`: error reporting.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SentrySection {
    /// Sentry DSN (also read from `SENTRY_DSN`); Sentry is off without one.
    pub dsn: Option<SecretString>,
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

/// `[webhooks]`: delivery of signed webhooks (docs/webhooks.md).
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct WebhookSection {
    /// Whether this replica runs the delivery worker (events are put in the outbox either
    /// way, and any replica with the worker on sends them).
    pub enabled: bool,
    /// Host names (or addresses) that may be sent to even when they resolve to a private,
    /// loopback or link-local address: a TOML array or one comma-separated string.
    #[serde(deserialize_with = "super::list::deserialize")]
    pub allowed_hosts: Vec<String>,
    /// Networks (CIDR, `10.20.0.0/16`, or single addresses) that may be sent to although
    /// they are not public.
    #[serde(deserialize_with = "super::list::deserialize")]
    pub allowed_networks: Vec<String>,
    /// Seconds one POST may take, connecting included.
    pub timeout_secs: u64,
    /// Attempts before a delivery is marked failed.
    pub max_attempts: u32,
    /// Milliseconds to wait after the first failure; the wait doubles after each (with
    /// jitter) up to `backoff_max_secs`.
    pub backoff_base_ms: u64,
    /// The longest wait between attempts, seconds.
    pub backoff_max_secs: u64,
    /// Milliseconds between looks for due deliveries when none was found.
    pub poll_interval_ms: u64,
}

impl Default for WebhookSection {
    fn default() -> Self {
        let d = driftguard_app::webhooks::delivery::DeliverySettings::default();
        let millis = |d: std::time::Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        Self {
            enabled: true,
            allowed_hosts: Vec::new(),
            allowed_networks: Vec::new(),
            timeout_secs: d.timeout.as_secs(),
            max_attempts: d.max_attempts,
            backoff_base_ms: millis(d.backoff_base),
            backoff_max_secs: d.backoff_max.as_secs(),
            poll_interval_ms: millis(d.poll_interval),
        }
    }
}
