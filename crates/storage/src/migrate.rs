//! Embedded migrations for each backend. On PostgreSQL they run under an advisory lock, so
//! that replicas starting together apply them once; SQLite's file lock does the same there.

use crate::postgres_tls;
use crate::settings::{Backend, ensure_sqlite_folder, sqlite_path};
use diesel::Connection;
use diesel::connection::SimpleConnection;
use diesel::migration::MigrationSource;
use diesel_async::AsyncPgConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use driftguard_core::{DomainError, DomainResult};

const POSTGRES: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");
const SQLITE: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");

/// The version of the migration that introduced the audit trail's signed checkpoints.
const CHECKPOINTS_VERSION: &str = "20261201000005";

/// Whether these applied versions include the one that introduced the signed checkpoints:
/// then the history written before it is to be signed once
/// ([`DeploymentLog::seal_unsigned_history`](driftguard_audit::DeploymentLog::seal_unsigned_history)).
pub fn introduces_checkpoints(applied: &[String]) -> bool {
    applied.iter().any(|version| version == CHECKPOINTS_VERSION)
}

/// The versions of every migration this build carries for `backend`, oldest first: a
/// database (or a backup) at a version outside them was made by a newer DriftGuard.
pub fn known_versions(backend: Backend) -> Vec<String> {
    macro_rules! versions_of {
        ($db:ty, $migrations:expr) => {
            MigrationSource::<$db>::migrations(&$migrations)
                .map(|all| all.iter().map(|m| m.name().version().to_string()).collect())
                .unwrap_or_default()
        };
    }
    let mut versions: Vec<String> = match backend {
        Backend::Postgres => versions_of!(diesel::pg::Pg, POSTGRES),
        Backend::Sqlite => versions_of!(diesel::sqlite::Sqlite, SQLITE),
    };
    versions.sort();
    versions
}

/// The advisory lock key migrations hold on PostgreSQL ("dgmigrat" in ASCII).
const MIGRATION_LOCK: i64 = 0x6467_6d69_6772_6174;

fn failed(e: impl std::fmt::Display) -> DomainError {
    DomainError::unavailable_caused("migrations failed", e.to_string())
}

fn run<C>(conn: &mut C, migrations: EmbeddedMigrations) -> DomainResult<Vec<String>>
where
    C: MigrationHarness<<C as Connection>::Backend> + Connection,
{
    conn.run_pending_migrations(migrations)
        .map(|done| done.iter().map(ToString::to_string).collect())
        .map_err(failed)
}

fn migrate_postgres(conn: AsyncPgConnection) -> DomainResult<Vec<String>> {
    let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::from(conn);
    conn.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))
        .map_err(failed)?;
    let result = run(&mut conn, POSTGRES);
    // The lock also goes when the connection closes; unlock anyway to be prompt.
    let _ = conn.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"));
    result
}

fn migrate_sqlite(url: &str) -> DomainResult<Vec<String>> {
    ensure_sqlite_folder(url).map_err(failed)?;
    let mut conn = diesel::SqliteConnection::establish(sqlite_path(url)).map_err(failed)?;
    // WAL is a property of the file: set once here, before any pool opens it.
    conn.batch_execute(
        "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;",
    )
    .map_err(failed)?;
    run(&mut conn, SQLITE)
}

/// Applies every pending migration to the database at `url` (on PostgreSQL over TLS as the
/// URL's `sslmode` says); returns the versions applied.
pub async fn run_pending(url: &str) -> DomainResult<Vec<String>> {
    let task = match Backend::of_url(url) {
        Backend::Postgres => {
            // Connected here, on the runtime; the migration harness is synchronous and runs
            // on the blocking pool, where the wrapper drives the connection.
            let conn = postgres_tls::establish(url).await.map_err(failed)?;
            tokio::task::spawn_blocking(move || migrate_postgres(conn))
        }
        Backend::Sqlite => {
            let url = url.to_owned();
            tokio::task::spawn_blocking(move || migrate_sqlite(&url))
        }
    };
    task.await
        .map_err(|e| DomainError::internal_caused("migration task failed", e))?
}
