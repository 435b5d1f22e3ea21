//! Rate limiting per client IP, before routing and before the body is read: 429 with
//! `Retry-After` when over the quota, `X-RateLimit-*` headers on every limited response. The
//! 429 is the JSON error body, or under the pages' prefix (the dashboard UI) their HTML page.

use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use actix_web::HttpMessage;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest};
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue, RETRY_AFTER};
use driftguard_cache::{Decision, RateLimiter};
use driftguard_observability::Metrics;

use super::around::{Around, Next, Reply, around_transform};
use super::client_ip::{self, InvalidProxy, TrustedProxies};
use super::rate_limit_rules::RateLimitSettings;
use super::request_id::RequestId;
use super::routed;
use crate::error::ApiError;

/// The quota, per minute.
pub const X_RATELIMIT_LIMIT: HeaderName = HeaderName::from_static("x-ratelimit-limit");
/// Requests left right now.
pub const X_RATELIMIT_REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining");
/// Seconds until the full quota is available again.
pub const X_RATELIMIT_RESET: HeaderName = HeaderName::from_static("x-ratelimit-reset");

/// Middleware applying [`RateLimitSettings`] through a [`RateLimiter`]. Cheap to clone; build
/// it once and clone it into each worker's `App`.
#[derive(Debug, Clone)]
pub struct RateLimit {
    state: Arc<State>,
    pages: Option<Arc<PageErrors>>,
}

#[derive(Debug)]
struct State {
    settings: RateLimitSettings,
    proxies: TrustedProxies,
    limiter: Arc<dyn RateLimiter>,
    metrics: Metrics,
}

/// Makes the HTML page of an error status, given the request id.
pub type ErrorPage = Arc<dyn Fn(StatusCode, &str) -> String + Send + Sync>;

/// Where pages live and how their error page is made (see [`RateLimit::with_pages`]).
struct PageErrors {
    prefix: &'static str,
    render: ErrorPage,
}

impl PageErrors {
    /// Whether `path` is `prefix` or under it (`/ui`, `/ui/…`, not `/uix`).
    fn covers(&self, path: &str) -> bool {
        path.strip_prefix(self.prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    }
}

impl std::fmt::Debug for PageErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageErrors")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl RateLimit {
    /// Limits with `limiter` by `settings`, counting refusals in `metrics`; fails on a
    /// trusted-proxies entry that does not parse.
    pub fn new(
        settings: RateLimitSettings,
        limiter: Arc<dyn RateLimiter>,
        metrics: Metrics,
    ) -> Result<Self, InvalidProxy> {
        let proxies = TrustedProxies::parse(&settings.trusted_proxies)?;
        Ok(Self {
            state: Arc::new(State {
                settings,
                proxies,
                limiter,
                metrics,
            }),
            pages: None,
        })
    }
}

impl RateLimit {
    /// Refuses requests under `prefix` with the HTML page `render` makes from the status and
    /// the request id: a person in a browser reads it, where the API's clients read JSON.
    pub fn with_pages(mut self, prefix: &'static str, render: ErrorPage) -> Self {
        self.pages = Some(Arc::new(PageErrors { prefix, render }));
        self
    }

    /// The 429 answer for `req`: the pages' HTML under their prefix, the JSON body elsewhere.
    fn refusal(&self, req: &ServiceRequest) -> actix_web::HttpResponse {
        let request_id = req
            .extensions()
            .get::<RequestId>()
            .map(|id| id.0.clone())
            .unwrap_or_default();
        let status = StatusCode::TOO_MANY_REQUESTS;
        match &self.pages {
            Some(pages) if pages.covers(req.path()) => actix_web::HttpResponse::build(status)
                .content_type("text/html; charset=utf-8")
                .body((pages.render)(status, &request_id)),
            _ => ApiError::new(status, "rate_limited", "Rate limit exceeded")
                .response_with_id(request_id),
        }
    }
}

impl Around for RateLimit {
    type Body<B: MessageBody + 'static> = EitherBody<B>;

    fn around<S: Next<B>, B: MessageBody + 'static>(
        &self,
        next: Rc<S>,
        req: ServiceRequest,
    ) -> Reply<EitherBody<B>> {
        let state = Arc::clone(&self.state);
        let rule = if state.settings.enabled {
            state.settings.classify(req.method(), routed::path(&req))
        } else {
            None
        };
        let Some(rule) = rule else {
            let fut = next.call(req);
            return Box::pin(async move { Ok(fut.await?.map_into_left_body()) });
        };
        let key = request_key(&req, &state.proxies);
        let this = self.clone();
        Box::pin(async move {
            let decision = state.limiter.check(rule.class, &key, rule.quota).await;
            if !decision.allowed {
                state.metrics.rate_limited(rule.class);
                tracing::warn!(class = rule.class, client_ip = %key, "api.rate_limited");
                let mut res = this.refusal(&req);
                set_headers(res.headers_mut(), &decision);
                res.headers_mut().insert(
                    RETRY_AFTER,
                    HeaderValue::from(whole_seconds(decision.retry_after).max(1)),
                );
                return Ok(req.into_response(res).map_into_right_body());
            }
            let mut res = next.call(req).await?;
            set_headers(res.headers_mut(), &decision);
            Ok(res.map_into_left_body())
        })
    }
}

around_transform!(RateLimit);

/// The limiter key: the client's IP (IPv6: its /64), or `unknown` when the transport gives
/// none.
fn request_key(req: &ServiceRequest, proxies: &TrustedProxies) -> String {
    client_ip::of_request(req, proxies).map_or_else(|| "unknown".to_owned(), client_ip::limiter_key)
}

fn set_headers(headers: &mut HeaderMap, decision: &Decision) {
    headers.insert(X_RATELIMIT_LIMIT, HeaderValue::from(decision.limit));
    headers.insert(X_RATELIMIT_REMAINING, HeaderValue::from(decision.remaining));
    headers.insert(
        X_RATELIMIT_RESET,
        HeaderValue::from(whole_seconds(decision.reset_after)),
    );
}

/// Seconds, rounded up so that a client waiting that long is not refused again.
fn whole_seconds(duration: Duration) -> u64 {
    duration.as_secs() + u64::from(duration.subsec_nanos() > 0)
}

#[cfg(test)]
#[path = "rate_limit_tests.rs"]
mod tests;
