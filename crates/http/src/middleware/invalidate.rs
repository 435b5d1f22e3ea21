//! Invalidation of cached answers after the writes that change them, so that nobody reads a
//! dashboard or a policy that misses their own change.
//!
//! One table, by route pattern, says which writes change which answers. The invalidation
//! runs before the response leaves, so the writer's next request already misses the cache;
//! with Redis it reaches every replica. It runs for every answer of a write route except a
//! 4xx other than 409: a 409 may be a blocked deployment (recorded in the history, and
//! counted on the summary), a 5xx may come after a commit, and invalidating once too often
//! only costs a recomputation.

use std::rc::Rc;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceRequest};
use actix_web::http::{Method, StatusCode};
use driftguard_cache::{AnswerCache, CacheClass};

use super::around::{Around, Next, Reply, around_transform};
use super::routed;

const DASHBOARDS: &[CacheClass] = &[
    CacheClass::DashboardSummary,
    CacheClass::ComplianceDistribution,
    CacheClass::RiskTrends,
];
const MODEL_COUNTS: &[CacheClass] = &[
    CacheClass::DashboardSummary,
    CacheClass::ComplianceDistribution,
];
const SUMMARY: &[CacheClass] = &[CacheClass::DashboardSummary];
const POLICIES: &[CacheClass] = &[CacheClass::Policies];

/// The answers a request to `pattern` with `method` may change.
pub fn changed_by(method: &Method, pattern: &str) -> &'static [CacheClass] {
    match (method.as_str(), pattern) {
        // A new or edited model changes the counts by status and tier; a deleted one takes
        // its evaluations with it.
        ("POST", "/models") | ("PATCH", "/models/{id}") => MODEL_COUNTS,
        ("DELETE", "/models/{id}") | ("POST", "/models/{id}/evaluations") => DASHBOARDS,
        // Deployments, overrides, blocked attempts and the status counts.
        ("POST", "/models/{id}/deploy" | "/models/{id}/retire") => SUMMARY,
        ("POST", "/policies") | ("PUT" | "DELETE", "/policies/{id}") => POLICIES,
        _ => &[],
    }
}

fn may_have_written(status: StatusCode) -> bool {
    !status.is_client_error() || status == StatusCode::CONFLICT
}

/// Middleware invalidating the cached answers a write changed.
#[derive(Debug, Clone)]
pub struct InvalidateAnswers {
    cache: AnswerCache,
}

impl InvalidateAnswers {
    /// Invalidates in `cache`.
    pub fn new(cache: AnswerCache) -> Self {
        Self { cache }
    }
}

impl Around for InvalidateAnswers {
    type Body<B: MessageBody + 'static> = B;

    fn around<S: Next<B>, B: MessageBody + 'static>(
        &self,
        next: Rc<S>,
        req: ServiceRequest,
    ) -> Reply<B> {
        // Reads are most requests and change nothing: they skip the route matching.
        let classes = if req.method().is_safe() {
            &[]
        } else {
            routed::pattern(req.request())
                .map_or(&[][..], |pattern| changed_by(req.method(), &pattern))
        };
        let pending = PendingInvalidation {
            cache: Some(self.cache.clone()).filter(|_| !classes.is_empty()),
            classes,
        };
        let fut = next.call(req);
        Box::pin(async move {
            let mut pending = pending;
            let res = fut.await?;
            if let Some(cache) = pending.cache.take()
                && may_have_written(res.status())
            {
                cache.invalidate(classes).await;
            }
            Ok(res)
        })
    }
}

around_transform!(InvalidateAnswers);

/// The invalidation a write route owes until its answer is known. actix drops a request's
/// future when the client hangs up, possibly after the write committed: dropped before it
/// was settled, it invalidates anyway, on a task of its own (once too often costs only a
/// recomputation).
struct PendingInvalidation {
    cache: Option<AnswerCache>,
    classes: &'static [CacheClass],
}

impl Drop for PendingInvalidation {
    fn drop(&mut self) {
        // Outside a runtime (a server shutting down) there is nothing left to serve stale.
        if let (Some(cache), Ok(runtime)) =
            (self.cache.take(), tokio::runtime::Handle::try_current())
        {
            let classes = self.classes;
            runtime.spawn(async move { cache.invalidate(classes).await });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_unrelated_writes_invalidate_nothing() {
        assert!(changed_by(&Method::GET, "/models").is_empty());
        assert!(changed_by(&Method::GET, "/dashboard/summary").is_empty());
        assert!(changed_by(&Method::PUT, "/models/{id}/reference").is_empty());
        assert!(changed_by(&Method::PUT, "/users/{id}/role").is_empty());
    }

    #[test]
    fn every_write_that_changes_an_answer_invalidates_it() {
        assert_eq!(
            changed_by(&Method::POST, "/models/{id}/evaluations"),
            DASHBOARDS
        );
        assert_eq!(changed_by(&Method::DELETE, "/models/{id}"), DASHBOARDS);
        assert_eq!(changed_by(&Method::PATCH, "/models/{id}"), MODEL_COUNTS);
        assert_eq!(changed_by(&Method::POST, "/models/{id}/deploy"), SUMMARY);
        assert_eq!(changed_by(&Method::DELETE, "/policies/{id}"), POLICIES);
    }

    #[tokio::test]
    async fn a_request_dropped_before_its_answer_still_invalidates() {
        use driftguard_cache::{CacheTtls, InProcessCache, Lookup};
        use std::sync::Arc;
        let cache = AnswerCache::new(Arc::new(InProcessCache::new(1 << 20)), CacheTtls::default());
        let lookup = || cache.get_or_compute(CacheClass::Policies, "", || async { Ok::<_, ()>(1) });
        assert_eq!(lookup().await, Ok((1, Lookup::Miss)));
        assert_eq!(lookup().await, Ok((1, Lookup::Hit)));
        drop(PendingInvalidation {
            cache: Some(cache.clone()),
            classes: POLICIES,
        });
        // The invalidation runs on a task of its own: let it.
        for _ in 0..100 {
            tokio::task::yield_now().await;
        }
        assert_eq!(lookup().await, Ok((1, Lookup::Miss)));
    }

    #[test]
    fn refused_requests_do_not_invalidate_but_blocked_deployments_do() {
        assert!(may_have_written(StatusCode::CREATED));
        assert!(may_have_written(StatusCode::CONFLICT));
        assert!(may_have_written(StatusCode::SERVICE_UNAVAILABLE));
        assert!(!may_have_written(StatusCode::FORBIDDEN));
        assert!(!may_have_written(StatusCode::UNPROCESSABLE_ENTITY));
    }
}
