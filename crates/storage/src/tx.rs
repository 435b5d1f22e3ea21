//! Transactions written once for both backends: the error their bodies return, the first
//! statement that serialises writers, and the `transaction!` macro.

use crate::error::query_error;
use crate::settings::Backend;
use driftguard_core::DomainError;

/// What a transaction body fails with: a query error, or a domain error of its own.
#[derive(Debug)]
pub(crate) enum TxError {
    /// A query failed.
    Db(diesel::result::Error),
    /// The body refused (not found, conflict, a value that did not decode).
    Domain(DomainError),
}

impl From<diesel::result::Error> for TxError {
    fn from(e: diesel::result::Error) -> Self {
        TxError::Db(e)
    }
}

impl From<DomainError> for TxError {
    fn from(e: DomainError) -> Self {
        TxError::Domain(e)
    }
}

impl TxError {
    /// The domain error to return.
    pub(crate) fn into_domain(self) -> DomainError {
        match self {
            TxError::Db(e) => query_error(e),
            TxError::Domain(e) => e,
        }
    }
}

/// Key of the PostgreSQL advisory lock that serialises appends to the deployment history
/// ("dgchain" in ASCII).
pub(crate) const CHAIN_LOCK: i64 = 0x0064_6763_6861_696e;

/// The statement a writing transaction starts with. On PostgreSQL, with `chain`, the
/// transaction-scoped advisory lock that serialises history appends (so that the chain
/// never forks); otherwise nothing. On SQLite, a no-op UPDATE, which takes the database's
/// write lock at once: a transaction that read first and wrote later could fail with
/// `SQLITE_BUSY` instead of waiting its turn.
pub(crate) fn first_statement(backend: Backend, chain: bool) -> String {
    match (backend, chain) {
        (Backend::Postgres, true) => format!("SELECT pg_advisory_xact_lock({CHAIN_LOCK})"),
        (Backend::Postgres, false) => "SELECT 1".to_owned(),
        (Backend::Sqlite, _) => "UPDATE deployment_history SET id = id WHERE 0".to_owned(),
    }
}

/// Runs `$body` (a `Result<_, TxError>` expression using `$conn`) in one transaction on a
/// pooled connection of either backend, after [`first_statement`]; `$chain` says whether it
/// appends to the deployment history.
///
/// The body's own error is what the caller gets, even when the rollback after it fails too:
/// SQLite rolls a transaction back by itself on some errors (`SQLITE_FULL` in the middle of a
/// large write, for one), and diesel's `ROLLBACK` then fails with "cannot rollback - no
/// transaction is active", which diesel would return instead of the error that caused it.
macro_rules! transaction {
    ($store:expr, $chain:expr, |$conn:ident| $body:expr) => {{
        let first = $crate::tx::first_statement($store.database().backend(), $chain);
        with_conn!($store.database(), |pooled| {
            transaction_on!(pooled, first, |$conn| $body)
        })
    }};
}

/// [`transaction!`]'s transaction on the connection `$pooled`, starting with `$first`.
macro_rules! transaction_on {
    ($pooled:ident, $first:expr, |$conn:ident| $body:expr) => {{
        let first: String = $first;
        let failure = $crate::tx::Failure::default();
        let kept = failure.clone();
        diesel_async::AsyncConnection::transaction::<_, $crate::tx::TxError, _>(
            $pooled,
            async move |$conn| {
                let outcome: Result<_, $crate::tx::TxError> = async {
                    diesel_async::RunQueryDsl::execute(diesel::sql_query(first.as_str()), $conn)
                        .await?;
                    $body
                }
                .await;
                outcome.map_err(|e| kept.keep(e))
            },
        )
        .await
        .map_err(|e| failure.take_or(e))
    }};
}

/// [`transaction!`] for a write of many megabytes (a reference upload and its prepared
/// columns: 150 MB for a million rows), not appending to the history. On SQLite its commit
/// does not copy those pages from the WAL into the database file before the caller has its
/// answer: SQLite's own checkpoint, which the commit of a WAL of more than 1,000 pages runs
/// there and then, is held for this one commit on its connection and runs right after, in
/// the background (see [`crate::large_write`]). Every other commit keeps SQLite's own.
macro_rules! large_transaction {
    ($store:expr, |$conn:ident| $body:expr) => {{
        let database = $store.database();
        let sqlite = database.backend() == $crate::settings::Backend::Sqlite;
        let first = $crate::tx::first_statement(database.backend(), false);
        let outcome = with_conn!(database, |pooled| {
            // Inside the transaction: a request cancelled while the pragma runs leaves a
            // connection in a transaction, which the pool discards, not one without
            // checkpoints.
            let outcome = transaction_on!(pooled, first, |$conn| {
                if sqlite {
                    $crate::large_write::hold_checkpoints($conn).await?;
                }
                $body
            });
            if sqlite {
                $crate::large_write::resume_checkpoints(pooled).await;
            }
            outcome
        });
        if sqlite && outcome.is_ok() {
            $crate::large_write::checkpoint_soon(database);
        }
        outcome
    }};
}

/// The error a transaction's body failed with, kept aside from diesel, which returns the
/// rollback's error instead when the rollback fails as well (see `transaction!`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Failure(std::sync::Arc<std::sync::Mutex<Option<DomainError>>>);

impl Failure {
    /// Keeps the body's error; answers a stand-in for diesel to pass on.
    pub(crate) fn keep(&self, e: TxError) -> TxError {
        let mut slot = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *slot = Some(e.into_domain());
        TxError::Domain(DomainError::internal("the transaction failed"))
    }

    /// The body's error when it failed, else what the transaction failed with (a commit).
    /// A rollback that failed after the body (diesel then answers a query error of its own
    /// instead of the stand-in) is logged, so that its cause is not lost either.
    pub(crate) fn take_or(&self, e: TxError) -> DomainError {
        let kept = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        match (kept, e) {
            (None, e) => e.into_domain(),
            (Some(body), TxError::Db(rollback)) => {
                tracing::warn!(error = %body, rollback = %rollback, "the rollback after a failed transaction failed too");
                body
            }
            (Some(body), TxError::Domain(_)) => body,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_error_wins_over_a_failed_rollback() {
        let failure = Failure::default();
        let stand_in = failure.keep(TxError::Domain(DomainError::Conflict("taken".into())));
        assert!(matches!(
            stand_in,
            TxError::Domain(DomainError::Internal { .. })
        ));
        let rollback = diesel::result::Error::BrokenTransactionManager;
        assert!(matches!(
            failure.take_or(TxError::Db(rollback)),
            DomainError::Conflict(m) if m == "taken"
        ));
    }

    #[test]
    fn without_a_body_error_the_transaction_error_is_returned() {
        let failure = Failure::default();
        let commit = TxError::Domain(DomainError::Conflict("commit".into()));
        assert!(matches!(failure.take_or(commit), DomainError::Conflict(m) if m == "commit"));
    }
}
