//! Test databases. Each test gets its own: an SQLite file in a temporary folder, or a
//! PostgreSQL database copied from a template migrated once per migration set (the template's
//! name carries a hash of the migrations, so a changed migration makes a new one).
//!
//! PostgreSQL tests run when `DRIFTGUARD_TEST_DATABASE_URL` names a server (any database on
//! it; the test databases are made beside it). With `DRIFTGUARD_TEST_REQUIRE_SERVICES=1` a
//! missing or unreachable server fails the test instead of skipping it.

use crate::db::Database;
use crate::migrate;
use crate::settings::{Backend, DatabaseSettings};
use crate::store::Store;
use diesel_async::RunQueryDsl;
use driftguard_audit::ChainKey;
use driftguard_core::DomainResult;
use sha2::{Digest, Sha256};

/// The variable naming the PostgreSQL server for tests.
pub const DATABASE_URL_VAR: &str = "DRIFTGUARD_TEST_DATABASE_URL";
/// The variable that turns a missing service from a skip into a failure.
pub const REQUIRE_SERVICES_VAR: &str = "DRIFTGUARD_TEST_REQUIRE_SERVICES";

/// The key test stores sign history checkpoints with (verify with this one too).
pub fn chain_key() -> ChainKey {
    ChainKey::new(b"driftguard test chain key, not for production")
}

/// What [`driftguard_app::Services::new`] needs besides the store, for tests: a token
/// service with a test secret, the test chain key, no metrics, no change feed, the default
/// limits and risk settings. Override fields with `Setup { limits, ..setup() }`.
pub fn setup() -> driftguard_app::Setup {
    driftguard_app::Setup {
        tokens: driftguard_auth::TokenService::new(
            &secrecy::SecretString::from("driftguard test token secret, 32+ characters"),
            "driftguard-test",
            std::time::Duration::from_secs(3600),
        ),
        chain_key: chain_key(),
        usage: std::sync::Arc::new(driftguard_app::NoUsageMetrics),
        changes: std::sync::Arc::new(driftguard_app::NoChangeFeed),
        limits: driftguard_stats::Limits::default(),
        risk: driftguard_governance::RiskSettings::default(),
    }
}

/// Runs one raw SQL statement, as an attacker with database access would; answers the rows
/// it changed.
pub async fn raw(store: &Store, sql: &str) -> DomainResult<usize> {
    let sql = sql.to_owned();
    Ok(with_conn!(store.database(), |conn| {
        diesel::sql_query(sql)
            .execute(conn)
            .await
            .map_err(crate::error::query_error)?
    }))
}

/// Lifts the append-only guards of the history and its checkpoints as the database's owner
/// or a superuser could (dropping SQLite's triggers, disabling PostgreSQL's), so that a test
/// can show that what it does next is caught.
pub async fn lift_append_only(store: &Store) -> DomainResult<()> {
    let sql: &[&str] = match store.database().backend() {
        Backend::Sqlite => &[
            "DROP TRIGGER deployment_history_no_update",
            "DROP TRIGGER deployment_history_no_delete",
            "DROP TRIGGER audit_checkpoints_no_update",
            "DROP TRIGGER audit_checkpoints_no_delete",
        ],
        Backend::Postgres => &[
            "ALTER TABLE deployment_history DISABLE TRIGGER USER",
            "ALTER TABLE audit_checkpoints DISABLE TRIGGER USER",
        ],
    };
    for statement in sql {
        raw(store, statement).await?;
    }
    Ok(())
}

/// Whether missing services must fail the tests (CI sets this).
pub fn services_required() -> bool {
    std::env::var(REQUIRE_SERVICES_VAR).is_ok_and(|v| v == "1" || v == "true")
}

