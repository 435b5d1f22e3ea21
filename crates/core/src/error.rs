//! The domain error every port and use case returns. The HTTP layer maps each variant to one
//! status code and the JSON error body; nothing here knows about HTTP.

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
    /// A backing service (the database) cannot be reached now; retrying later may work.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// A fault that is ours, not the caller's. The message is logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

impl DomainError {
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
