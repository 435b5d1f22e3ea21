//! The PostgreSQL admin connection of a test process and the migrated template, both made
//! once per process: the first PostgreSQL test connects, builds the template if no process
//! has yet, and every later test only copies it.
//!
//! Each `#[tokio::test]` has a runtime of its own that ends with the test, and a
//! tokio-postgres connection dies with the runtime that drives it; so the admin connection
//! is driven by a runtime of its own that lives as long as the process. The client's calls
//! only talk to that task through channels and may be awaited from any test's runtime.

use driftguard_storage::migrate;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

use super::DATABASE_URL_VAR;

/// The process's admin connection to the test server, and the template it has checked.
pub(super) struct Admin {
    client: tokio_postgres::Client,
    template: String,
    /// Drives the connection (and runs [`drop_database`] outside the tests' runtimes).
    runtime: tokio::runtime::Runtime,
}

static ADMIN: OnceLock<Admin> = OnceLock::new();

/// The admin connection to `server`, connecting and ensuring the template on first use. A
/// failure panics here and is tried again by the next test.
pub(super) fn admin(server: &str) -> &'static Admin {
    ADMIN.get_or_init(|| {
        // Block on the set-up outside the calling test's runtime, which may not block.
        std::thread::scope(|scope| {
            scope
                .spawn(|| Admin::start(server))
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
    })
}

impl Admin {
    fn start(server: &str) -> Admin {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("the admin connection's runtime");
        let template = template_name();
        let client = runtime.block_on(async {
            let (client, connection) = tokio_postgres::connect(server, tokio_postgres::NoTls)
                .await
                .unwrap_or_else(|e| {
                    panic!("cannot reach the test PostgreSQL at {DATABASE_URL_VAR}: {e}")
                });
            tokio::spawn(connection);
            ensure_template(&client, server, &template).await;
            client
        });
        Admin {
            client,
            template,
            runtime,
        }
    }

    /// Creates the database `name`: a copy of the template when `migrated`, else empty (a
    /// target to restore into).
    pub(super) async fn create(&self, name: &str, migrated: bool) {
        let sql = if migrated {
            format!("CREATE DATABASE {name} TEMPLATE {}", self.template)
        } else {
            format!("CREATE DATABASE {name}")
        };
        self.client
            .batch_execute(&sql)
            .await
            .expect("create the test database");
    }
}

/// Drops a test's database, closing what still uses it; on a thread of its own because a
/// `Drop` may run inside a test's runtime, which cannot block.
pub(super) fn drop_database(name: &str) {
    let Some(admin) = ADMIN.get() else { return };
    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    let _ = std::thread::scope(|scope| {
        scope
            .spawn(|| admin.runtime.block_on(admin.client.batch_execute(&sql)))
            .join()
    });
}

/// The template's name: a hash of every PostgreSQL migration file, so that it is rebuilt
/// whenever a migration changes.
fn template_name() -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations/postgres");
    let mut files: Vec<_> = walk(&root);
    files.sort();
    let mut hash = Sha256::new();
    for file in files {
        // Relative to the migrations folder, so that every checkout shares one template.
        let relative = file.strip_prefix(&root).unwrap_or(&file);
        hash.update(relative.to_string_lossy().as_bytes());
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
pub(super) fn with_database(server: &str, name: &str) -> String {
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

/// Creates and migrates the template unless it exists; concurrent test processes (other
/// crates' tests, other checkouts on the same server) wait on a lock.
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
