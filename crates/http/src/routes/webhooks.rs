//! `/webhooks`: the admin registers endpoints for governance events, changes and removes them,
//! and reads each one's delivery log. The signing secret is in the registration's answer only.

use crate::body::Body;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{CurrentUser, PageParams};
use actix_web::{HttpResponse, delete, get, patch, post, web};
use driftguard_app::Services;
use driftguard_app::ports::webhooks::{
    DeliveryRecord, DeliveryState, Endpoint, EndpointPatch, WebhookFormat,
};
use driftguard_app::webhooks::event::EventKind;
use driftguard_app::webhooks::{MAX_DESCRIPTION, MAX_URL, WebhookDraft};
use driftguard_auth::Action;
use driftguard_core::schema::one_of;
use driftguard_core::{Pagination, UserId, WebhookId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa::openapi::schema::{Array, ArrayBuilder};

fn event_names() -> utoipa::openapi::Object {
    one_of(EventKind::ALL.iter().map(|k| k.as_str()))
}

fn event_list() -> Array {
    ArrayBuilder::new()
        .items(event_names())
        .min_items(Some(1))
        .build()
}

fn formats() -> utoipa::openapi::Object {
    one_of(WebhookFormat::ALL.iter().map(|f| f.as_str()))
}

fn states() -> utoipa::openapi::Object {
    one_of(
        [
            DeliveryState::Pending,
            DeliveryState::Delivered,
            DeliveryState::Failed,
        ]
        .iter()
        .map(|s| s.as_str()),
    )
}

/// The body of `POST /webhooks`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookRequest {
    /// Where to POST: an `http` or `https` URL whose addresses the `[webhooks]` settings
    /// allow (by default no private, loopback or link-local address).
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = "^[hH][tT][tT][pP][sS]?://"
    )]
    pub url: String,
    /// The events to send (at least one).
    #[schema(schema_with = event_list)]
    pub events: Vec<EventKind>,
    /// `json` (default), `slack` or `teams`.
    #[serde(default)]
    #[schema(schema_with = formats)]
    pub format: WebhookFormat,
    /// What the endpoint is for.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub description: Option<String>,
}

/// The body of `PATCH /webhooks/{id}`: what is left out stays as it is.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookChange {
    /// A new URL, checked as at registration.
    #[serde(default)]
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = "^[hH][tT][tT][pP][sS]?://"
    )]
    pub url: Option<String>,
    /// A new subscription (at least one event).
    #[serde(default)]
    #[schema(schema_with = event_list)]
    pub events: Option<Vec<EventKind>>,
    /// Switches the endpoint on or off.
    #[serde(default)]
    pub active: Option<bool>,
}

