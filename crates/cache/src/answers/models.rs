//! Model list pages, cached for every front end: a page of `GET /models` (and of the UI's
//! model list), its models and how many match its filters, is read from the database once
//! per change that can move it.
//!
//! Why: counting every match was the load test's bottleneck on PostgreSQL (2,000 requests/s
//! at p99 19 ms and 3,000 timing out, against 6.6 and 13.7 ms without it), and then finding a
//! page's ids was (planned on every request, as its SQL depends on the filters and the order,
//! and walking the index to the page's offset: about 2 ms of PostgreSQL's CPU for a page deep
//! in the registry), and then reading its rows by key, a fifth of what PostgreSQL and the
//! server spent at 5,000 requests/s (docs/performance.md, "API throughput").
//!
//! A cached page is as current as the dashboards: every write to a model row announces a
//! change that drops the pages (a model registered, edited or deleted, its reference data
//! uploaded, an evaluation recorded, a deployment; `invalidation.rs`).

use driftguard_app::ModelService;
use driftguard_core::{DomainResult, Page};
use driftguard_registry::{Model, ModelQuery};
use serde::{Deserialize, Serialize};

use super::{AnswerCache, CacheClass, Lookup};

/// The longest name filter whose answers are cached: longer ones are read each time, so that
/// a key stays short whatever a client sends.
const MAX_CACHED_NAME: usize = 100;

/// A page of a model list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelPage {
    /// The page's models, in the list's order.
    pub models: Vec<Model>,
    /// How many models match the list's filters.
    pub total: u64,
}

impl AnswerCache {
    /// The `page` of the model list `query` asks for, from the cache or read (the total from
    /// the cache of totals, shared by every page of the same filters) and stored. `counted` is
    /// told of each lookup made: the page's, and on a miss the total's.
    pub async fn model_page(
        &self,
        models: &ModelService,
        query: &ModelQuery,
        page: Page,
        counted: &(dyn Fn(CacheClass, Lookup) + Sync),
    ) -> DomainResult<ModelPage> {
        let read = async || -> DomainResult<ModelPage> {
            let (total, lookup) = self.model_total(models, query).await?;
            counted(CacheClass::ModelTotals, lookup);
            let models = models.page(query, page).await?;
            Ok(ModelPage { models, total })
        };
        let (found, lookup) = match page_key(query, page) {
            Some(key) => {
                self.get_or_compute(CacheClass::ModelPages, &key, read)
                    .await?
            }
            None => (read().await?, Lookup::Miss),
        };
        counted(CacheClass::ModelPages, lookup);
        Ok(found)
    }

    /// How many models match `query`'s filters, from the cache or counted.
    async fn model_total(
        &self,
        models: &ModelService,
        query: &ModelQuery,
    ) -> DomainResult<(u64, Lookup)> {
        match total_key(query) {
            Some(key) => {
                self.get_or_compute(CacheClass::ModelTotals, &key, || models.count(query))
                    .await
            }
            None => Ok((models.count(query).await?, Lookup::Miss)),
        }
    }
}

/// The filters as a key (the order does not change a total); `None` for a name filter
/// too long to be one.
fn total_key(query: &ModelQuery) -> Option<String> {
    key(query, None)
}

/// The filters, the order and the page as a key; `None` as for [`total_key`].
fn page_key(query: &ModelQuery, page: Page) -> Option<String> {
    key(query, Some(page))
}

/// The key of a total (no `page`) or of a page.
fn key(query: &ModelQuery, page: Option<Page>) -> Option<String> {
    let name = query.name_contains.as_deref();
    if name.is_some_and(|n| n.len() > MAX_CACHED_NAME) {
        return None;
    }
    let filters = (
        query.status.map(|s| s.as_str()),
        query.risk_tier.map(|t| t.as_str()),
        query.compliance.map(|c| c.as_str()),
        name,
    );
    // JSON spells each part unambiguously, a name with separators in it included.
    match page {
        None => serde_json::to_string(&filters),
        Some(page) => {
            serde_json::to_string(&(filters, query.sort.as_str(), page.skip(), page.limit()))
        }
    }
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftguard_core::RiskTier;
    use driftguard_registry::{ModelSort, ModelStatus};

    #[test]
    fn the_total_key_names_every_filter_and_not_the_order() {
        let plain = ModelQuery::default();
        let sorted = ModelQuery {
            sort: ModelSort::NameAsc,
            ..ModelQuery::default()
        };
        assert_eq!(total_key(&plain), total_key(&sorted));
        let filtered = ModelQuery {
            status: Some(ModelStatus::Deployed),
            risk_tier: Some(RiskTier::High),
            name_contains: Some("a\",b".into()),
            ..ModelQuery::default()
        };
        assert_eq!(
            total_key(&filtered).as_deref(),
            Some(r#"["deployed","high",null,"a\",b"]"#)
        );
        let other_name = ModelQuery {
            name_contains: Some("a".into()),
            ..filtered.clone()
        };
        assert_ne!(total_key(&filtered), total_key(&other_name));
        let long = ModelQuery {
            name_contains: Some("x".repeat(MAX_CACHED_NAME + 1)),
            ..ModelQuery::default()
        };
        assert_eq!(total_key(&long), None);
        assert_eq!(page_key(&long, Page::default()), None);
    }

    #[test]
    fn the_page_key_names_the_filters_the_order_and_the_page() {
        let page = |skip, limit| Page::new(skip, limit).expect("page");
        let plain = ModelQuery::default();
        let by_name = ModelQuery {
            sort: ModelSort::NameAsc,
            ..ModelQuery::default()
        };
        let high = ModelQuery {
            risk_tier: Some(RiskTier::High),
            ..ModelQuery::default()
        };
        let keys = [
            page_key(&plain, page(0, 10)),
            page_key(&plain, page(10, 10)),
            page_key(&plain, page(0, 20)),
            page_key(&by_name, page(0, 10)),
            page_key(&high, page(0, 10)),
        ];
        for (i, a) in keys.iter().enumerate() {
            assert!(a.is_some());
            for b in &keys[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!(
            page_key(&high, page(20, 10)).as_deref(),
            Some(r#"[[null,"high",null,null],"-created_at",20,10]"#)
        );
    }
}
