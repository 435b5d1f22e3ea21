//! The pages, one module each, and the routes that serve them. Each page's `render`
//! function is what its handler serves, and what the benchmark times.

pub mod audit;
pub mod model;
pub mod models;
pub mod override_requests;
pub mod overview;
pub mod policies;
pub mod policy_editor;
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
            "/models/{id}/what-if",
            web::get().to(model::what_if::handler),
        )
        .route("/models/{id}/data", web::get().to(model::data::handler))
        .route(
            "/models/{id}/reference",
            web::post().to(model::data::upload_reference),
        )
        .route(
            "/models/{id}/evaluate",
            web::post().to(model::data::evaluate),
        )
        .route("/models/{id}/deploy", web::post().to(model::deploy::submit))
        .route(
            "/models/{id}/override",
            web::get().to(model::overriding::form),
        )
        .route(
            "/models/{id}/override",
            web::post().to(model::overriding::submit),
        )
        .route("/models/{id}/retire", web::get().to(model::retire::confirm))
        .route("/models/{id}/retire", web::post().to(model::retire::submit))
        .route(
            "/override-requests/{id}/approve",
            web::post().to(override_requests::approve),
        )
        .route(
            "/override-requests/{id}/reject",
            web::post().to(override_requests::reject),
        )
        .route("/policies", web::get().to(policies::handler))
        .route("/policies/new", web::get().to(policy_editor::new_form))
        .route("/policies/new", web::post().to(policy_editor::submit_new))
        .route("/policies/{id}", web::get().to(policies::versions_handler))
        .route(
            "/policies/{id}/edit",
            web::get().to(policy_editor::edit_form),
        )
        .route(
            "/policies/{id}/edit",
            web::post().to(policy_editor::submit_edit),
        )
        .route(
            "/policies/{id}/active",
            web::post().to(policy_editor::set_active),
        )
        .route("/audit", web::get().to(audit::handler))
        .route("/users", web::get().to(users::handler))
        .route("/users/{id}/role", web::post().to(users::change_role));
}
