//! How database failures become domain errors. The policy: a constraint the caller broke is
//! their error (409/404); a database we cannot reach is `Unavailable` (503, retry later);
//! anything else is ours (500), logged as `database.query_error` with no query values.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use driftguard_core::DomainError;

/// A query failed: map it, logging what the caller will not see.
pub fn query_error(e: DieselError) -> DomainError {
    match e {
        DieselError::NotFound => DomainError::NotFound("not found".into()),
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
            DomainError::Conflict(info.message().to_owned())
        }
        DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, _)
        | DieselError::BrokenTransactionManager => {
            tracing::error!(event = "database.query_error", error = %e, "database connection lost");
            DomainError::Unavailable("the database connection was lost".into())
        }
        other => {
            tracing::error!(event = "database.query_error", error = %other, "database query failed");
            DomainError::Internal(format!("database query failed: {other}"))
        }
    }
}

/// No connection could be had from the pool: the database is down or saturated.
pub fn pool_error(e: impl std::fmt::Display) -> DomainError {
    tracing::error!(event = "database.query_error", error = %e, "no database connection");
    DomainError::Unavailable("the database is unavailable".into())
}

/// A stored value did not decode (a corrupt row or a schema mismatch): ours, not the caller's.
pub fn corrupt(what: &str, e: impl std::fmt::Display) -> DomainError {
    tracing::error!(event = "database.query_error", error = %e, "stored {what} did not decode");
    DomainError::Internal(format!("stored {what} did not decode: {e}"))
}

/// Maps a unique violation to a conflict with our own message, other errors as usual.
pub fn unique_as(e: DieselError, message: impl FnOnce() -> String) -> DomainError {
    match e {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
            DomainError::Conflict(message())
        }
        other => query_error(other),
    }
}
