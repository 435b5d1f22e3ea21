//! Signed webhooks (issue #19, part 3): admins register endpoints for governance events; the
//! store writes each event's deliveries to an outbox in the transaction of the write that
//! raised it; the delivery worker signs and sends them, at least once, with retries. See
//! docs/webhooks.md.

pub mod address;
pub mod delivery;
pub mod event;
pub mod message;
pub mod signature;
pub mod worker;

use std::net::IpAddr;
use std::sync::Arc;

use async_trait::async_trait;
use driftguard_auth::Action;
use driftguard_core::{DomainError, DomainResult, FieldError, Page, WebhookId, now};

use crate::actor::Actor;
use crate::ports::webhooks::{
    DeliveryRecord, Endpoint, EndpointPatch, HostResolver, NewEndpoint, WebhookFormat, WebhookStore,
};
use address::AddressPolicy;
use event::EventKind;
use signature::WebhookSecret;

/// Longest endpoint URL, in characters.
pub const MAX_URL: usize = 2_000;
/// Longest description, in characters.
pub const MAX_DESCRIPTION: usize = 500;

/// An endpoint to register, as an admin sent it.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookDraft {
    /// Where to POST (`http` or `https`).
    pub url: String,
    /// The events it subscribes to (at least one).
    pub events: Vec<EventKind>,
    /// The body's format.
    pub format: WebhookFormat,
    /// What it is for.
    pub description: Option<String>,
}

/// Resolves names with the system's resolver (tokio's `lookup_host`).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemResolver;

#[async_trait]
impl HostResolver for SystemResolver {
    async fn resolve(&self, host: &str, port: u16) -> Result<Vec<IpAddr>, String> {
        let addresses = tokio::net::lookup_host((host, port))
            .await
            .map_err(|e| format!("{host} does not resolve: {e}"))?;
        Ok(addresses.map(|a| a.ip()).collect())
    }
}

/// The admin's webhook use cases: register, list, read, change, remove, read deliveries.
#[derive(Clone)]
pub struct WebhookService {
    store: Arc<dyn WebhookStore>,
    addresses: AddressPolicy,
    resolver: Arc<dyn HostResolver>,
}

fn subscription(events: Vec<EventKind>) -> DomainResult<Vec<EventKind>> {
    let mut events = events;
    events.sort();
    events.dedup();
    if events.is_empty() {
        return Err(DomainError::invalid_field(
            "events",
            "name at least one event",
        ));
    }
    Ok(events)
}

impl WebhookService {
    /// The use cases over `store`; URLs must pass `addresses` as `resolver` resolves them.
    pub fn new(
        store: Arc<dyn WebhookStore>,
        addresses: AddressPolicy,
        resolver: Arc<dyn HostResolver>,
    ) -> Self {
        Self {
            store,
            addresses,
            resolver,
        }
    }

    /// `Invalid` (422, field `url`) unless the URL is well formed and may be sent to now.
    async fn check_url(&self, url: &str) -> DomainResult<String> {
        let url = url.trim();
        let refuse =
            |message: String| DomainError::invalid_fields(vec![FieldError::new("url", message)]);
        if url.chars().count() > MAX_URL {
            return Err(refuse(format!("must be at most {MAX_URL} characters")));
        }
        self.addresses
            .target(url, self.resolver.as_ref())
            .await
            .map_err(refuse)?;
        Ok(url.to_owned())
    }

    /// `POST /webhooks`: registers an endpoint with a new signing secret (the answer is the
    /// only place the secret is shown). Needs `admin`.
    pub async fn register(&self, draft: WebhookDraft, user: &Actor) -> DomainResult<Endpoint> {
        user.require(Action::ManageWebhooks)?;
        if draft
            .description
            .as_ref()
            .is_some_and(|d| d.chars().count() > MAX_DESCRIPTION)
        {
            return Err(DomainError::invalid_field(
                "description",
                format!("must be at most {MAX_DESCRIPTION} characters"),
            ));
        }
        let events = subscription(draft.events)?;
        let url = self.check_url(&draft.url).await?;
        self.store
            .create_endpoint(NewEndpoint {
                url,
                events,
                format: draft.format,
                description: draft.description,
                secret: WebhookSecret::generate()?,
                created_by: user.id,
                created_at: now(),
            })
            .await
    }

    /// `GET /webhooks`: a page of endpoints and the total. Needs `admin`.
    pub async fn list(&self, page: Page, user: &Actor) -> DomainResult<(Vec<Endpoint>, u64)> {
        user.require(Action::ManageWebhooks)?;
        self.store.list_endpoints(page).await
    }

    /// `GET /webhooks/{id}`. Needs `admin`.
    pub async fn get(&self, id: WebhookId, user: &Actor) -> DomainResult<Endpoint> {
        user.require(Action::ManageWebhooks)?;
        self.store
            .get_endpoint(id)
            .await?
            .ok_or_else(|| id.not_found())
    }

    /// `PATCH /webhooks/{id}`: a new URL (checked as at registration), subscription or
    /// active flag. Needs `admin`.
    pub async fn update(
        &self,
        id: WebhookId,
        patch: EndpointPatch,
        user: &Actor,
    ) -> DomainResult<Endpoint> {
        user.require(Action::ManageWebhooks)?;
        let url = match patch.url {
            Some(url) => Some(self.check_url(&url).await?),
            None => None,
        };
        let events = patch.events.map(subscription).transpose()?;
        self.store
            .update_endpoint(
                id,
                EndpointPatch {
                    url,
                    events,
                    active: patch.active,
                },
            )
            .await
    }

    /// `DELETE /webhooks/{id}`: the endpoint and its delivery log. Needs `admin`.
    pub async fn delete(&self, id: WebhookId, user: &Actor) -> DomainResult<()> {
        user.require(Action::ManageWebhooks)?;
        self.store.delete_endpoint(id).await
    }

    /// `GET /webhooks/{id}/deliveries`: the endpoint's delivery log, newest first. Needs
    /// `admin`.
    pub async fn deliveries(
        &self,
        id: WebhookId,
        page: Page,
        user: &Actor,
    ) -> DomainResult<(Vec<DeliveryRecord>, u64)> {
        user.require(Action::ManageWebhooks)?;
        if self.store.get_endpoint(id).await?.is_none() {
            return Err(id.not_found());
        }
        self.store.list_deliveries(id, page).await
    }
}
