//! Cached answers over HTTP: a GET whose body is cached answers from the [`AnswerCache`],
//! says `X-Cache: HIT` or `MISS`, and counts the lookup in `cache_hits_total` /
//! `cache_misses_total{key_class}`.

use crate::error::ApiError;
use actix_web::HttpResponse;
use driftguard_cache::{AnswerCache, CacheClass, Lookup};
use driftguard_core::DomainResult;
use driftguard_observability::Metrics;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::future::Future;

/// The header that says whether a body came from the cache.
pub const X_CACHE: &str = "x-cache";

/// What a cached route needs: the cache and where to count its hits and misses.
#[derive(Clone, Debug)]
pub struct Answers {
    cache: AnswerCache,
    metrics: Metrics,
}

impl Answers {
    /// Answers cached in `cache`, counted in `metrics`.
    pub fn new(cache: AnswerCache, metrics: Metrics) -> Self {
        Self { cache, metrics }
    }

    /// A 200 with the answer for (`class`, `params`), from the cache or from `compute`; an
    /// error from `compute` is answered as usual and not cached.
    pub async fn respond<T, F, Fut>(
        &self,
        class: CacheClass,
        params: &str,
        compute: F,
    ) -> Result<HttpResponse, ApiError>
    where
        T: Serialize + DeserializeOwned + Send + Sync,
        F: FnOnce() -> Fut + Send,
        Fut: Future<Output = DomainResult<T>> + Send,
    {
        let answer = self.cache.get_or_compute(class, params, compute).await?;
        Ok(self.reply(class, answer))
    }

    /// The cache every front end shares (the dashboards' answers are keyed there, see
    /// `AnswerCache::dashboard_summary`).
    pub fn cache(&self) -> &AnswerCache {
        &self.cache
    }

    /// A 200 with an answer of `class` the cache gave, its lookup counted and reported.
    pub fn reply<T: Serialize>(
        &self,
        class: CacheClass,
        (body, lookup): (T, Lookup),
    ) -> HttpResponse {
        self.count(class, lookup);
        HttpResponse::Ok()
            .insert_header((X_CACHE, lookup.as_str()))
            .json(body)
    }

    /// Counts a lookup of `class` in `cache_hits_total` / `cache_misses_total`.
    pub fn count(&self, class: CacheClass, lookup: Lookup) {
        self.metrics
            .cache_lookup(class.label(), lookup == Lookup::Hit);
    }
}
