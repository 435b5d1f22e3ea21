//! Test databases. Each test gets its own: an SQLite file in a temporary folder, or a
//! PostgreSQL database copied from a template migrated once per migration set (the template's
//! name carries a hash of the migrations, so a changed migration makes a new one).
//!
//! PostgreSQL tests run when `DRIFTGUARD_TEST_DATABASE_URL` names a server (any database on
//! it; the test databases are made beside it). When services are required
//! ([`crate::services_required`]) a missing or unreachable server fails the test instead of
//! skipping it. The admin connection and the template check are made once per test process
//! ([`admin`]), not once per test.

mod admin;

use crate::services::{REQUIRE_SERVICES_VAR, services_required};
use driftguard_storage::testing::chain_key;
use driftguard_storage::{Backend, Database, DatabaseSettings, Store, migrate};

/// The variable naming the PostgreSQL server for tests.
pub const DATABASE_URL_VAR: &str = "DRIFTGUARD_TEST_DATABASE_URL";

/// A database of one test's own; PostgreSQL ones are dropped when this is.
pub struct TestDatabase {
    /// The URL of the test's database.
    pub url: String,
    store: Store,
    _dir: Option<tempfile::TempDir>,
    /// The PostgreSQL database's name, to drop it.
    postgres: Option<String>,
}

/// Runs `test` over a fresh store on `backend`; skips it (returns) when PostgreSQL is not
/// set up and services are not required. The constructor of [`crate::per_backend!`] for
/// port contract suites.
pub async fn with_store(backend: Backend, test: impl AsyncFnOnce(Store)) {
    if let Some(db) = TestDatabase::on(backend).await {
        test(db.store()).await;
    }
}

impl TestDatabase {
    /// The store over the test's database.
    pub fn store(&self) -> Store {
        self.store.clone()
    }

    /// Settings that point at the test's database, with a small pool.
    pub fn settings(&self) -> DatabaseSettings {
        settings_for(&self.url)
    }

    /// A fresh database on `backend`; `None` (skip) only for PostgreSQL when it is not set up.
    pub async fn on(backend: Backend) -> Option<TestDatabase> {
        match backend {
            Backend::Sqlite => Some(Self::sqlite().await),
            Backend::Postgres => Self::postgres().await,
        }
    }

    /// A fresh, migrated SQLite database in its own temporary folder.
    pub async fn sqlite() -> TestDatabase {
        let db = Self::unmigrated_sqlite();
        migrate::run_pending(&db.url)
            .await
            .expect("SQLite migrations");
        db
    }

    /// A path for an SQLite database in its own temporary folder, with no file there yet
    /// (a target to restore into).
    pub fn unmigrated_sqlite() -> TestDatabase {
        let dir = tempfile::tempdir().expect("a temporary folder for the test database");
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        let db = Database::connect(&settings_for(&url)).expect("SQLite pool");
        TestDatabase {
            url,
            store: Store::new(db, chain_key()),
            _dir: Some(dir),
            postgres: None,
        }
    }

    /// A fresh, migrated PostgreSQL database, or `None` (skip) when no server is configured.
    pub async fn postgres() -> Option<TestDatabase> {
        Self::postgres_made(true).await
    }

    /// A new PostgreSQL database with no tables (a target to restore into), or `None` (skip).
    pub async fn unmigrated_postgres() -> Option<TestDatabase> {
        Self::postgres_made(false).await
    }

    async fn postgres_made(migrated: bool) -> Option<TestDatabase> {
        let Ok(server) = std::env::var(DATABASE_URL_VAR) else {
            assert!(
                !services_required(),
                "{REQUIRE_SERVICES_VAR} is set but {DATABASE_URL_VAR} is not"
            );
            eprintln!("skipping a PostgreSQL test: {DATABASE_URL_VAR} is not set");
            return None;
        };
        let admin = admin::admin(&server);
        let name = format!("driftguard_test_{}", uuid::Uuid::new_v4().simple());
        admin.create(&name, migrated).await;
        let url = admin::with_database(&server, &name);
        let db = Database::connect(&settings_for(&url)).expect("PostgreSQL pool");
        Some(TestDatabase {
            url,
            store: Store::new(db, chain_key()),
            _dir: None,
            postgres: Some(name),
        })
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(name) = self.postgres.take() {
            admin::drop_database(&name);
        }
    }
}

fn settings_for(url: &str) -> DatabaseSettings {
    DatabaseSettings {
        url: url.to_owned(),
        pool_size: 4,
        max_connections: 8,
        connect_timeout_secs: 5,
        ..DatabaseSettings::default()
    }
}
