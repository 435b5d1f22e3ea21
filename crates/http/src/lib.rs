//! DriftGuard's HTTP API: the actix-web application factory, routes, extractors, the mapping
//! of every error to the JSON error body, and the cross-cutting middleware.

pub mod middleware;
