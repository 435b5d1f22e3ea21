//! The request mix of the load phase: request number `i` maps to one target, so the mix is
//! exact over every block of ten requests (six dashboards, four model lists) and the same on
//! every run.

use super::rng::mix64;

/// What a request asks for; samples are grouped by it in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Endpoint {
    /// `GET /dashboard/summary`.
    Summary,
    /// `GET /dashboard/compliance-distribution`.
    Compliance,
    /// `GET /dashboard/risk-trends?days=30`.
    RiskTrends,
    /// `GET /models` with paging, filters and sorts.
    Models,
}

impl Endpoint {
    /// Every endpoint, in report order.
    pub const ALL: [Endpoint; 4] = [
        Endpoint::Summary,
        Endpoint::Compliance,
        Endpoint::RiskTrends,
        Endpoint::Models,
    ];

    /// The name printed in the report.
    pub fn label(self) -> &'static str {
        match self {
            Endpoint::Summary => "GET /dashboard/summary",
            Endpoint::Compliance => "GET /dashboard/compliance-distribution",
            Endpoint::RiskTrends => "GET /dashboard/risk-trends",
            Endpoint::Models => "GET /models",
        }
    }

    /// Whether the cache hit rate counts it (the dashboards are what the cache is for).
    pub fn is_dashboard(self) -> bool {
        self != Endpoint::Models
    }
}

/// One request of the load phase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// For grouping.
    pub endpoint: Endpoint,
    /// Path and query string, appended to the server's base URL.
    pub path: String,
}

const TIERS: [&str; 4] = ["low", "medium", "high", "critical"];

/// Request number `i` against a registry of `models` models: slots 0–5 of each ten are the
/// three dashboards in turn (what a wall of polling browsers does), slots 6–9 are model
/// lists — newest or most recently updated first, by name, one tier's, the deployed ones —
/// at pages spread over the whole registry so that deep offsets are measured too.
///
/// Filters keep the default order, as the list's filter controls do: a filter combined
/// with another sort has no index of its own and costs a sort of the filtered rows (10–18 ms
/// on 10,000 models), which the UI does not ask for.
pub fn target(i: u64, models: u64) -> Target {
    let slot = i % 10;
    let (endpoint, path) = match slot {
        0..6 => match slot % 3 {
            0 => (Endpoint::Summary, "/dashboard/summary".to_owned()),
            1 => (
                Endpoint::Compliance,
                "/dashboard/compliance-distribution".to_owned(),
            ),
            _ => (
                Endpoint::RiskTrends,
                "/dashboard/risk-trends?days=30".to_owned(),
            ),
        },
        _ => (Endpoint::Models, models_query(slot, mix64(i), models)),
    };
    Target { endpoint, path }
}

fn models_query(slot: u64, hash: u64, models: u64) -> String {
    let pages = models.div_ceil(10).max(1);
    let skip = |pages: u64| 10 * (hash % pages.max(1));
    match slot {
        6 if hash & 1 == 0 => format!("/models?skip={}&limit=10", skip(pages)),
        6 => format!("/models?skip={}&limit=10&sort=-updated_at", skip(pages)),
        7 => format!("/models?skip={}&limit=10&sort=name", skip(pages)),
        // A quarter of the models have each tier.
        8 => format!(
            "/models?skip={}&limit=10&risk_tier={}",
            skip(pages / 4),
            TIERS[(hash >> 32) as usize % TIERS.len()]
        ),
        // A few hundred models are deployed: the first pages of them.
        _ => format!(
            "/models?skip={}&limit=10&status=deployed",
            skip(pages.min(3))
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};

    #[test]
    fn sixty_percent_dashboards_evenly_forty_percent_model_lists() {
        let mut counts: HashMap<Endpoint, u64> = HashMap::new();
        for i in 0..10_000 {
            *counts.entry(target(i, 10_000).endpoint).or_default() += 1;
        }
        assert_eq!(counts[&Endpoint::Summary], 2000);
        assert_eq!(counts[&Endpoint::Compliance], 2000);
        assert_eq!(counts[&Endpoint::RiskTrends], 2000);
        assert_eq!(counts[&Endpoint::Models], 4000);
    }

    #[test]
    fn model_lists_vary_and_stay_within_the_registry() {
        let lists: Vec<String> = (0..10_000)
            .map(|i| target(i, 10_000))
            .filter(|t| t.endpoint == Endpoint::Models)
            .map(|t| t.path)
            .collect();
        let distinct: HashSet<&String> = lists.iter().collect();
        assert!(distinct.len() > 1500, "{} distinct lists", distinct.len());
        for path in &lists {
            let skip: u64 = path
                .split(['?', '&'])
                .find_map(|p| p.strip_prefix("skip="))
                .and_then(|s| s.parse().ok())
                .expect("a skip parameter");
            assert!(skip < 10_000 && skip.is_multiple_of(10), "{path}");
            assert!(path.contains("limit=10"));
        }
        assert!(lists.iter().any(|p| p.contains("sort=name")));
        assert!(lists.iter().any(|p| p.contains("sort=-updated_at")));
        // A filter never comes with a sort (see `target`).
        assert!(
            !lists
                .iter()
                .any(|p| p.contains("risk_tier") && p.contains("sort"))
        );
        assert!(lists.iter().any(|p| p.contains("status=deployed")));
        assert!(lists.iter().any(|p| p.contains("risk_tier=critical")));
    }

    #[test]
    fn a_tiny_registry_gets_first_pages_only() {
        for i in 0..100 {
            let t = target(i, 3);
            assert!(
                !t.path.contains("skip=") || t.path.contains("skip=0"),
                "{}",
                t.path
            );
        }
    }

    #[test]
    fn only_the_dashboards_count_for_the_hit_rate() {
        let dashboards: Vec<Endpoint> = Endpoint::ALL
            .into_iter()
            .filter(|e| e.is_dashboard())
            .collect();
        assert_eq!(dashboards.len(), 3);
        assert!(!Endpoint::Models.is_dashboard());
    }
}
