//! The scenarios of `POST /simulation/drift` as a caller writes them, and their echo in the
//! answer.

use serde::{Deserialize, Serialize};

/// A scenario's number, or a list of numbers to try one after the other (a sweep; at most
/// one scenario of a request may give a list).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Values {
    /// One value.
    One(f64),
    /// Values to sweep, in the order given.
    Many(Vec<f64>),
}

impl Values {
    /// The values, one or many.
    pub fn as_slice(&self) -> &[f64] {
        match self {
            Self::One(value) => std::slice::from_ref(value),
            Self::Many(values) => values,
        }
    }

    /// Whether a list was given (even a list of one).
    pub fn is_list(&self) -> bool {
        matches!(self, Self::Many(_))
    }
}

/// `move`: a share of one category's rows relabelled as another category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Move {
    /// The category rows leave; the reference column must have it.
    pub from: String,
    /// The category they join; the reference column must have it.
    pub to: String,
    /// The share of `from`'s rows that move, in [0, 1].
    pub fraction: Values,
}

/// One change to the drawn rows; exactly one of the four operations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// The column it changes: a column of the model's reference data.
    pub column: String,
    /// Numeric: add this many reference standard deviations to every present value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shift: Option<Values>,
    /// Numeric: multiply each present value's deviation from the reference mean by this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<Values>,
    /// Any column: this share of the rows, in [0, 1], is missing afterwards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing_rate: Option<Values>,
    /// Categorical: move a share of one category's rows to another.
    #[serde(
        default,
        rename = "move",
        skip_serializing_if = "Option::is_none",
        deserialize_with = "driftguard_core::object::option"
    )]
    pub relabel: Option<Move>,
}

impl Scenario {
    /// The operations given, by their JSON names, with their values.
    pub fn operations(&self) -> Vec<(&'static str, &Values)> {
        [
            ("shift", self.shift.as_ref()),
            ("scale", self.scale.as_ref()),
            ("missing_rate", self.missing_rate.as_ref()),
            ("move", self.relabel.as_ref().map(|m| &m.fraction)),
        ]
        .into_iter()
        .filter_map(|(name, values)| Some((name, values?)))
        .collect()
    }
}
