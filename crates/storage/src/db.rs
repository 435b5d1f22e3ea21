//! The database handle: a deadpool pool of PostgreSQL or SQLite connections, chosen at run
//! time from the URL, and the `with_conn!` macro that lets query code be written once for
//! both (the body is compiled once per backend).

use crate::blocking::WaitOnCancel;
use crate::error::pool_error;
use crate::postgres_tls::PgConnector;
use crate::settings::{Backend, DatabaseSettings, ensure_sqlite_folder, sqlite_path};
use diesel::SqliteConnection;
use diesel::connection::SimpleConnection;
use diesel_async::AsyncPgConnection;
use diesel_async::RunQueryDsl;
use diesel_async::pooled_connection::deadpool::Pool;
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig};
use diesel_async::sync_connection_wrapper::SyncConnectionWrapper;
use driftguard_core::{DomainError, DomainResult};
use futures_util::FutureExt;
use std::time::Duration;

/// The pooled SQLite connection type: diesel's sync connection on the blocking pool,
/// waited for when a query is cancelled (see [`crate::blocking`]).
pub type SqliteConn = SyncConnectionWrapper<SqliteConnection, WaitOnCancel>;

/// A pool of connections to one database.
#[derive(Clone)]
pub enum Database {
    /// PostgreSQL through diesel-async.
    Postgres(Pool<AsyncPgConnection>),
    /// SQLite through diesel-async's sync wrapper.
    Sqlite(Pool<SqliteConn>),
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Database").field(&self.backend()).finish()
    }
}

/// Runs `$body` with `$conn` bound to a `&mut` pooled connection of whichever backend `$db`
/// is; the body is written once and compiled for each backend. Pool failures return early
/// with `DomainError::Unavailable`.
#[macro_export]
macro_rules! with_conn {
    ($db:expr, |$conn:ident| $body:expr) => {
        match $db {
            $crate::db::Database::Postgres(pool) => {
                let mut pooled = pool.get().await.map_err($crate::error::pool_error)?;
                let $conn = &mut *pooled;
                $body
            }
            $crate::db::Database::Sqlite(pool) => {
                let mut pooled = pool.get().await.map_err($crate::error::pool_error)?;
                let $conn = &mut *pooled;
                $body
            }
        }
    };
}

/// What the pool holds now, for the pool gauges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStatus {
    /// Connections open (in use or idle).
    pub size: usize,
    /// Idle connections.
    pub idle: usize,
    /// Connections in use.
    pub active: usize,
    /// Most connections allowed.
    pub max_size: usize,
}

fn pg_config(
    connector: PgConnector,
    statement_timeout_secs: u64,
) -> ManagerConfig<AsyncPgConnection> {
    let statement_timeout_ms = statement_timeout_secs.saturating_mul(1000);
    let connector = std::sync::Arc::new(connector);
    let mut config = ManagerConfig::default();
    // The URL was read once into the connector (TLS files included); the one deadpool passes
    // is the same.
    config.custom_setup = Box::new(move |_url| {
        let connector = connector.clone();
        async move {
            let mut conn = connector.establish().await?;
            diesel::sql_query(format!("SET statement_timeout = {statement_timeout_ms}"))
                .execute(&mut conn)
                .await
                .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
            Ok(conn)
        }
        .boxed()
    });
    config
}

fn sqlite_config(cache_kib: u32) -> ManagerConfig<SqliteConn> {
    let mut config = ManagerConfig::default();
    config.custom_setup = Box::new(move |url| {
        let path = sqlite_path(url).to_owned();
        async move {
            tokio::task::spawn_blocking(move || -> diesel::ConnectionResult<SqliteConn> {
                use diesel::Connection;
                let mut conn = SqliteConnection::establish(&path)?;
                // busy_timeout first, so that even the pragmas below wait for a lock instead of
                // failing; WAL lets readers run beside the writer; foreign keys are off in
                // SQLite by default; the page cache is bounded by the setting (a negative
                // cache_size is KiB, a positive one pages); a WAL that a large write (a
                // reference upload: 150 MB) grew is cut back to 4 MiB once it starts over, about
                // the size SQLite's checkpoint at 1,000 pages keeps it to otherwise.
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
                     PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; \
                     PRAGMA cache_size = -{cache_kib}; PRAGMA journal_size_limit = {};",
                    4 << 20
                ))
                .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                Ok(SyncConnectionWrapper::new(conn))
            })
            .await
            .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?
        }
        .boxed()
    });
    config
}