/// A database of one test's own; PostgreSQL ones are dropped when this is.
pub struct TestDatabase {
    /// The URL of the test's database.
    pub url: String,
    store: Store,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
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
                "{REQUIRE_SERVICES_VAR}=1 but {DATABASE_URL_VAR} is not set"
            );
            eprintln!("skipping a PostgreSQL test: {DATABASE_URL_VAR} is not set");
            return None;
        };
        let admin = connect_admin(&server).await;
        let name = format!("driftguard_test_{}", uuid::Uuid::new_v4().simple());
        let create = if migrated {
            let template = template_name();
            ensure_template(&admin, &server, &template).await;
            format!("CREATE DATABASE {name} TEMPLATE {template}")
        } else {
            format!("CREATE DATABASE {name}")
        };
        admin
            .batch_execute(&create)
            .await
            .expect("create the test database");
        let url = with_database(&server, &name);
        let db = Database::connect(&settings_for(&url)).expect("PostgreSQL pool");
        Some(TestDatabase {
            url,
            store: Store::new(db, chain_key()),
            _dir: None,
            postgres: Some((server, name)),
        })
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((server, name)) = self.postgres.take() else {
            return;
        };
        // Drop runs outside async; a short-lived runtime on its own thread does the work.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let (client, connection) = tokio_postgres::connect(&server, tokio_postgres::NoTls)
                    .await
                    .ok()?;
                tokio::spawn(connection);
                client
                    .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await
                    .ok()
            })
        })
        .join();
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

/// The template's name: a hash of every PostgreSQL migration file, so that it is rebuilt
/// whenever a migration changes.
fn template_name() -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations/postgres");
    let mut files: Vec<_> = walk(&root);
    files.sort();
    let mut hash = Sha256::new();
    for file in files {
        hash.update(file.to_string_lossy().as_bytes());
        hash.update(std::fs::read(&file).unwrap_or_default());
    }
    format!("driftguard_tpl_{}", &hex::encode(hash.finalize())[..16])
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .flat_map(|entry| {
            let path = entry.path();
            if path.is_dir() {
                walk(&path)
            } else {
                vec![path]
            }
        })
        .collect()
}

/// The server URL with its database replaced by `name`.
fn with_database(server: &str, name: &str) -> String {
    let (base, query) = server
        .split_once('?')
        .map_or((server, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

async fn connect_admin(server: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(server, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| panic!("cannot reach the test PostgreSQL at {DATABASE_URL_VAR}: {e}"));
    tokio::spawn(connection);
    client
}

/// Creates and migrates the template once; concurrent test processes wait on a lock.
async fn ensure_template(admin: &tokio_postgres::Client, server: &str, template: &str) {
    const LOCK: i64 = 0x6467_7465_6d70_6c74; // "dgtemplt"
    admin
        .batch_execute(&format!("SELECT pg_advisory_lock({LOCK})"))
        .await
        .expect("template lock");
    let exists = admin
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&template])
        .await
        .expect("look up the template")
        .is_some();
    if !exists {
        let building = format!("{template}_build");
        // Two statements: a multi-statement string runs as one transaction, which
        // CREATE and DROP DATABASE refuse.
        for sql in [
            format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"),
            format!("CREATE DATABASE {building}"),
        ] {
            admin
                .batch_execute(&sql)
                .await
                .expect("create the template database");
        }
        migrate::run_pending(&with_database(server, &building))
            .await
            .expect("migrate the template database");
        // Renamed only once fully migrated, so a crash never leaves a half-built template.
        admin
            .batch_execute(&format!("ALTER DATABASE {building} RENAME TO {template}"))
            .await
            .expect("publish the template database");
    }
    admin
        .batch_execute(&format!("SELECT pg_advisory_unlock({LOCK})"))
        .await
        .expect("template unlock");
}

/// Declares one `#[tokio::test]` per backend for each named contract test, each a function
/// `async fn(Store)`: `name_sqlite` always runs, `name_postgres` when PostgreSQL is set up.
#[macro_export]
macro_rules! contract_tests {
    ($($test:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    let db = $crate::testing::TestDatabase::sqlite().await;
                    super::$test(db.store()).await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    let Some(db) = $crate::testing::TestDatabase::postgres().await else {
                        return;
                    };
                    super::$test(db.store()).await;
                }
            )+
        }
    };
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_is_swapped_in_urls() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://u@h/db?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://u@h", "x"), "postgres://u@h/x");
    }
}
