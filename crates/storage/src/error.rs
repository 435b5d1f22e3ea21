//! How database failures become domain errors. The policy: a constraint the caller broke is
//! their error (409/404); a database we cannot reach is `Unavailable` (503, retry later);
//! a database out of disk space is `StorageFull` (507, an operator must free space);
//! anything else is ours (500). Nothing is logged here: the error keeps the database's
//! error as its cause (a `DatabaseFault`), and the edge logs it once, as
//! `database.query_error`, with that chain.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use driftguard_core::{Cause, DatabaseFault, DomainError};

/// The database's error, marked as one (logged as `database.query_error` at the edge).
fn fault(e: impl Into<Cause>) -> DatabaseFault {
    DatabaseFault(e.into())
}

/// A query failed: map it, keeping the database's error as the cause.
pub fn query_error(e: DieselError) -> DomainError {
    if is_disk_full(&e) {
        return DomainError::storage_full_caused(
            "the database has no space left; nothing was written",
            fault(e),
        );
    }
    match e {
        DieselError::NotFound => DomainError::NotFound("not found".into()),
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
            DomainError::Conflict(info.message().to_owned())
        }
        // A connection cut under a query: PostgreSQL stopped or restarted (tokio-postgres
        // reports it without an SQLSTATE, which diesel-async names UnableToSendCommand), or
        // terminated it (class 57: `terminating connection due to administrator command`).
        DieselError::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _,
        )
        | DieselError::BrokenTransactionManager => {
            DomainError::unavailable_caused("the database connection was lost", fault(e))
        }
        DieselError::DatabaseError(_, ref info)
            if info.message().starts_with("terminating connection") =>
        {
            DomainError::unavailable_caused("the database connection was lost", fault(e))
        }
        other => DomainError::internal_caused("database query failed", fault(other)),
    }
}

/// Whether `e` says the disk under the database is full. Diesel names no such kind, so the
/// database's message tells: SQLite's `SQLITE_FULL` reads "database or disk is full", and
/// PostgreSQL's `disk_full` (53100) quotes the system's "No space left on device". A commit
/// that failed and whose rollback failed too is judged by the commit's error.
fn is_disk_full(e: &DieselError) -> bool {
    match e {
        DieselError::DatabaseError(_, info) => {
            let message = info.message();
            message.contains("database or disk is full")
                || message.contains("No space left on device")
        }
        DieselError::RollbackErrorOnCommit { commit_error, .. } => is_disk_full(commit_error),
        _ => false,
    }
}

/// No connection could be had from the pool: the database is down or saturated.
pub fn pool_error(e: impl std::fmt::Display) -> DomainError {
    DomainError::unavailable_caused("the database is unavailable", fault(e.to_string()))
}

/// A stored value did not decode (a corrupt row or a schema mismatch): ours, not the caller's.
pub fn corrupt(what: &str, e: impl std::fmt::Display) -> DomainError {
    DomainError::internal_caused(format!("stored {what} did not decode"), e.to_string())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn database_error(kind: DatabaseErrorKind, message: &str) -> DieselError {
        DieselError::DatabaseError(kind, Box::new(message.to_owned()))
    }

    #[test]
    fn a_lost_connection_is_unavailable_not_internal() {
        for e in [
            database_error(DatabaseErrorKind::UnableToSendCommand, "connection closed"),
            database_error(DatabaseErrorKind::ClosedConnection, "closed"),
            database_error(
                DatabaseErrorKind::Unknown,
                "terminating connection due to administrator command",
            ),
        ] {
            let mapped = query_error(e);
            assert!(
                matches!(mapped, DomainError::Unavailable { .. }),
                "{mapped:?}"
            );
            assert_eq!(mapped.log_event(), "database.query_error");
        }
    }

    #[test]
    fn a_full_disk_is_storage_full() {
        for e in [
            database_error(DatabaseErrorKind::Unknown, "database or disk is full"),
            database_error(
                DatabaseErrorKind::Unknown,
                "could not extend file \"base/5/16384\": No space left on device",
            ),
            DieselError::RollbackErrorOnCommit {
                rollback_error: Box::new(DieselError::BrokenTransactionManager),
                commit_error: Box::new(database_error(
                    DatabaseErrorKind::Unknown,
                    "database or disk is full",
                )),
            },
        ] {
            let mapped = query_error(e);
            assert!(
                matches!(mapped, DomainError::StorageFull { .. }),
                "{mapped:?}"
            );
        }
        let other = query_error(database_error(DatabaseErrorKind::Unknown, "syntax error"));
        assert!(matches!(other, DomainError::Internal { .. }), "{other:?}");
    }
}
