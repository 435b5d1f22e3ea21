//! DriftGuard's HTTP API: the actix-web application factory, routes, extractors, the mapping
//! of every error to the JSON error body, and the cross-cutting middleware.

pub mod answers;
pub mod error;
pub mod extract;
pub mod middleware;
pub mod routes;
pub mod server;
pub mod upload;

pub use error::{ApiError, ErrorBody};
pub use server::{HttpDeps, HttpSettings, openapi, run};
