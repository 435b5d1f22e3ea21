//! The error type of this crate's set-up functions.

use std::path::PathBuf;

/// Why logging, metrics or error tracking could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum ObservabilityError {
    /// The log folder or one of its files cannot be created or written.
    #[error("cannot write logs in {path}: {source}")]
    LogDir {
        /// The folder or file that failed.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The log level is not a valid `EnvFilter` directive.
    #[error("invalid log level {level:?}: {message}")]
    Filter {
        /// The directive as given in the settings.
        level: String,
        /// Why it was rejected.
        message: String,
    },
    /// Another global tracing subscriber was installed first.
    #[error("a global tracing subscriber is already installed")]
    AlreadyInitialised,
    /// A metric could not be created or registered.
    #[error("metrics registry: {0}")]
    Metrics(#[from] prometheus::Error),
    /// The Sentry DSN does not parse (its text is left out: it carries a key).
    #[error("invalid Sentry DSN: {0}")]
    SentryDsn(String),
}
