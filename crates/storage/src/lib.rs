//! DriftGuard's database adapters: one diesel schema of portable types, PostgreSQL through
//! diesel-async and SQLite through its sync wrapper, both pooled by deadpool, embedded
//! migrations, and the implementations of every storage port (on [`Store`]).

mod blocking;
#[macro_use]
pub mod db;
mod convert;
pub mod error;
pub mod migrate;
mod models;
pub mod schema;
pub mod settings;
mod store;
#[cfg(feature = "testing")]
pub mod testing;
mod users;

pub use db::{Database, PoolStatus};
pub use settings::{Backend, DatabaseSettings};
pub use store::Store;
