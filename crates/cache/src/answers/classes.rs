//! The kinds of cached answer, their time to live, and whether a lookup hit.

use std::time::Duration;

/// The cached answers of the service, each with its own TTL class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CacheClass {
    /// The dashboard's summary counts.
    DashboardSummary,
    /// How many models are in each compliance state.
    ComplianceDistribution,
    /// Risk scores over time.
    RiskTrends,
    /// The governance policies.
    Policies,
    /// How many models match a model list's filters: the total of `GET /models`' pages.
    ModelTotals,
    /// A page of a model list, its models and the list's total: `GET /models` and the UI's
    /// list.
    ModelPages,
    /// The users that tokens name, as authentication reads them (see
    /// `driftguard_auth::RememberedUsers`).
    Users,
}

impl CacheClass {
    /// Every class, for metrics and for invalidating everything.
    pub const ALL: [CacheClass; 7] = [
        CacheClass::DashboardSummary,
        CacheClass::ComplianceDistribution,
        CacheClass::RiskTrends,
        CacheClass::Policies,
        CacheClass::ModelTotals,
        CacheClass::ModelPages,
        CacheClass::Users,
    ];

    /// The class's position in [`CacheClass::ALL`], for per-class tables.
    pub(super) const fn index(self) -> usize {
        match self {
            CacheClass::DashboardSummary => 0,
            CacheClass::ComplianceDistribution => 1,
            CacheClass::RiskTrends => 2,
            CacheClass::Policies => 3,
            CacheClass::ModelTotals => 4,
            CacheClass::ModelPages => 5,
            CacheClass::Users => 6,
        }
    }

    /// The class's name: part of its cache keys and the Prometheus `key_class` label, so it
    /// must stay stable.
    pub fn label(self) -> &'static str {
        match self {
            CacheClass::DashboardSummary => "dashboard_summary",
            CacheClass::ComplianceDistribution => "compliance_distribution",
            CacheClass::RiskTrends => "risk_trends",
            CacheClass::Policies => "policies",
            CacheClass::ModelTotals => "model_totals",
            CacheClass::ModelPages => "model_pages",
            CacheClass::Users => "users",
        }
    }
}

/// How long each class of answer is cached, in seconds (settings: `cache.ttls`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct CacheTtls {
    /// TTL of [`CacheClass::DashboardSummary`].
    pub dashboard_summary_secs: u64,
    /// TTL of [`CacheClass::ComplianceDistribution`].
    pub compliance_distribution_secs: u64,
    /// TTL of [`CacheClass::RiskTrends`].
    pub risk_trends_secs: u64,
    /// TTL of [`CacheClass::Policies`].
    pub policies_secs: u64,
    /// TTL of [`CacheClass::ModelTotals`].
    pub model_totals_secs: u64,
    /// TTL of [`CacheClass::ModelPages`].
    pub model_pages_secs: u64,
    /// TTL of [`CacheClass::Users`].
    pub users_secs: u64,
}

impl Default for CacheTtls {
    fn default() -> Self {
        Self {
            dashboard_summary_secs: 60,
            compliance_distribution_secs: 300,
            risk_trends_secs: 600,
            policies_secs: 1800,
            // Not in the seed plan's table: every change that can move a total drops
            // them all, so the TTL only bounds how long an unused filter's total is kept.
            model_totals_secs: 300,
            // Not in the table either, and dropped by the same changes as the totals (and
            // by a reference upload, which moves a model in the by-last-change order).
            model_pages_secs: 300,
            // Not in the seed plan's table either: a role change or the end of a user's
            // sessions makes every user forgotten at once; the TTL bounds how long a replica
            // that missed that (Redis unreachable from the writer alone) could still
            // answer with what it remembered.
            users_secs: 10,
        }
    }
}

impl CacheTtls {
    /// The TTL of `class`.
    pub fn ttl(&self, class: CacheClass) -> Duration {
        Duration::from_secs(match class {
            CacheClass::DashboardSummary => self.dashboard_summary_secs,
            CacheClass::ComplianceDistribution => self.compliance_distribution_secs,
            CacheClass::RiskTrends => self.risk_trends_secs,
            CacheClass::Policies => self.policies_secs,
            CacheClass::ModelTotals => self.model_totals_secs,
            CacheClass::ModelPages => self.model_pages_secs,
            CacheClass::Users => self.users_secs,
        })
    }
}

/// Whether a lookup was answered without computing: the `X-Cache` header and the hit and miss
/// metrics say whether this request cost the database anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    /// Answered without computing: from the cache, or from the computation another caller of
    /// this process ran for the same key at the same time (see
    /// [`AnswerCache::get_or_compute`](super::AnswerCache::get_or_compute)).
    Hit,
    /// Computed by this caller (and stored for the next ones when the store could be read).
    Miss,
}

impl Lookup {
    /// `HIT` or `MISS`: the value of the `X-Cache` response header.
    pub fn as_str(self) -> &'static str {
        match self {
            Lookup::Hit => "HIT",
            Lookup::Miss => "MISS",
        }
    }
}
