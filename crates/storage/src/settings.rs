//! Database settings: the URL that picks the backend, and the pool's sizes and timeouts (the
//! seed plan's numbers are the defaults).

use serde::Deserialize;
use std::time::Duration;

/// How to reach the database and how to pool connections to it.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct DatabaseSettings {
    /// `postgres://...` or `sqlite://path` (a bare path is SQLite too).
    pub url: String,
    /// Connections kept open when idle.
    pub pool_size: usize,
    /// Most connections open at once, under spikes.
    pub max_connections: usize,
    /// Connections older than this are closed and replaced.
    pub recycle_after_secs: u64,
    /// Longest wait to open a connection (and for a free one).
    pub connect_timeout_secs: u64,
    /// Longest a PostgreSQL statement may run.
    pub statement_timeout_secs: u64,
    /// Run pending migrations at start.
    pub migrate_on_start: bool,
    /// SQLite: the page cache of each connection, in KiB (`PRAGMA cache_size`). Every pooled
    /// connection has its own, filled page by page as queries touch the file, so the pool's
    /// share of the server's memory is up to this × the connections open; reads past it come
    /// from the operating system's file cache. The default is SQLite's own (2,000 KiB); a
    /// lower one bounds memory on a small host, at the cost of more reads of the file.
    pub sqlite_cache_kib: u32,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self {
            url: "sqlite://data/driftguard.db".into(),
            pool_size: 20,
            max_connections: 60,
            recycle_after_secs: 3600,
            connect_timeout_secs: 10,
            statement_timeout_secs: 30,
            migrate_on_start: true,
            sqlite_cache_kib: 2000,
        }
    }
}

impl DatabaseSettings {
    /// The connect (and wait) timeout.
    pub fn connect_timeout(&self) -> Duration {
        Duration::from_secs(self.connect_timeout_secs)
    }
}

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// PostgreSQL, for production and replicas.
    Postgres,
    /// An SQLite file, the embedded default.
    Sqlite,
}

impl Backend {
    /// The backend of a database URL.
    pub fn of_url(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }

    /// The backend's name, as backups record it.
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Postgres => "postgres",
            Backend::Sqlite => "sqlite",
        }
    }
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The file path of an SQLite URL (`sqlite://data/x.db`, `sqlite:x.db` or a bare path).
pub fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url)
}

/// Creates the folder of an SQLite URL's file when it is missing (SQLite makes the file, not
/// the folder): the embedded default `./data/` does not exist on a fresh clone.
pub fn ensure_sqlite_folder(url: &str) -> std::io::Result<()> {
    match std::path::Path::new(sqlite_path(url)).parent() {
        Some(parent) if !parent.as_os_str().is_empty() => std::fs::create_dir_all(parent),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_from_url() {
        assert_eq!(Backend::of_url("postgres://u@h/db"), Backend::Postgres);
        assert_eq!(Backend::of_url("postgresql://u@h/db"), Backend::Postgres);
        assert_eq!(Backend::of_url("sqlite://data/x.db"), Backend::Sqlite);
        assert_eq!(sqlite_path("sqlite://data/x.db"), "data/x.db");
        assert_eq!(sqlite_path("x.db"), "x.db");
    }

    #[test]
    fn sqlite_folder_is_created() {
        let dir = std::env::temp_dir().join(format!("driftguard-folder-{}", std::process::id()));
        let url = format!("sqlite://{}/nested/x.db", dir.display());
        ensure_sqlite_folder(&url).expect("created");
        assert!(dir.join("nested").is_dir());
        let _ = std::fs::remove_dir_all(dir);
    }
}
