//! How a list of models may be filtered and ordered.

use crate::model::ModelStatus;
use driftguard_core::RiskTier;

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

impl std::str::FromStr for ModelSort {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "-created_at" => ModelSort::CreatedDesc,
            "created_at" => ModelSort::CreatedAsc,
            "name" => ModelSort::NameAsc,
            "-name" => ModelSort::NameDesc,
            "-updated_at" => ModelSort::UpdatedDesc,
            _ => {
                return Err(
                    "must be one of -created_at, created_at, name, -name, -updated_at".into(),
                );
            }
        })
    }
}

/// Filters of a model list; all that are set must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModelQuery {
    /// Only models in this state.
    pub status: Option<ModelStatus>,
    /// Only models of this tier.
    pub risk_tier: Option<RiskTier>,
    /// Only models whose name contains this text (case-insensitive).
    pub name_contains: Option<String>,
    /// Order of the list.
    pub sort: ModelSort,
}
