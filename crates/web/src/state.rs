//! What every page handler shares: the use cases, the answer cache the API's dashboards use,
//! the metrics the cache lookups are counted in, and the settings.

use crate::settings::UiSettings;
use driftguard_app::Services;
use driftguard_cache::{AnswerCache, CacheClass, Lookup};
use driftguard_observability::Metrics;

/// The UI's state.
#[derive(Clone)]
pub struct Ui {
    /// The use cases (the same the API calls).
    pub services: Services,
    /// The answers the API caches too (dashboards, model list pages).
    pub cache: AnswerCache,
    /// Where cache lookups are counted.
    pub metrics: Metrics,
    /// The UI's settings.
    pub settings: UiSettings,
}

impl Ui {
    /// Counts a cache lookup of `class` as the API counts its own, and hands the answer on.
    pub(crate) fn counted<T>(&self, class: CacheClass, (answer, lookup): (T, Lookup)) -> T {
        self.count(class, lookup);
        answer
    }

    /// Counts a cache lookup of `class` as the API counts its own.
    pub(crate) fn count(&self, class: CacheClass, lookup: Lookup) {
        self.metrics
            .cache_lookup(class.label(), lookup == Lookup::Hit);
    }
}
