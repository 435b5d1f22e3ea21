//! The totals of model lists, cached for every front end: a page of `GET /models` (and of
//! the UI's model list) reads only its own rows, and the count of every model matching its
//! filters comes from here. On PostgreSQL that count was the load test's bottleneck: with
//! it, 2,000 requests/s held a p99 of 19 ms and 3,000 timed out; without it, 6.6 and 13.7 ms
//! (docs/performance.md, "API throughput").

use driftguard_app::ModelService;
use driftguard_core::DomainResult;
use driftguard_registry::ModelQuery;

use super::{AnswerCache, CacheClass, Lookup};

/// The longest name filter whose total is cached: longer ones are counted each time, so
/// that a key stays short whatever a client sends.
const MAX_CACHED_NAME: usize = 100;

impl AnswerCache {
    /// How many models match `query`'s filters, from the cache or counted.
    pub async fn model_total(
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
    let name = query.name_contains.as_deref();
    if name.is_some_and(|n| n.len() > MAX_CACHED_NAME) {
        return None;
    }
    // JSON spells each filter unambiguously, a name with separators in it included.
    serde_json::to_string(&(
        query.status.map(|s| s.as_str()),
        query.risk_tier.map(|t| t.as_str()),
        query.compliance.map(|c| c.as_str()),
        name,
    ))
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftguard_core::RiskTier;
    use driftguard_registry::{ModelSort, ModelStatus};

    #[test]
    fn the_key_names_every_filter_and_not_the_order() {
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
    }
}
