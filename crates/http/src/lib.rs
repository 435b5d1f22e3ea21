//! DriftGuard's HTTP API: the actix-web application factory, routes, extractors, the mapping
//! of every error to the JSON error body, and the cross-cutting middleware.

pub mod answers;
pub mod body;
pub mod document;
pub mod error;
pub mod extract;
pub mod fallback;
pub mod middleware;
pub mod routes;
pub mod server;
pub mod slots;
pub mod upload;

pub use document::openapi;
pub use error::{ApiError, ErrorBody};
pub use server::{HttpDeps, HttpSettings, Pages, run};
