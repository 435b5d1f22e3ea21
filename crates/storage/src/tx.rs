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
macro_rules! transaction {
    ($store:expr, $chain:expr, |$conn:ident| $body:expr) => {{
        let first = $crate::tx::first_statement($store.database().backend(), $chain);
        with_conn!($store.database(), |pooled| {
            diesel_async::AsyncConnection::transaction::<_, $crate::tx::TxError, _>(
                pooled,
                async move |$conn| {
                    diesel_async::RunQueryDsl::execute(diesel::sql_query(first.as_str()), $conn)
                        .await?;
                    $body
                },
            )
            .await
            .map_err($crate::tx::TxError::into_domain)
        })
    }};
}
