//! The API's routes, one module per resource; [`configure`] registers every one of them and
//! documents it in the OpenAPI description at the same time.

pub mod auth;
pub mod health;
pub mod metrics;
pub mod models;
pub mod openapi;
pub mod users;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every route.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(auth::register)
        .service(auth::login)
        .service(auth::me)
        .service(users::list)
        .service(users::set_role)
        .service(models::create)
        .service(models::list)
        .service(models::get)
        .service(models::update)
        .service(models::remove)
        .service(health::live)
        .service(health::ready)
        .service(metrics::metrics)
        .service(openapi::document);
}
