//! The tracing subscriber: bunyan JSON lines to stdout and to size-rotated files, every line
//! passed through redaction, plus Sentry's layers.

use std::fs::{self, OpenOptions};
use std::path::{Path, PathBuf};

use file_rotate::compression::Compression;
use file_rotate::suffix::AppendCount;
use file_rotate::{ContentLimit, FileRotate};
use serde::Deserialize;
use tracing::Subscriber;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_bunyan_formatter::{BunyanFormattingLayer, JsonStorageLayer};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::{Layered, SubscriberExt};
use tracing_subscriber::{EnvFilter, Layer, Registry};

use crate::error::ObservabilityError;
use crate::error_tracking::sentry_layers;
use crate::redacting_writer::RedactingMakeWriter;

/// The `name` field of every log line.
pub const SERVICE_NAME: &str = "driftguard";

/// A log file is rotated once it passes this size (at a line boundary).
const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// Rotated `app.log` files kept besides the current one.
const APP_LOG_KEPT: usize = 10;
/// Rotated `errors.log` files kept besides the current one.
const ERROR_LOG_KEPT: usize = 20;

/// Where and how much to log.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct LogSettings {
    /// The folder of `app.log` and `errors.log`; created when missing. Default `./logs`.
    pub dir: PathBuf,
    /// An `EnvFilter` directive such as `info` or `info,driftguard_http=debug`. Default `info`.
    pub level: String,
    /// Whether to log to stdout as well. Default true.
    pub stdout: bool,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            dir: PathBuf::from("./logs"),
            level: "info".to_owned(),
            stdout: true,
        }
    }
}

/// What the output layers sit on: the registry, the level filter, and the JSON field storage
/// the bunyan formatter reads span fields from.
pub type Base = Layered<JsonStorageLayer, Layered<EnvFilter, Registry>>;

/// One output of the subscriber.
pub type BoxedLayer = Box<dyn Layer<Base> + Send + Sync>;

/// Keeps the background log writers running; dropping it flushes them. Hold it for the life
/// of the process.
#[must_use = "logs written after the guard is dropped are lost"]
#[derive(Debug)]
pub struct LogGuard {
    _writers: Vec<WorkerGuard>,
}

/// A bunyan JSON layer writing redacted lines to `make_writer` (a closure returning an
/// `io::Write` will do, which is how tests capture output).
pub fn json_layer<W>(make_writer: W) -> BoxedLayer
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    BunyanFormattingLayer::new(
        SERVICE_NAME.to_owned(),
        RedactingMakeWriter::new(make_writer),
    )
    .boxed()
}

/// The subscriber with its level filter and the given outputs, not installed; tests install
/// it with `tracing::subscriber::set_default`.
pub fn build_subscriber(
    level: &str,
    outputs: Vec<BoxedLayer>,
) -> Result<impl Subscriber + Send + Sync + 'static, ObservabilityError> {
    let filter = EnvFilter::try_new(level).map_err(|e| ObservabilityError::Filter {
        level: level.to_owned(),
        message: e.to_string(),
    })?;
    Ok(Registry::default()
        .with(filter)
        .with(JsonStorageLayer)
        .with(outputs))
}

/// Installs the global subscriber: JSON to stdout (when enabled), to `app.log`, errors also
/// to `errors.log`, ERROR events to Sentry (a no-op without a Sentry client); and routes `log`
/// records (actix's) into it.
pub fn init_tracing(settings: &LogSettings) -> Result<LogGuard, ObservabilityError> {
    let mut writers = Vec::new();
    let mut outputs = Vec::new();
    let (app, guard) =
        tracing_appender::non_blocking(rotating_file(&settings.dir, "app.log", APP_LOG_KEPT)?);
    writers.push(guard);
    outputs.push(json_layer(app));
    let (errors, guard) =
        tracing_appender::non_blocking(rotating_file(&settings.dir, "errors.log", ERROR_LOG_KEPT)?);
    writers.push(guard);
    outputs.push(json_layer(errors).with_filter(LevelFilter::ERROR).boxed());
    if settings.stdout {
        let (stdout, guard) = tracing_appender::non_blocking(std::io::stdout());
        writers.push(guard);
        outputs.push(json_layer(stdout));
    }
    outputs.extend(sentry_layers());
    let subscriber = build_subscriber(&settings.level, outputs)?;
    tracing::subscriber::set_global_default(subscriber)
        .map_err(|_| ObservabilityError::AlreadyInitialised)?;
    // An earlier LogTracer (tests, an embedding program) already forwards `log` records.
    let _ = tracing_log::LogTracer::init();
    Ok(LogGuard { _writers: writers })
}

/// `dir/name`, rotated by size. Checked to be writable first: file-rotate panics instead of
/// reporting an error.
fn rotating_file(
    dir: &Path,
    name: &str,
    kept: usize,
) -> Result<FileRotate<AppendCount>, ObservabilityError> {
    let path = dir.join(name);
    let fail = |source| ObservabilityError::LogDir {
        path: path.clone(),
        source,
    };
    fs::create_dir_all(dir).map_err(fail)?;
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(fail)?;
    Ok(FileRotate::new(
        &path,
        AppendCount::new(kept),
        ContentLimit::BytesSurpassed(MAX_FILE_BYTES),
        Compression::None,
        None,
    ))
}
