//! Delivering the outbox: claim due deliveries, sign and POST each to the address its URL
//! resolves to now (checked again for SSRF), and record the result; a failed attempt is
//! retried with exponential backoff and jitter until the attempts run out.

use std::sync::Arc;
use std::time::Duration;

use driftguard_core::{DomainResult, Timestamp, now};

use crate::ports::webhooks::{
    AttemptResult, ClaimedDelivery, HostResolver, OutgoingRequest, WebhookStore, WebhookTransport,
};
use crate::webhooks::address::AddressPolicy;
use crate::webhooks::message;
use crate::webhooks::signature::random_u64;

/// The header carrying `t=<unix seconds>,v1=<hex HMAC-SHA256>`.
pub const SIGNATURE_HEADER: &str = "X-DriftGuard-Signature";
/// The header carrying the event's id (the same on every retry).
pub const EVENT_ID_HEADER: &str = "X-DriftGuard-Event-Id";
/// The header carrying the event's type (`evaluation.failed`, …).
pub const EVENT_HEADER: &str = "X-DriftGuard-Event";
/// The header carrying the delivery's id (one per event and endpoint).
pub const DELIVERY_HEADER: &str = "X-DriftGuard-Delivery";

/// How deliveries are made (`[webhooks]` in the settings).
#[derive(Debug, Clone)]
pub struct DeliverySettings {
    /// Which addresses may be sent to.
    pub addresses: AddressPolicy,
    /// How long one POST may take, connecting included.
    pub timeout: Duration,
    /// Attempts before a delivery is marked failed (at least 1).
    pub max_attempts: u32,
    /// The wait after the first failed attempt; it doubles after each.
    pub backoff_base: Duration,
    /// The longest wait between attempts.
    pub backoff_max: Duration,
    /// How often the worker looks for due deliveries when it found none.
    pub poll_interval: Duration,
    /// Deliveries claimed (and sent at once) per round.
    pub batch: u32,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        Self {
            addresses: AddressPolicy::default(),
            timeout: Duration::from_secs(10),
            max_attempts: 8,
            backoff_base: Duration::from_secs(30),
            backoff_max: Duration::from_secs(6 * 3600),
            poll_interval: Duration::from_secs(2),
            batch: 16,
        }
    }
}

impl DeliverySettings {
    /// How long a claim holds: longer than an attempt can take, so that only a claimant that
    /// died loses its deliveries to another.
    pub fn lease(&self) -> Duration {
        self.timeout * 2 + Duration::from_secs(30)
    }
}

/// The wait before attempt `attempts + 1`: `base × 2^(attempts − 1)` up to `max`, then a
/// random point in its upper half (jitter, so that receivers that failed together are not
/// retried together). `random` is any random number.
pub fn backoff(base: Duration, max: Duration, attempts: u32, random: u64) -> Duration {
    let doublings = attempts.saturating_sub(1).min(30);
    let full = base.saturating_mul(1u32 << doublings).min(max);
    let half = full / 2;
    let spread = u64::try_from(half.as_millis()).unwrap_or(u64::MAX);
    half + Duration::from_millis(random % spread.saturating_add(1))
}

/// The delivery use case the worker runs.
#[derive(Clone)]
pub struct Deliveries {
    store: Arc<dyn WebhookStore>,
    transport: Arc<dyn WebhookTransport>,
    resolver: Arc<dyn HostResolver>,
    settings: Arc<DeliverySettings>,
}

impl Deliveries {
    /// Deliveries from `store` over `transport`, resolving names with `resolver`.
    pub fn new(
        store: Arc<dyn WebhookStore>,
        transport: Arc<dyn WebhookTransport>,
        resolver: Arc<dyn HostResolver>,
        settings: DeliverySettings,
    ) -> Self {
        Self {
            store,
            transport,
            resolver,
            settings: Arc::new(settings),
        }
    }

    /// The settings.
    pub fn settings(&self) -> &DeliverySettings {
        &self.settings
    }

