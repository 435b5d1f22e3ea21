//! The webhook ports: `WebhookStore` (endpoints, the outbox and its delivery log),
//! `WebhookTransport` (one HTTP POST to an address already checked) and `HostResolver`
//! (DNS), with the domain types they speak.
//!
//! Contract every store keeps: an event's outbox rows (the event and one pending delivery per
//! active endpoint subscribed to its kind) are written in the transaction of the write that
//! raised it; `claim_due` hands a due delivery to one claimant at a time (a lease that
//! expires, so that a claimant that died mid-send is replaced: at least once) and counts the
//! attempt; `finish` only applies while the claimant's lease token still holds.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use async_trait::async_trait;
use driftguard_core::{DomainResult, Page, Timestamp, UserId, WebhookId};
use serde::{Deserialize, Serialize};

use crate::webhooks::event::{EventKind, OutboxEvent};
use crate::webhooks::signature::WebhookSecret;

/// The body a delivery carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum WebhookFormat {
    /// The event as JSON: `{id, type, created_at, data}`.
    #[default]
    Json,
    /// A Slack incoming-webhook message: `{"text": …}`.
    Slack,
    /// A Microsoft Teams MessageCard.
    Teams,
}

impl WebhookFormat {
    /// Every format.
    pub const ALL: [WebhookFormat; 3] = [Self::Json, Self::Slack, Self::Teams];

    /// The name stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Slack => "slack",
            Self::Teams => "teams",
        }
    }
}

impl std::str::FromStr for WebhookFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| format!("unknown webhook format `{s}`"))
    }
}

/// An endpoint to register (already validated).
#[derive(Debug, Clone)]
pub struct NewEndpoint {
    /// Where to POST.
    pub url: String,
    /// What it subscribes to (no duplicates, at least one).
    pub events: Vec<EventKind>,
    /// The body's format.
    pub format: WebhookFormat,
    /// What it is for.
    pub description: Option<String>,
    /// The signing secret.
    pub secret: WebhookSecret,
    /// The admin who registered it.
    pub created_by: UserId,
    /// When.
    pub created_at: Timestamp,
}

/// What `PATCH /webhooks/{id}` changes (already validated); `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EndpointPatch {
    /// A new URL.
    pub url: Option<String>,
    /// A new subscription.
    pub events: Option<Vec<EventKind>>,
    /// Switched on or off (an inactive endpoint gets no new deliveries, and its pending ones
    /// wait until it is switched on again).
    pub active: Option<bool>,
}

/// A registered endpoint.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// Its id.
    pub id: WebhookId,
    /// Where to POST.
    pub url: String,
    /// What it subscribes to.
    pub events: Vec<EventKind>,
    /// The body's format.
    pub format: WebhookFormat,
    /// What it is for.
    pub description: Option<String>,
    /// Whether it gets deliveries.
    pub active: bool,
    /// The signing secret (never serialised; shown once, when registered).
    pub secret: WebhookSecret,
    /// The admin who registered it.
    pub created_by: UserId,
    /// When.
    pub created_at: Timestamp,
    /// Last changed.
    pub updated_at: Timestamp,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryState {
    /// Waiting for its next attempt.
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// Every attempt failed (or the address was refused).
    Failed,
}

impl DeliveryState {
    /// The name stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }
}

impl std::str::FromStr for DeliveryState {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Self::Pending, Self::Delivered, Self::Failed]
            .into_iter()
            .find(|d| d.as_str() == s)
            .ok_or_else(|| format!("unknown delivery state `{s}`"))
    }
}

/// One line of an endpoint's delivery log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeliveryRecord {
    /// The delivery's id.
    pub id: i64,
    /// The event's id (the `X-DriftGuard-Event-Id` header).
    pub event_id: String,
    /// The event.
    pub event: EventKind,
    /// Where it stands.
    pub state: DeliveryState,
    /// Attempts made (counted when an attempt starts).
    pub attempts: u32,
    /// The receiver's last HTTP status, if it answered.
    pub last_status: Option<u16>,
    /// Why the last attempt failed without a status (refused address, timeout, connection).
    pub last_error: Option<String>,
    /// When the next attempt is due (pending only).
    pub next_attempt_at: Option<Timestamp>,
    /// When the receiver accepted it.
    pub delivered_at: Option<Timestamp>,
    /// When the event was put in the outbox.
    pub created_at: Timestamp,
}

