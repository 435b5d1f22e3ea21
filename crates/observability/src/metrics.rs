//! The Prometheus registry and the handles every layer records into.

use std::sync::Arc;
use std::time::Duration;

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};

use crate::error::ObservabilityError;

/// Request duration buckets, in seconds, as the seed plan sets them.
const DURATION_BUCKETS: &[f64] = &[0.01, 0.05, 0.1, 0.5, 1.0, 5.0];

/// How a deployment attempt ended (`model_deployments_total{status}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeploymentOutcome {
    /// Deployed: governance passed.
    Success,
    /// Blocked or failed.
    Failure,
    /// Deployed despite a failing governance check, by an approver's override.
    Override,
}

impl DeploymentOutcome {
    const ALL: [Self; 3] = [Self::Success, Self::Failure, Self::Override];

    fn label(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failure => "failure",
            Self::Override => "override",
        }
    }
}

/// The kind of a governance violation (`governance_violations_total{type}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViolationKind {
    /// A drift rule failed.
    Drift,
    /// A fairness rule failed.
    Fairness,
    /// The risk score is over its threshold.
    Risk,
    /// A performance rule failed.
    Performance,
}

impl ViolationKind {
    const ALL: [Self; 4] = [Self::Drift, Self::Fairness, Self::Risk, Self::Performance];

    fn label(self) -> &'static str {
        match self {
            Self::Drift => "drift",
            Self::Fairness => "fairness",
            Self::Risk => "risk",
            Self::Performance => "performance",
        }
    }
}

/// A reading of the database pool, for the `database_connections_*` gauges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PoolGauges {
    /// Connections checked out.
    pub active: i64,
    /// Connections open and waiting in the pool.
    pub idle: i64,
    /// The most the pool will open.
    pub max: i64,
}

/// The metrics registry with every DriftGuard metric. Cheap to clone; each `new` has its own
/// registry, so tests do not share counts.
#[derive(Clone)]
pub struct Metrics {
    inner: Arc<Handles>,
}

struct Handles {
    registry: Registry,
    requests: IntCounterVec,
    request_duration: HistogramVec,
    deployments: IntCounterVec,
    violations: IntCounterVec,
    db_active: IntGauge,
    db_idle: IntGauge,
    db_max: IntGauge,
    cache_hits: IntCounterVec,
    cache_misses: IntCounterVec,
    rate_limited: IntCounterVec,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Metrics {
    /// A fresh registry with every metric registered, and the process collector on Linux.
    pub fn new() -> Result<Self, ObservabilityError> {
        let registry = Registry::new();
        let counter = |name: &str, help: &str, labels: &[&str]| {
            let vec = IntCounterVec::new(Opts::new(name, help), labels)?;
            registry.register(Box::new(vec.clone()))?;
            Ok::<_, prometheus::Error>(vec)
        };
        let gauge = |name: &str, help: &str| {
            let gauge = IntGauge::new(name, help)?;
            registry.register(Box::new(gauge.clone()))?;
            Ok::<_, prometheus::Error>(gauge)
        };
        let request_duration = HistogramVec::new(
            HistogramOpts::new("app_request_duration_seconds", "API request duration")
                .buckets(DURATION_BUCKETS.to_vec()),
            &["endpoint"],
        )?;
        registry.register(Box::new(request_duration.clone()))?;
        let handles = Handles {
            requests: counter(
                "app_requests_total",
                "Total API requests",
                &["method", "endpoint", "status"],
            )?,
            request_duration,
            deployments: counter(
                "model_deployments_total",
                "Total model deployments",
                &["status"],
            )?,
            violations: counter(
                "governance_violations_total",
                "Total governance violations",
                &["type"],
            )?,
            db_active: gauge("database_connections_active", "Active database connections")?,
            db_idle: gauge("database_connections_idle", "Idle database connections")?,
            db_max: gauge("database_connections_max", "Database pool size limit")?,
            cache_hits: counter("cache_hits_total", "Cache hits", &["key_class"])?,
            cache_misses: counter("cache_misses_total", "Cache misses", &["key_class"])?,
            rate_limited: counter(
                "rate_limited_total",
                "Requests refused by the rate limiter",
                &["class"],
            )?,
            registry,
        };
        // Zero series from the start, so dashboards and alerts see every outcome.
        for outcome in DeploymentOutcome::ALL {
            handles.deployments.with_label_values(&[outcome.label()]);
        }
        for kind in ViolationKind::ALL {
            handles.violations.with_label_values(&[kind.label()]);
        }
        #[cfg(target_os = "linux")]
        handles.registry.register(Box::new(
            prometheus::process_collector::ProcessCollector::for_self(),
        ))?;
        Ok(Self {
            inner: Arc::new(handles),
        })
    }

    /// Counts a served request; `endpoint` must be the route pattern, never the raw path.
    pub fn observe_request(&self, method: &str, endpoint: &str, status: u16, elapsed: Duration) {
        let status = status.to_string();
        self.inner
            .requests
            .with_label_values(&[method, endpoint, status.as_str()])
            .inc();
        self.inner
            .request_duration
            .with_label_values(&[endpoint])
            .observe(elapsed.as_secs_f64());
    }

    /// Counts a deployment attempt.
    pub fn record_deployment(&self, outcome: DeploymentOutcome) {
        self.inner
            .deployments
            .with_label_values(&[outcome.label()])
            .inc();
    }

    /// Counts one governance violation.
    pub fn record_violation(&self, kind: ViolationKind) {
        self.inner
            .violations
            .with_label_values(&[kind.label()])
            .inc();
    }

    /// Sets the database pool gauges.
    pub fn set_database_pool(&self, pool: PoolGauges) {
        self.inner.db_active.set(pool.active);
        self.inner.db_idle.set(pool.idle);
        self.inner.db_max.set(pool.max);
    }

    /// Counts a cache lookup for a class of keys (`dashboard_summary`, `policies`, …): in
    /// `cache_hits_total` when it was answered without computing, else in
    /// `cache_misses_total`.
    pub fn cache_lookup(&self, key_class: &str, hit: bool) {
        let counter = if hit {
            &self.inner.cache_hits
        } else {
            &self.inner.cache_misses
        };
        counter.with_label_values(&[key_class]).inc();
    }

    /// Counts a request refused by the rate limiter, by rule class.
    pub fn rate_limited(&self, class: &str) {
        self.inner.rate_limited.with_label_values(&[class]).inc();
    }

    /// The registry, for metrics a crate registers itself.
    pub fn registry(&self) -> &Registry {
        &self.inner.registry
    }

    /// Everything in the Prometheus text exposition format, for `/metrics`.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        // Encoding into memory fails only on a malformed metric, which `new` cannot build;
        // say so in the exposition rather than fail the scrape.
        if let Err(error) = TextEncoder::new().encode(&self.inner.registry.gather(), &mut out) {
            return format!("# metrics encoding failed: {error}\n");
        }
        String::from_utf8_lossy(&out).into_owned()
    }
}
