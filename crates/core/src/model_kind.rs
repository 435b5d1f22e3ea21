//! The enumerations several domains share about a model: its task and its risk tier.

use serde::{Deserialize, Serialize};

/// Declares a closed set of names that round-trip through text and serde as snake_case.
macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value's name as stored and serialised.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s).ok_or_else(|| {
                    let names: Vec<_> = Self::ALL.iter().map(|v| v.as_str()).collect();
                    format!("must be one of {}", names.join(", "))
                })
            }
        }
    };
}

named_enum! {
    /// What a model predicts.
    Task {
        /// Labels 0/1, optionally with a score.
        BinaryClassification = "binary_classification",
        /// A number.
        Regression = "regression",
    }
}

named_enum! {
    /// How much harm a wrong model can do; scales the risk score and selects policies.
    RiskTier {
        /// Multiplier 0.6 by default.
        Low = "low",
        /// Multiplier 0.8 by default.
        Medium = "medium",
        /// Multiplier 1.0 by default.
        High = "high",
        /// Multiplier 1.25 by default.
        Critical = "critical",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for tier in RiskTier::ALL {
            assert_eq!(tier.as_str().parse::<RiskTier>(), Ok(*tier));
        }
        assert_eq!("regression".parse::<Task>(), Ok(Task::Regression));
        assert!(
            "huge"
                .parse::<RiskTier>()
                .expect_err("not a tier")
                .contains("low, medium")
        );
    }
}
