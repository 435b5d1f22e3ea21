//! DriftGuard's test kit (a dev-dependency only): a database of each test's own, copied from
//! a template migrated once per process and migration set; one macro, [`per_backend!`], that
//! runs each test once per backend; one [`services_required`] for PostgreSQL and Redis alike;
//! the test Redis and the cache adapters under test; certificates and private TLS servers;
//! a user to own models and act.
//!
//! It builds on `driftguard-storage`'s `testing` feature for what needs the store's insides
//! (raw SQL, lifting the append-only guards, the test chain key and `Setup`), which it
//! re-exports, so that tests name one crate.

mod cache;
mod database;
mod macros;
mod redis;
mod services;
mod tls;
mod users;

pub use cache::{CacheAdapter, CacheBackend, with_cache};
pub use database::{TestDatabase, with_store};
pub use driftguard_storage::Backend;
pub use driftguard_storage::testing::{attestation_keys, chain_key, lift_append_only, raw, setup};
pub use redis::{RedisServer, free_port, redis_url, start_redis};
pub use services::{REQUIRE_SERVICES_VAR, services_required};
pub use tls::{SERVER_NAME, TestCertificates, TlsPostgres, start_tls_redis};
pub use users::user;
