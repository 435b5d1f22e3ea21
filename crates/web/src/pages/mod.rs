//! The pages, one module each, and the routes that serve them. Each page's `render`
//! function is what its handler serves, and what the benchmark times.

pub mod audit;
pub mod model;
pub mod models;
pub mod override_requests;
pub mod overview;
pub mod policies;
pub mod sign_in;
pub mod users;

use actix_web::web;

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("", web::get().to(overview::handler))
        .route("/", web::get().to(overview::handler))
        .route("/sign-in", web::get().to(sign_in::form))
        .route("/sign-in", web::post().to(sign_in::submit))
        .route("/sign-out", web::post().to(sign_in::sign_out))
        .route("/models", web::get().to(models::handler))
        .route("/models/{id}", web::get().to(model::handler))
        .route(
            "/override-requests/{id}/approve",
            web::post().to(override_requests::approve),
        )
        .route(
            "/override-requests/{id}/reject",
            web::post().to(override_requests::reject),
        )
        .route("/policies", web::get().to(policies::handler))
        .route("/policies/{id}", web::get().to(policies::versions_handler))
        .route("/audit", web::get().to(audit::handler))
        .route("/users", web::get().to(users::handler));
}
