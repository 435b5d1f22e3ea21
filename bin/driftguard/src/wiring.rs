//! Wiring: settings in, adapters chosen, use cases built.

use crate::secret;
use crate::settings::{RateLimitBackend, Settings};
use crate::webhooks::HttpTransport;
use anyhow::Context;
use driftguard_app::audit::DeploymentLog;
use driftguard_app::audit::attestation::{Keyring, PublicKey, SigningKey};
use driftguard_app::audit::{ChainKey, Outcome};
use driftguard_app::ports::webhooks::HostResolver;
use driftguard_app::webhooks::SystemResolver;
use driftguard_app::webhooks::delivery::Deliveries;
use driftguard_app::{Services, Setup, UsageMetrics};
use driftguard_auth::{RememberedUsers, TokenService};
use driftguard_cache::{
    AnswerCache, Cache, InProcessCache, InProcessRateLimiter, RateLimiter, RedisCache,
    RedisCacheOptions, RedisLimiterOptions, RedisRateLimiter,
};
use driftguard_governance::MetricKind;
use driftguard_observability::{DeploymentOutcome, Metrics, ViolationKind};
use driftguard_storage::settings::Backend;
use driftguard_storage::{Database, Store, migrate};
use secrecy::ExposeSecret;
use std::sync::Arc;
use std::time::Duration;

/// The database pool, the use cases over it, and what the HTTP layer needs besides.
pub struct Wired {
    /// The use cases.
    pub services: Services,
    /// The pool (health, gauges, maintenance).
    pub database: Database,
    /// The Prometheus registry and handles.
    pub metrics: Metrics,
    /// Where request quotas are counted.
    pub limiter: Arc<dyn RateLimiter>,
    /// Where dashboard and policy answers are cached.
    pub cache: AnswerCache,
    /// The webhook deliveries, for the worker `serve` runs when `[webhooks] enabled`.
    pub deliveries: Deliveries,
}

/// The counters of the use cases, on the Prometheus handles.
struct PrometheusUsage(Metrics);

impl UsageMetrics for PrometheusUsage {
    fn deployment(&self, outcome: Outcome) {
        let counted = match outcome {
            Outcome::Deployed => DeploymentOutcome::Success,
            Outcome::Blocked => DeploymentOutcome::Failure,
            Outcome::Overridden => DeploymentOutcome::Override,
            // Steps of a four-eyes request are no deployment; its approval is `Overridden`.
            Outcome::Superseded
            | Outcome::Retired
            | Outcome::OverrideRequested
            | Outcome::OverrideRejected
            | Outcome::OverrideExpired
            | Outcome::OverrideVoided => return,
        };
        self.0.record_deployment(counted);
    }

    fn violation(&self, kind: MetricKind) {
        let counted = match kind {
            MetricKind::Drift => ViolationKind::Drift,
            MetricKind::Fairness => ViolationKind::Fairness,
            MetricKind::Performance => ViolationKind::Performance,
            MetricKind::Risk => ViolationKind::Risk,
            MetricKind::NoEvaluation => return,
        };
        self.0.record_violation(counted);
    }

    fn kept_reference(&self, hit: bool) {
        self.0.cache_lookup("kept_reference", hit);
    }
}

/// The rate limiter the settings ask for: in-process, or Redis (which falls back to
/// in-process limits while Redis is down).
fn limiter(settings: &Settings) -> anyhow::Result<Arc<dyn RateLimiter>> {
    match (settings.rate_limiter.backend, settings.redis.url.as_deref()) {
        (RateLimitBackend::Redis, Some(url)) => Ok(Arc::new(
            RedisRateLimiter::new(
                url,
                RedisLimiterOptions {
                    key_prefix: format!("{}:rl", settings.redis.key_prefix),
                    tls: settings.redis_tls(),
                    ..RedisLimiterOptions::default()
                },
            )
            .context("setting up the Redis rate limiter")?,
        )),
        _ => Ok(Arc::new(InProcessRateLimiter::new())),
    }
}

/// The answer cache: Redis whenever a Redis URL is set (so that every replica shares it and
/// sees every invalidation), else bounded in-process memory.
fn answer_cache(settings: &Settings) -> anyhow::Result<AnswerCache> {
    let store: Arc<dyn Cache> = match settings.redis.url.as_deref() {
        Some(url) => Arc::new(
            RedisCache::new(
                url,
                RedisCacheOptions {
                    key_prefix: format!("{}:cache", settings.redis.key_prefix),
                    tls: settings.redis_tls(),
                    ..RedisCacheOptions::default()
                },
            )
            .context("setting up the Redis cache")?,
        ),
        None => Arc::new(InProcessCache::new(settings.cache.max_bytes)),
    };
    Ok(AnswerCache::new(store, settings.cache.ttls))
}

