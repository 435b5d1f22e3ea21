//! The domain error every port and use case returns. Each variant has one HTTP status
//! ([`DomainError::status`]), the one table both front ends (the API's JSON body, the UI's
//! HTML page) answer with; it is a plain number, so nothing here depends on an HTTP library.

use serde::Serialize;

/// One invalid field of a request, for the `errors` list of a 422.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field's name as the caller sent it.
    pub field: String,
    /// What is wrong with it, for a person.
    pub message: String,
}

impl FieldError {
    /// A field error.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// What can go wrong in a domain operation, by what the caller can do about it.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// The thing asked for does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The request clashes with the current state (duplicate, blocked, wrong state).
    #[error("{0}")]
    Conflict(String),
    /// The request's values are invalid; each field says why.
    #[error("{message}")]
    Invalid {
        /// A summary for the `detail` field.
        message: String,
        /// The invalid fields.
        errors: Vec<FieldError>,
    },
    /// The caller is not signed in, or their credentials are wrong.
    #[error("{0}")]
    Unauthorized(String),
    /// The caller is signed in but their role is too low.
    #[error("{0}")]
    Forbidden(String),
    /// The input is larger than a configured limit.
    #[error("{0}")]
    TooLarge(String),
    /// Too many requests of this costly kind (password hashes, uploads) run at once: refused
    /// at once rather than queued; trying again shortly works.
    #[error("{0}")]
    Busy(String),
    /// A backing service (the database) cannot be reached now; retrying later may work.
    #[error("service unavailable: {message}")]
    Unavailable {
        /// What was being done, for the log.
        message: String,
        /// The failure underneath, kept for the log's chain of causes.
        #[source]
        source: Option<Cause>,
    },
    /// The database has no space left for a write (a full disk): nothing was stored, reads
    /// go on, and writes work again once space is freed. Not the caller's fault, and unlike
    /// `Unavailable` not a matter of retrying soon: an operator must act.
    #[error("storage full: {message}")]
    StorageFull {
        /// What was being done, for the log.
        message: String,
        /// The failure underneath, kept for the log's chain of causes.
        #[source]
        source: Option<Cause>,
    },
    /// A fault that is ours, not the caller's. The message and its causes are logged (once,
    /// at the edge), never shown.
    #[error("internal error: {message}")]
    Internal {
        /// What was being done, for the log.
        message: String,
        /// The failure underneath, kept for the log's chain of causes.
        #[source]
        source: Option<Cause>,
    },
}

/// The error underneath a [`DomainError`], as the adapter that met it gave it.
pub type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A database's own error, as a storage adapter met it. Wrapped so that the edge can tell
/// a database fault from other faults and log it as `database.query_error` (it reads the
/// same as the error it wraps).
#[derive(Debug)]
pub struct DatabaseFault(pub Cause);

impl std::fmt::Display for DatabaseFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for DatabaseFault {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

impl DomainError {
    /// The HTTP status a front end answers with.
    pub fn status(&self) -> u16 {
        match self {
            Self::NotFound(_) => 404,
            Self::Conflict(_) => 409,
            Self::Invalid { .. } => 422,
            Self::Unauthorized(_) => 401,
            Self::Forbidden(_) => 403,
            Self::TooLarge(_) => 413,
            Self::Busy(_) | Self::Unavailable { .. } => 503,
            // 507, not 503: retrying soon will not help until an operator frees space.
            Self::StorageFull { .. } => 507,
            Self::Internal { .. } => 500,
        }
    }

    /// Seconds to tell the caller to wait (`Retry-After`) when retrying soon helps.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            // A slot frees as soon as one hash or upload ends.
            Self::Busy(_) => Some(1),
            _ => None,
        }
    }

    /// An internal fault with no error underneath.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::Internal {
            message: message.into(),
            source: None,
        }
    }

    /// An internal fault caused by `source`.
    pub fn internal_caused(message: impl Into<String>, source: impl Into<Cause>) -> Self {
        Self::Internal {
            message: message.into(),
            source: Some(source.into()),
        }
    }

    /// A backing service is unavailable, with no error underneath.
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::Unavailable {
            message: message.into(),
            source: None,
        }
    }

    /// A backing service is unavailable, as `source` shows.
    pub fn unavailable_caused(message: impl Into<String>, source: impl Into<Cause>) -> Self {
        Self::Unavailable {
            message: message.into(),
            source: Some(source.into()),
        }
    }

    /// The database has no space left, as `source` shows.
    pub fn storage_full_caused(message: impl Into<String>, source: impl Into<Cause>) -> Self {
        Self::StorageFull {
            message: message.into(),
            source: Some(source.into()),
        }
    }

    /// The error and every cause under it, outermost first, joined by `: ` — what the
    /// edge logs.
    pub fn chain(&self) -> String {
        let mut text = self.to_string();
        let mut cause = std::error::Error::source(self);
        while let Some(error) = cause {
            text.push_str(": ");
            text.push_str(&error.to_string());
            cause = error.source();
        }
        text
    }

    /// The log event a fault is reported as: `database.query_error` when a database's
    /// error is among its causes, else `api.request_error`.
    pub fn log_event(&self) -> &'static str {
        let mut cause = std::error::Error::source(self);
        while let Some(error) = cause {
            if error.is::<DatabaseFault>() {
                return "database.query_error";
            }
            cause = error.source();
        }
        "api.request_error"
    }

    /// A 422-style error about one field.
    pub fn invalid_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        let error = FieldError::new(field, message);
        Self::Invalid {
            message: format!("{}: {}", error.field, error.message),
            errors: vec![error],
        }
    }

    /// A 422-style error about several fields (at least one).
    pub fn invalid_fields(errors: Vec<FieldError>) -> Self {
        let message = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; ");
        Self::Invalid { message, errors }
    }

    /// The same error with each field named inside `parent` (`rules[0].metric` becomes
    /// `policy.rules[0].metric`), for a value checked on its own that the caller sent
    /// inside a larger body. Other errors are returned as they are.
    pub fn within(self, parent: &str) -> Self {
        match self {
            Self::Invalid { errors, .. } => Self::invalid_fields(
                errors
                    .into_iter()
                    .map(|e| FieldError::new(format!("{parent}.{}", e.field), e.message))
                    .collect(),
            ),
            other => other,
        }
    }
}

/// Result of a domain operation.
pub type DomainResult<T> = Result<T, DomainError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("connection refused")]
    struct Refused;

    #[test]
    fn a_fault_keeps_its_causes_and_names_its_log_event() {
        let plain = DomainError::internal("a task failed");
        assert_eq!(plain.chain(), "internal error: a task failed");
        assert_eq!(plain.log_event(), "api.request_error");
        let caused = DomainError::internal_caused("encoding failed", Refused);
        assert_eq!(
            caused.chain(),
            "internal error: encoding failed: connection refused"
        );
        assert_eq!(caused.log_event(), "api.request_error");
        let database = DomainError::unavailable_caused(
            "the database is unavailable",
            DatabaseFault(Box::new(Refused)),
        );
        assert_eq!(
            database.chain(),
            "service unavailable: the database is unavailable: connection refused"
        );
        assert_eq!(database.log_event(), "database.query_error");
    }
}