    /// Claims a batch of due deliveries, attempts them all at once and records each result;
    /// answers how many were claimed.
    pub async fn run_once(&self) -> DomainResult<usize> {
        let claimed = self
            .store
            .claim_due(now(), self.settings.batch, self.settings.lease())
            .await?;
        let count = claimed.len();
        let attempts = claimed.into_iter().map(|delivery| async move {
            let id = delivery.id;
            let token = delivery.lease_token.clone();
            let event = delivery.event.kind;
            let result = self.attempt(delivery).await;
            log(id, event.as_str(), &result);
            if let Err(e) = self.store.finish(id, &token, result).await {
                tracing::warn!(delivery_id = id, error = %e, "webhook.finish_failed");
            }
        });
        futures_util::future::join_all(attempts).await;
        Ok(count)
    }

    async fn attempt(&self, delivery: ClaimedDelivery) -> AttemptResult {
        let address = match self
            .settings
            .addresses
            .target(&delivery.url, self.resolver.as_ref())
            .await
        {
            Ok(address) => address,
            Err(reason) => return self.failed(delivery.attempts, None, Some(reason)),
        };
        let body = message::body(&delivery.event, delivery.format);
        let signature = delivery.secret.signature_header(now().timestamp(), &body);
        let request = OutgoingRequest {
            url: delivery.url,
            address,
            headers: vec![
                (SIGNATURE_HEADER, signature),
                (EVENT_ID_HEADER, delivery.event.id.clone()),
                (EVENT_HEADER, delivery.event.kind.as_str().to_owned()),
                (DELIVERY_HEADER, delivery.id.to_string()),
            ],
            body,
        };
        match self.transport.post(request).await {
            Ok(status) if (200..300).contains(&status) => {
                AttemptResult::Delivered { status, at: now() }
            }
            Ok(status) => self.failed(delivery.attempts, Some(status), None),
            Err(error) => self.failed(delivery.attempts, None, Some(error)),
        }
    }

    /// A failed attempt: retried later, or failed for good after the last attempt.
    fn failed(&self, attempts: u32, status: Option<u16>, error: Option<String>) -> AttemptResult {
        if attempts >= self.settings.max_attempts {
            return AttemptResult::Failed { status, error };
        }
        let wait = backoff(
            self.settings.backoff_base,
            self.settings.backoff_max,
            attempts,
            random_u64(),
        );
        let next_attempt_at = later(now(), wait);
        AttemptResult::Retry {
            status,
            error,
            next_attempt_at,
        }
    }
}

/// `at` plus `wait`, or the latest time there is (a wait beyond the calendar never ends).
pub fn later(at: Timestamp, wait: Duration) -> Timestamp {
    chrono::Duration::from_std(wait)
        .ok()
        .and_then(|wait| at.checked_add_signed(wait))
        .unwrap_or(chrono::DateTime::<chrono::Utc>::MAX_UTC)
}

fn log(id: i64, event: &str, result: &AttemptResult) {
    match result {
        AttemptResult::Delivered { status, .. } => {
            tracing::info!(delivery_id = id, event, status, "webhook.delivered");
        }
        AttemptResult::Retry {
            status,
            error,
            next_attempt_at,
        } => tracing::warn!(
            delivery_id = id, event, status, error = error.as_deref(), %next_attempt_at,
            "webhook.retry_scheduled"
        ),
        AttemptResult::Failed { status, error } => tracing::warn!(
            delivery_id = id,
            event,
            status,
            error = error.as_deref(),
            "webhook.failed"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_with_jitter_in_the_upper_half() {
        let base = Duration::from_secs(10);
        let max = Duration::from_secs(100);
        assert_eq!(backoff(base, max, 1, 0), Duration::from_secs(5));
        assert_eq!(backoff(base, max, 2, 0), Duration::from_secs(10));
        assert_eq!(backoff(base, max, 3, 0), Duration::from_secs(20));
        assert_eq!(backoff(base, max, 9, 0), Duration::from_secs(50), "capped");
        for random in [1, 4_999, 5_000, u64::MAX] {
            let wait = backoff(base, max, 1, random);
            assert!(wait >= Duration::from_secs(5) && wait <= base, "{wait:?}");
        }
        assert_eq!(backoff(base, max, u32::MAX, 0), Duration::from_secs(50));
    }
}
