//! DriftGuard's database adapters: one diesel schema of portable types, PostgreSQL through
//! diesel-async and SQLite through its sync wrapper, both pooled by deadpool, embedded
//! migrations, and the implementations of every storage port (on [`Store`]).

mod blocking;
#[macro_use]
pub mod db;
#[macro_use]
mod tx;
#[macro_use]
mod checkpoints;
#[macro_use]
mod history;
#[macro_use]
mod webhooks;
// After `history`: its macros read the history's head.
pub mod backup;
mod convert;
mod dashboard;
pub mod error;
mod evaluations;
mod large_write;
pub mod migrate;
mod models;
pub mod postgres_tls;
#[macro_use]
mod policies;
#[macro_use]
mod deploy;
mod overrides;
mod reference_rows;
mod references;
mod roles;
pub mod runtime_role;
pub mod schema;
pub mod settings;
mod store;
#[cfg(feature = "testing")]
pub mod testing;
mod users;

pub use db::{Database, PoolStatus};
pub use settings::{Backend, DatabaseSettings};
pub use store::Store;
