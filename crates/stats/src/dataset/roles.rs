//! Which columns play which part in an evaluation.

use serde::{Deserialize, Serialize};

use super::Dataset;

/// Column roles of a model's data. Every column that has no role is a feature.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ColumnRoles {
    /// The model's output (class 0/1, or the regression value).
    pub prediction: Option<String>,
    /// The ground truth.
    pub label: Option<String>,
    /// The model's probability of class 1 (binary classification).
    pub score: Option<String>,
    /// Sensitive attributes whose groups fairness compares.
    pub sensitive: Vec<String>,
    /// Columns left out of every evaluation (identifiers, timestamps).
    pub ignore: Vec<String>,
}

impl ColumnRoles {
    /// True when `name` has a role (and so is not a feature).
    pub fn has_role(&self, name: &str) -> bool {
        [&self.prediction, &self.label, &self.score]
            .into_iter()
            .any(|role| role.as_deref() == Some(name))
            || self.sensitive.iter().any(|s| s == name)
            || self.ignore.iter().any(|s| s == name)
    }

    /// The feature columns of `dataset`, in file order.
    pub fn feature_columns<'a>(&self, dataset: &'a Dataset) -> Vec<&'a str> {
        self.features(dataset.names())
    }

    /// The features among `names` (a dataset's, a prepared reference's), in their order.
    pub fn features<'a>(&self, names: &'a [String]) -> Vec<&'a str> {
        names
            .iter()
            .map(String::as_str)
            .filter(|name| !self.has_role(name))
            .collect()
    }
}
