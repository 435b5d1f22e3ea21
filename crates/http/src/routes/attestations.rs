//! Signed gate attestations: a deploy decision's DSSE envelope, and the public keys that
//! verify it (docs/attestations.md).

use crate::error::{ApiError, ErrorBody};
use crate::extract::CurrentUser;
use actix_web::{get, web};
use driftguard_app::Services;
use driftguard_app::audit::attestation::{Envelope, PublicKey};
use driftguard_core::DeploymentId;

/// The signed attestation of a deploy decision (deployed, overridden or blocked): an in-toto
/// Statement v1 whose subject is the model artefact's digest and whose predicate is the gate
/// result, in a DSSE envelope signed with Ed25519. 404 for an unknown row, a row that is no
/// deploy decision (superseded, retired), or one whose model was deleted.
#[utoipa::path(
    tag = "deployments",
    params(("id" = i64, Path, description = "deployment history row id")),
    responses(
        (status = 200, description = "DSSE envelope {payload, payloadType, signatures: [{keyid, sig}]}"),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/deployments/{id}/attestation")]
pub async fn attestation(
    _signed_in: CurrentUser,
    services: web::Data<Services>,
    id: web::Path<DeploymentId>,
) -> Result<web::Json<Envelope>, ApiError> {
    Ok(web::Json(
        services.audit.attestation(id.into_inner()).await?,
    ))
}

/// The public keys that verify attestations, the signing key first, then retired ones kept
/// for what they signed: `[{keyid, algorithm: "ed25519", public_key}]` (public, no sign-in).
#[utoipa::path(
    tag = "deployments",
    responses((status = 200, description = "[{keyid, algorithm, public_key}]"))
)]
#[get("/.well-known/driftguard/attestation-keys")]
pub async fn keys(services: web::Data<Services>) -> web::Json<Vec<PublicKey>> {
    web::Json(services.audit.attestation_keys())
}
