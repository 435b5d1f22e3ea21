//! How a list of models may be filtered and ordered.

use crate::model::ModelStatus;
use driftguard_core::RiskTier;
use serde::{Deserialize, Serialize};

/// Orders of a model list, each backed by an index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ModelSort {
    /// Newest first (the default).
    #[default]
    CreatedDesc,
    /// Oldest first.
    CreatedAsc,
    /// By name, then version.
    NameAsc,
    /// By name descending, then version descending.
    NameDesc,
    /// Most recently changed first.
    UpdatedDesc,
}

impl ModelSort {
    /// Every order, the default first.
    pub const ALL: [ModelSort; 5] = [
        ModelSort::CreatedDesc,
        ModelSort::CreatedAsc,
        ModelSort::NameAsc,
        ModelSort::NameDesc,
        ModelSort::UpdatedDesc,
    ];

    /// The order as a `sort` query value.
    pub fn as_str(self) -> &'static str {
        match self {
            ModelSort::CreatedDesc => "-created_at",
            ModelSort::CreatedAsc => "created_at",
            ModelSort::NameAsc => "name",
            ModelSort::NameDesc => "-name",
            ModelSort::UpdatedDesc => "-updated_at",
        }
    }
}

impl std::str::FromStr for ModelSort {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|sort| sort.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Self::ALL.iter().map(|s| s.as_str()).collect();
                format!("must be one of {}", names.join(", "))
            })
    }
}

/// A model's compliance: its latest evaluation's result, or none yet. The dashboard's
/// compliance figures count models by the same four values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Compliance {
    /// The latest evaluation passed.
    Pass,
    /// The latest evaluation warned.
    Warn,
    /// The latest evaluation failed.
    Fail,
    /// Never evaluated.
    Unevaluated,
}

impl Compliance {
    /// Every value, best first, unevaluated last.
    pub const ALL: [Compliance; 4] = [
        Compliance::Pass,
        Compliance::Warn,
        Compliance::Fail,
        Compliance::Unevaluated,
    ];

    /// The name in a query string and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Compliance::Pass => "pass",
            Compliance::Warn => "warn",
            Compliance::Fail => "fail",
            Compliance::Unevaluated => "unevaluated",
        }
    }

    /// The latest evaluation's status this value means (as [`crate::LatestEvaluation`]
    /// holds it); `None` for a model never evaluated.
    pub fn latest_status(self) -> Option<&'static str> {
        match self {
            Compliance::Unevaluated => None,
            evaluated => Some(evaluated.as_str()),
        }
    }
}

impl std::str::FromStr for Compliance {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| "must be one of pass, warn, fail, unevaluated".into())
    }
}

/// Filters of a model list; all that are set must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModelQuery {
    /// Only models in this state.
    pub status: Option<ModelStatus>,
    /// Only models of this tier.
    pub risk_tier: Option<RiskTier>,
    /// Only models whose latest evaluation has this result (or that have none).
    pub compliance: Option<Compliance>,
    /// Only models whose name contains this text (case-insensitive).
    pub name_contains: Option<String>,
    /// Order of the list.
    pub sort: ModelSort,
}