/// A registered endpoint (its secret is never shown again).
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookResponse {
    /// Its id.
    #[schema(value_type = i64)]
    pub id: WebhookId,
    /// Where deliveries go.
    pub url: String,
    /// The events it gets.
    #[schema(schema_with = event_list)]
    pub events: Vec<EventKind>,
    /// The body's format.
    #[schema(schema_with = formats)]
    pub format: WebhookFormat,
    /// What it is for.
    pub description: Option<String>,
    /// Whether it gets deliveries.
    pub active: bool,
    /// The admin who registered it.
    #[schema(value_type = i64)]
    pub created_by: UserId,
    /// When.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Last changed.
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<&Endpoint> for WebhookResponse {
    fn from(e: &Endpoint) -> Self {
        Self {
            id: e.id,
            url: e.url.clone(),
            events: e.events.clone(),
            format: e.format,
            description: e.description.clone(),
            active: e.active,
            created_by: e.created_by,
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

/// A new endpoint, with the secret its deliveries are signed with: shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookCreated {
    /// The endpoint.
    #[serde(flatten)]
    pub webhook: WebhookResponse,
    /// The HMAC-SHA256 signing secret (`whsec_…`); store it now, it is not shown again.
    pub secret: String,
}

/// A page of endpoints.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookList {
    /// In id order.
    pub webhooks: Vec<WebhookResponse>,
    /// Where this page is.
    pub pagination: Pagination,
}

/// One delivery of an event to the endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryResponse {
    /// The delivery's id (the `X-DriftGuard-Delivery` header).
    pub id: i64,
    /// The event's id (the `X-DriftGuard-Event-Id` header).
    pub event_id: String,
    /// The event's type.
    #[schema(schema_with = event_names)]
    pub event: EventKind,
    /// `pending`, `delivered` or `failed`.
    #[schema(schema_with = states)]
    pub state: DeliveryState,
    /// Attempts made so far.
    pub attempts: u32,
    /// The receiver's last HTTP status.
    pub last_status: Option<u16>,
    /// Why the last attempt got no status (address refused, timeout, connection).
    pub last_error: Option<String>,
    /// When the next attempt is due (pending only).
    pub next_attempt_at: Option<chrono::DateTime<chrono::Utc>>,
    /// When the receiver accepted it.
    pub delivered_at: Option<chrono::DateTime<chrono::Utc>>,
    /// When the event was raised.
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<DeliveryRecord> for DeliveryResponse {
    fn from(d: DeliveryRecord) -> Self {
        Self {
            id: d.id,
            event_id: d.event_id,
            event: d.event,
            state: d.state,
            attempts: d.attempts,
            last_status: d.last_status,
            last_error: d.last_error,
            next_attempt_at: d.next_attempt_at,
            delivered_at: d.delivered_at,
            created_at: d.created_at,
        }
    }
}

/// A page of an endpoint's delivery log, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryList {
    /// Newest first.
    pub deliveries: Vec<DeliveryResponse>,
    /// Where this page is.
    pub pagination: Pagination,
}

/// Registers a webhook endpoint (admin); the answer holds its signing secret, once.
#[utoipa::path(
    tag = "webhooks",
    request_body = WebhookRequest,
    responses(
        (status = 201, body = WebhookCreated),
        (status = 403, body = ErrorBody),
        (status = 422, description = "a bad field, or a URL whose address is not allowed (the reason is given)", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/webhooks")]
pub async fn create(
    user: CurrentUser,
    services: web::Data<Services>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    user.require(Action::ManageWebhooks)?;
    let request: WebhookRequest = body.json().await?;
    let endpoint = services
        .webhooks
        .register(
            WebhookDraft {
                url: request.url,
                events: request.events,
                format: request.format,
                description: request.description,
            },
            &user.actor(),
        )
        .await?;
    tracing::info!(
        webhook_id = endpoint.id.0,
        by = user.0.id.0,
        "webhook.registered"
    );
    Ok(HttpResponse::Created().json(WebhookCreated {
        webhook: WebhookResponse::from(&endpoint),
        secret: endpoint.secret.expose().to_owned(),
    }))
}

/// Lists webhook endpoints (admin).
#[utoipa::path(
    tag = "webhooks",
    params(PageParams),
    responses((status = 200, body = WebhookList), (status = 403, body = ErrorBody)),
    security(("bearer" = []))
)]
#[get("/webhooks")]
pub async fn list(
    user: CurrentUser,
    services: web::Data<Services>,
    params: web::Query<PageParams>,
) -> Result<web::Json<WebhookList>, ApiError> {
    let page = params.page()?;
    let (endpoints, total) = services.webhooks.list(page, &user.actor()).await?;
    Ok(web::Json(WebhookList {
        webhooks: endpoints.iter().map(WebhookResponse::from).collect(),
        pagination: page.pagination(total),
    }))
}

/// One webhook endpoint (admin).
#[utoipa::path(
    tag = "webhooks",
    params(("id" = i64, Path, description = "webhook id")),
    responses((status = 200, body = WebhookResponse), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
#[get("/webhooks/{id}")]
pub async fn get(
    user: CurrentUser,
    services: web::Data<Services>,
    id: web::Path<WebhookId>,
) -> Result<web::Json<WebhookResponse>, ApiError> {
    let endpoint = services
        .webhooks
        .get(id.into_inner(), &user.actor())
        .await?;
    Ok(web::Json(WebhookResponse::from(&endpoint)))
}

/// Changes a webhook endpoint's URL, events or active flag (admin).
#[utoipa::path(
    tag = "webhooks",
    params(("id" = i64, Path, description = "webhook id")),
    request_body = WebhookChange,
    responses(
        (status = 200, body = WebhookResponse),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[patch("/webhooks/{id}")]
pub async fn update(
    user: CurrentUser,
    services: web::Data<Services>,
    id: web::Path<WebhookId>,
    body: Body,
) -> Result<web::Json<WebhookResponse>, ApiError> {
    user.require(Action::ManageWebhooks)?;
    let change: WebhookChange = body.json().await?;
    let endpoint = services
        .webhooks
        .update(
            id.into_inner(),
            EndpointPatch {
                url: change.url,
                events: change.events,
                active: change.active,
            },
            &user.actor(),
        )
        .await?;
    tracing::info!(
        webhook_id = endpoint.id.0,
        by = user.0.id.0,
        "webhook.updated"
    );
    Ok(web::Json(WebhookResponse::from(&endpoint)))
}

/// Removes a webhook endpoint and its delivery log (admin).
#[utoipa::path(
    tag = "webhooks",
    params(("id" = i64, Path, description = "webhook id")),
    responses((status = 204, description = "removed"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
#[delete("/webhooks/{id}")]
pub async fn remove(
    user: CurrentUser,
    services: web::Data<Services>,
    id: web::Path<WebhookId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    services.webhooks.delete(id, &user.actor()).await?;
    tracing::info!(webhook_id = id.0, by = user.0.id.0, "webhook.deleted");
    Ok(HttpResponse::NoContent().finish())
}

/// An endpoint's delivery log, newest first (admin).
#[utoipa::path(
    tag = "webhooks",
    params(("id" = i64, Path, description = "webhook id"), PageParams),
    responses((status = 200, body = DeliveryList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
#[get("/webhooks/{id}/deliveries")]
pub async fn deliveries(
    user: CurrentUser,
    services: web::Data<Services>,
    id: web::Path<WebhookId>,
    params: web::Query<PageParams>,
) -> Result<web::Json<DeliveryList>, ApiError> {
    let page = params.page()?;
    let (records, total) = services
        .webhooks
        .deliveries(id.into_inner(), page, &user.actor())
        .await?;
    Ok(web::Json(DeliveryList {
        deliveries: records.into_iter().map(Into::into).collect(),
        pagination: page.pagination(total),
    }))
}

/// The longest URL and description, as the use case checks them (the schema states the
/// same numbers).
const _: () = assert!(MAX_URL == 2000 && MAX_DESCRIPTION == 500);