fn build<C>(manager: AsyncDieselConnectionManager<C>, s: &DatabaseSettings) -> DomainResult<Pool<C>>
where
    C: diesel_async::pooled_connection::PoolableConnection + Send + 'static,
    AsyncDieselConnectionManager<C>: deadpool::managed::Manager,
{
    let timeout = Some(s.connect_timeout());
    Pool::builder(manager)
        .max_size(s.max_connections.max(1))
        .wait_timeout(timeout)
        .create_timeout(timeout)
        .recycle_timeout(timeout)
        .runtime(deadpool::Runtime::Tokio1)
        .build()
        .map_err(|e| DomainError::internal_caused("could not build the database pool", e))
}

impl Database {
    /// A pool for the database the settings name. No connection is opened yet.
    pub fn connect(settings: &DatabaseSettings) -> DomainResult<Self> {
        match Backend::of_url(&settings.url) {
            Backend::Postgres => {
                let connector = PgConnector::from_url(&settings.url)
                    .map_err(|e| DomainError::internal_caused("invalid database URL", e))?
                    .connect_timeout(settings.connect_timeout());
                let manager = AsyncDieselConnectionManager::new_with_config(
                    settings.url.clone(),
                    pg_config(connector, settings.statement_timeout_secs),
                );
                build(manager, settings).map(Database::Postgres)
            }
            Backend::Sqlite => {
                ensure_sqlite_folder(&settings.url).map_err(|e| {
                    DomainError::internal_caused("could not create the database folder", e)
                })?;
                let manager = AsyncDieselConnectionManager::new_with_config(
                    settings.url.clone(),
                    sqlite_config(settings.sqlite_cache_kib),
                );
                build(manager, settings).map(Database::Sqlite)
            }
        }
    }

    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        match self {
            Database::Postgres(_) => Backend::Postgres,
            Database::Sqlite(_) => Backend::Sqlite,
        }
    }

    /// Checks that a connection can be had and answers a trivial query.
    pub async fn ping(&self) -> DomainResult<()> {
        with_conn!(self, |conn| {
            diesel::select(diesel::dsl::sql::<diesel::sql_types::Integer>("1"))
                .get_result::<i32>(conn)
                .await
                .map(|_| ())
                .map_err(pool_error)
        })
    }

    /// How many connections are open, idle and in use.
    pub fn status(&self) -> PoolStatus {
        let status = match self {
            Database::Postgres(pool) => pool.status(),
            Database::Sqlite(pool) => pool.status(),
        };
        PoolStatus {
            size: status.size,
            idle: status.available,
            active: status.size.saturating_sub(status.available),
            max_size: status.max_size,
        }
    }

    /// Closes idle connections beyond `pool_size` that have been idle a while (the overflow
    /// shrinks back after a spike), and connections older than the recycle age.
    pub fn trim(&self, settings: &DatabaseSettings) {
        let keep = settings.pool_size;
        let max_age = Duration::from_secs(settings.recycle_after_secs);
        let idle_grace = Duration::from_secs(60);
        macro_rules! trim_pool {
            ($pool:expr) => {{
                let mut idle_seen = 0usize;
                $pool.retain(|_, metrics| {
                    if metrics.age() > max_age {
                        return false;
                    }
                    if metrics.last_used() > idle_grace {
                        idle_seen += 1;
                        return idle_seen <= keep;
                    }
                    true
                });
            }};
        }
        match self {
            Database::Postgres(pool) => trim_pool!(pool),
            Database::Sqlite(pool) => trim_pool!(pool),
        }
    }

    /// Starts a background task that trims the pool every 30 seconds until the process ends.
    pub fn spawn_maintenance(&self, settings: DatabaseSettings) {
        let db = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(30));
            loop {
                tick.tick().await;
                db.trim(&settings);
            }
        });
    }
}
