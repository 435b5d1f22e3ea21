//! `/simulation/*`: what-if answers that store nothing (engineer; rate-limit class
//! `simulation`, 30 a minute by default).

use crate::body::Body;
use crate::error::{ApiError, ErrorBody};
use crate::extract::CurrentUser;
use crate::slots::Slots;
use actix_web::{post, web};
use driftguard_app::Services;
use driftguard_app::simulate::{
    DriftSimulation, DriftSimulationRequest, PolicySimulation, PolicySimulationRequest,
};
use driftguard_auth::Action;

/// Draws rows from the model's reference data, applies the scenarios and answers the drift,
/// risk and policy result such data would get; a scenario may sweep a list of values.
#[utoipa::path(
    tag = "simulation",
    request_body(content = ref("#/components/schemas/DriftSimulationRequest")),
    responses(
        (status = 200, description = "{simulated: true, model_id, rows, seed, scenarios} with the evaluation (drift, fairness, performance, risk, metrics, status, violations, ...), or with {sweep, results, tipping_point} when a scenario gives a list", body = ref("#/components/schemas/DriftSimulation")),
        (status = 404, description = "no such model", body = ErrorBody),
        (status = 409, description = "the model has no reference data", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/simulation/drift")]
pub async fn drift(
    user: CurrentUser,
    services: web::Data<Services>,
    slots: web::Data<Slots>,
    body: Body,
) -> Result<web::Json<DriftSimulation>, ApiError> {
    user.require(Action::EditModels)?;
    let request: DriftSimulationRequest = body.json().await?;
    // As heavy as an evaluation: it holds the reference and a sample of it.
    let _slot = slots.upload()?;
    let answer = services.simulation.drift(request, &user.actor()).await?;
    Ok(web::Json(answer))
}

/// Judges every model's latest evaluation by the policies active now and with a draft
/// policy added (or replacing `replaces_policy_id`), and answers what would change.
#[utoipa::path(
    tag = "simulation",
    request_body(content = ref("#/components/schemas/PolicySimulationRequest")),
    responses(
        (status = 200, description = "{simulated: true, models_evaluated, changed, by_transition, models}", body = ref("#/components/schemas/PolicySimulation")),
        (status = 404, description = "`replaces_policy_id` names no policy", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/simulation/policy")]
pub async fn policy(
    user: CurrentUser,
    services: web::Data<Services>,
    body: Body,
) -> Result<web::Json<PolicySimulation>, ApiError> {
    user.require(Action::EditModels)?;
    let request: PolicySimulationRequest = body.json().await?;
    let answer = services.simulation.policy(request, &user.actor()).await?;
    Ok(web::Json(answer))
}
