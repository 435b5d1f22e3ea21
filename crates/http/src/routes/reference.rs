//! `/models/{id}/reference`: upload a model's reference data, read its profile and the record
//! of its uploads.

use crate::body::Body;
use crate::error::{ApiError, ErrorBody};
use crate::extract::CurrentUser;
use crate::slots::Slots;
use crate::upload::{self, ReferenceQuery};
use actix_web::{HttpResponse, get, put, web};
use driftguard_app::ports::references::ReferenceUpload;
use driftguard_app::{DataFormat, Services};
use driftguard_auth::Action;
use driftguard_core::ModelId;
use serde::Serialize;

/// Uploads (or replaces) the reference data: `text/csv` or `application/vnd.apache.parquet`
/// (kinds as `?kinds=zip:categorical`) or `application/json` `{"data": {"columns": {...}} | [records], "kinds": {...}}`.
#[utoipa::path(
    tag = "data",
    params(("id" = i64, Path, description = "model id"), ReferenceQuery),
    request_body(
        description = "CSV with a header row or a Parquet file (kinds in the query), or the JSON envelope",
        content(
            (String = "text/csv"),
            (String = "application/vnd.apache.parquet"),
            (ref("#/components/schemas/ReferenceEnvelope") = "application/json"),
        )
    ),
    responses(
        (status = 200, description = "the profile: model_id, rows, columns [{name, kind, missing}], sha256, uploaded_at"),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[put("/models/{id}/reference")]
pub async fn put_reference(
    user: CurrentUser,
    services: web::Data<Services>,
    id: web::Path<ModelId>,
    query: web::Query<ReferenceQuery>,
    slots: web::Data<Slots>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    user.require(Action::EditModels)?;
    let _slot = slots.upload()?;
    let upload = body.upload()?;
    let (id, actor) = (id.into_inner(), user.actor());
    let references = &services.references;
    let profile = match upload.format {
        DataFormat::Json => {
            let sent = upload::reference_envelope(&upload.bytes().await?)?;
            references
                .upload_reference(id, sent.data, DataFormat::Json, sent.kinds, &actor)
                .await?
        }
        format => {
            let kinds = upload::reference_kinds(&query)?;
            upload
                .streamed(|data| references.upload_reference(id, data, format, kinds, &actor))
                .await?
        }
    };
    tracing::info!(model_id = profile.model_id.0, rows = profile.rows, sha256 = %profile.sha256, "model.reference_uploaded");
    Ok(HttpResponse::Ok().json(profile))
}

/// The reference data's profile (rows, columns, kinds, missing) — not the data.
#[utoipa::path(
    tag = "data",
    params(("id" = i64, Path, description = "model id")),
    responses((status = 200, description = "the profile"), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
#[get("/models/{id}/reference")]
pub async fn get_reference(
    _signed_in: CurrentUser,
    services: web::Data<Services>,
    id: web::Path<ModelId>,
) -> Result<HttpResponse, ApiError> {
    let found = services
        .references
        .reference_profile(id.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(found))
}

/// The answer of `GET /models/{id}/reference/uploads`.
#[derive(Debug, Serialize)]
struct Uploads {
    uploads: Vec<ReferenceUpload>,
}

/// Every upload of the model's reference data, the replaced ones too, oldest first.
#[utoipa::path(
    tag = "data",
    params(("id" = i64, Path, description = "model id")),
    responses(
        (status = 200, description = "{uploads: [{model_id, sha256, rows, uploaded_by, uploaded_at}]}, oldest first", body = ref("#/components/schemas/ReferenceUploads")),
        (status = 404, description = "no such model", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/models/{id}/reference/uploads")]
pub async fn get_reference_uploads(
    _signed_in: CurrentUser,
    services: web::Data<Services>,
    id: web::Path<ModelId>,
) -> Result<HttpResponse, ApiError> {
    let uploads = services
        .references
        .reference_uploads(id.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(Uploads { uploads }))
}