/// Where authentication remembers users between requests: the answer cache, where every
/// process that can change a user sees what the others forget — Redis, shared by every
/// replica, or the process's own memory when its database is an SQLite file (one server
/// per file). On PostgreSQL without Redis, replicas could each remember a user another one
/// changed: every request reads its user.
fn remembered_users(
    settings: &Settings,
    database: &Database,
    cache: &AnswerCache,
) -> Option<Arc<dyn RememberedUsers>> {
    let shared = settings.redis.url.is_some() || database.backend() == Backend::Sqlite;
    shared.then(|| Arc::new(cache.clone()) as Arc<dyn RememberedUsers>)
}

/// The key that signs the audit trail's checkpoints, as the settings give it.
pub fn chain_key(settings: &Settings) -> anyhow::Result<ChainKey> {
    let key = secret::audit_key(
        settings.audit.key.as_ref(),
        settings.audit.key_file.as_deref(),
        &settings.data_dir,
    )?;
    Ok(ChainKey::new(key.expose_secret().as_bytes()))
}

/// The key that signs attestations and the retired keys still trusted, as the settings give
/// them.
pub fn attestation_keys(settings: &Settings) -> anyhow::Result<Keyring> {
    let section = &settings.attestation;
    let seed = secret::attestation_key(
        section.signing_key.as_ref(),
        section.signing_key_file.as_deref(),
        &settings.data_dir,
    )?;
    let signing = SigningKey::from_hex(seed.expose_secret()).context("attestation.signing_key")?;
    let retired = section
        .retired_public_keys
        .iter()
        .map(|key| PublicKey::from_base64(key))
        .collect::<Result<Vec<_>, _>>()
        .context("attestation.retired_public_keys")?;
    Ok(Keyring::new(signing, retired))
}

/// Applies pending migrations and returns their versions, then [`seal_if_introduced`].
pub async fn migrate(settings: &Settings) -> anyhow::Result<Vec<String>> {
    let db_settings = settings.database();
    let applied = migrate::run_pending(&db_settings.url)
        .await
        .context("running database migrations")?;
    if !applied.is_empty() {
        tracing::info!(migrations = ?applied, "database migrated");
    }
    seal_if_introduced(settings, &applied).await?;
    Ok(applied)
}

/// When the migrations just `applied` introduced the signed checkpoints, signs the history
/// written before them once, so that it verifies at once instead of after the next append.
pub async fn seal_if_introduced(settings: &Settings, applied: &[String]) -> anyhow::Result<()> {
    if migrate::introduces_checkpoints(applied) {
        let database =
            Database::connect(&settings.database()).context("connecting to the database")?;
        let sealed = Store::new(database, chain_key(settings)?)
            .seal_unsigned_history()
            .await
            .context("signing the audit trail's head")?;
        if let Some(checkpoint) = sealed {
            tracing::info!(last_id = checkpoint.last_id.0, "audit.history_sealed");
        }
    }
    Ok(())
}

/// Connects to the database (migrating it first when asked and the settings allow) and
/// builds every use case.
pub async fn wire(settings: &Settings, migrate_first: bool) -> anyhow::Result<Wired> {
    let db_settings = settings.database();
    if migrate_first && db_settings.migrate_on_start {
        migrate(settings).await?;
    }
    let database = Database::connect(&db_settings).context("connecting to the database")?;
    let chain_key = chain_key(settings)?;
    let store = Arc::new(Store::new(database.clone(), chain_key.clone()));
    let secret = secret::load_or_generate(settings.auth.jwt_secret.as_ref(), &settings.data_dir)?;
    let tokens = TokenService::new(
        &secret,
        settings.auth.jwt_issuer.clone(),
        Duration::from_secs(settings.auth.token_lifetime_secs),
    );
    let metrics = Metrics::new().context("setting up metrics")?;
    let cache = answer_cache(settings)?;
    let remembered_users = remembered_users(settings, &database, &cache);
    if let Some(remembered) = &remembered_users {
        // What Redis remembers from before this start (a database restored meanwhile, say)
        // must not answer for the database as it is now.
        remembered.forget().await;
    }
    let delivery = settings.webhook_delivery()?;
    let resolver: Arc<dyn HostResolver> = Arc::new(SystemResolver);
    let deliveries = Deliveries::new(
        store.clone(),
        Arc::new(HttpTransport::new(delivery.timeout)),
        resolver.clone(),
        delivery.clone(),
    );
    let services = Services::new(
        store,
        Setup {
            tokens,
            chain_key,
            attestation_keys: Arc::new(attestation_keys(settings)?),
            usage: Arc::new(PrometheusUsage(metrics.clone())),
            // Every write, through whichever front end, drops the cached answers it changes.
            changes: Arc::new(cache.clone()),
            remembered_users,
            limits: settings.data_limits(),
            kept_reference_bytes: settings.cache.reference_bytes,
            risk: settings.risk,
            overrides: settings.overrides,
            password_hashes: settings.limits.max_concurrent_password_hashes,
            webhook_addresses: delivery.addresses,
            resolver,
        },
    );
    Ok(Wired {
        services,
        database,
        metrics,
        limiter: limiter(settings)?,
        cache,
        deliveries,
    })
}
