//! The API's routes, one module per resource; [`configure`] registers every one of them and
//! documents it in the OpenAPI description at the same time.

pub mod attestations;
pub mod auth;
pub mod dashboard;
pub mod deployments;
pub mod evaluations;
pub mod health;
pub mod metrics;
pub mod models;
pub mod openapi;
pub mod override_requests;
pub mod policies;
pub mod reference;
pub mod simulation;
pub mod users;
pub mod webhooks;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every route.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(auth::register)
        .service(auth::login)
        .service(auth::me)
        .service(auth::logout)
        .service(users::list)
        .service(users::set_role)
        .service(users::role_changes)
        .service(users::revoke_sessions)
        .service(models::create)
        .service(models::list)
        .service(models::get)
        .service(models::update)
        .service(models::remove)
        .service(reference::put_reference)
        .service(reference::get_reference)
        .service(reference::get_reference_uploads)
        .service(evaluations::create)
        .service(evaluations::list)
        .service(evaluations::get)
        .service(deployments::deploy)
        .service(deployments::retire)
        .service(deployments::for_model)
        .service(deployments::list)
        .service(deployments::verify)
        .service(override_requests::list)
        .service(override_requests::get)
        .service(override_requests::approve)
        .service(override_requests::reject)
        .service(attestations::attestation)
        .service(attestations::keys)
        .service(policies::list)
        .service(policies::create)
        .service(policies::get)
        .service(policies::update)
        .service(policies::deactivate)
        .service(policies::versions)
        .service(dashboard::summary)
        .service(dashboard::compliance_distribution)
        .service(dashboard::risk_trends)
        .service(simulation::drift)
        .service(simulation::policy)
        .service(webhooks::create)
        .service(webhooks::list)
        .service(webhooks::get)
        .service(webhooks::update)
        .service(webhooks::remove)
        .service(webhooks::deliveries)
        .service(health::live)
        .service(health::ready)
        .service(metrics::metrics)
        .service(openapi::document);
}