/// A delivery a claimant holds: what it must send, and the lease it holds it by.
#[derive(Debug, Clone)]
pub struct ClaimedDelivery {
    /// The delivery's id.
    pub id: i64,
    /// Attempts so far, this one included.
    pub attempts: u32,
    /// The claim's token: `finish` applies only while it holds.
    pub lease_token: String,
    /// Where to.
    pub url: String,
    /// In what format.
    pub format: WebhookFormat,
    /// Signed with.
    pub secret: WebhookSecret,
    /// The event.
    pub event: OutboxEvent,
}

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq)]
pub enum AttemptResult {
    /// 2xx: done.
    Delivered {
        /// The receiver's status.
        status: u16,
        /// When.
        at: Timestamp,
    },
    /// Failed; try again at `next_attempt_at`.
    Retry {
        /// The receiver's status, if it answered.
        status: Option<u16>,
        /// Otherwise why it failed.
        error: Option<String>,
        /// When to try again.
        next_attempt_at: Timestamp,
    },
    /// Failed for good.
    Failed {
        /// The receiver's status, if it answered.
        status: Option<u16>,
        /// Otherwise why it failed.
        error: Option<String>,
    },
}

/// Endpoints, the outbox and the delivery log.
#[async_trait]
pub trait WebhookStore: Send + Sync {
    /// Stores a new endpoint.
    async fn create_endpoint(&self, endpoint: NewEndpoint) -> DomainResult<Endpoint>;

    /// The endpoint with this id, if any.
    async fn get_endpoint(&self, id: WebhookId) -> DomainResult<Option<Endpoint>>;

    /// A page of endpoints in id order, and how many there are.
    async fn list_endpoints(&self, page: Page) -> DomainResult<(Vec<Endpoint>, u64)>;

    /// Applies `patch`; `NotFound` for an unknown id.
    async fn update_endpoint(&self, id: WebhookId, patch: EndpointPatch) -> DomainResult<Endpoint>;

    /// Removes an endpoint and its delivery log; `NotFound` for an unknown id.
    async fn delete_endpoint(&self, id: WebhookId) -> DomainResult<()>;

    /// A page of an endpoint's deliveries, newest first, and how many it has.
    async fn list_deliveries(
        &self,
        id: WebhookId,
        page: Page,
    ) -> DomainResult<(Vec<DeliveryRecord>, u64)>;

    /// Puts an event in the outbox in a transaction of its own (for a raiser whose write is
    /// not a store command that does it itself); answers how many deliveries it made.
    async fn enqueue(&self, event: OutboxEvent) -> DomainResult<u64>;

    /// Claims up to `limit` due deliveries of active endpoints for `lease`, counting an
    /// attempt on each.
    async fn claim_due(
        &self,
        now: Timestamp,
        limit: u32,
        lease: Duration,
    ) -> DomainResult<Vec<ClaimedDelivery>>;

    /// Records how an attempt ended, if the claim's lease token still holds (answers whether
    /// it did).
    async fn finish(&self, id: i64, lease_token: &str, result: AttemptResult)
    -> DomainResult<bool>;
}

/// A POST to send, to an address already checked.
#[derive(Debug, Clone)]
pub struct OutgoingRequest {
    /// The endpoint's URL (its host is sent as `Host` and for TLS).
    pub url: String,
    /// The address to connect to: the one the SSRF check passed, never resolved again.
    pub address: SocketAddr,
    /// Headers besides `Content-Type: application/json`.
    pub headers: Vec<(&'static str, String)>,
    /// The body.
    pub body: Vec<u8>,
}

/// Sends webhook requests: no redirects followed, within the configured timeout.
#[async_trait]
pub trait WebhookTransport: Send + Sync {
    /// The receiver's HTTP status, or why no answer came.
    async fn post(&self, request: OutgoingRequest) -> Result<u16, String>;
}

/// Resolves host names.
#[async_trait]
pub trait HostResolver: Send + Sync {
    /// The addresses of `host`, or why there are none.
    async fn resolve(&self, host: &str, port: u16) -> Result<Vec<IpAddr>, String>;
}
