//! DriftGuard's observability: bunyan JSON logs to stdout and size-rotated files with
//! credentials redacted from every line, the Prometheus registry and its metric handles, and
//! Sentry error tracking with scrubbed request data.

mod capture;
mod error;
mod error_tracking;
mod logging;
mod metrics;
pub mod redact;
mod redacting_writer;
mod request_id;

pub use capture::LogCapture;
pub use error::ObservabilityError;
pub use error_tracking::{SentrySettings, init_sentry, scrub_event, sentry_layers, sentry_options};
pub use logging::{
    BoxedLayer, LogGuard, LogSettings, SERVICE_NAME, build_subscriber, init_tracing, json_layer,
};
pub use metrics::{DeploymentOutcome, Metrics, PoolGauges, ViolationKind};
pub use redacting_writer::RedactingMakeWriter;
pub use request_id::RequestId;
