//! Typed ids, after Lemmy's `newtypes.rs`: one newtype over the database's `i64` per kind of
//! row, so that a model's id cannot be passed where a user's is meant. On the wire they are
//! plain integers (`#[serde(transparent)]`; in the OpenAPI document a field holding one says
//! `#[schema(value_type = i64)]`), and the storage adapters convert them at the diesel
//! boundary. Each kind has the one `NotFound` error that names it.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::DomainError;

/// Declares an id newtype over `i64` that reads as the kind of thing it names.
macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident, $thing:literal) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl $name {
            /// `NotFound` for this id: the one message every layer gives for it.
            pub fn not_found(self) -> DomainError {
                DomainError::NotFound(format!(concat!($thing, " {} not found"), self.0))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<i64> for $name {
            fn from(id: i64) -> Self {
                Self(id)
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> Self {
                id.0
            }
        }
    };
}

typed_id!(
    /// A model version's id.
    ModelId,
    "model"
);
typed_id!(
    /// A user's id.
    UserId,
    "user"
);
typed_id!(
    /// A policy's id (every version of it shares one).
    PolicyId,
    "policy"
);
typed_id!(
    /// A stored evaluation's id.
    EvaluationId,
    "evaluation"
);
typed_id!(
    /// A row of the deployment history (the audit trail).
    DeploymentId,
    "deployment"
);
typed_id!(
    /// A registered webhook endpoint.
    WebhookId,
    "webhook"
);

typed_id!(
    /// A four-eyes override request (a deploy override waiting for a second approver).
    OverrideRequestId,
    "override request"
);

impl DeploymentId {
    /// The first row's id.
    pub const FIRST: Self = Self(1);

    /// The id of the row appended after this one: ids grow by one in append order, which
    /// the audit chain's verification checks. `None` past `i64::MAX`.
    pub fn next(self) -> Option<Self> {
        self.0.checked_add(1).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_plain_integers_on_the_wire() {
        assert_eq!(serde_json::to_string(&ModelId(7)).expect("encodes"), "7");
        let id: PolicyId = serde_json::from_str("42").expect("decodes");
        assert_eq!(id, PolicyId(42));
        assert!(serde_json::from_str::<UserId>("\"42\"").is_err());
        assert_eq!(EvaluationId(3).to_string(), "3");
        assert_eq!(DeploymentId::FIRST.next(), Some(DeploymentId(2)));
        assert_eq!(DeploymentId(i64::MAX).next(), None);
    }

    #[test]
    fn not_found_names_the_kind_and_the_id() {
        let cases = [
            (ModelId(1).not_found(), "model 1 not found"),
            (UserId(2).not_found(), "user 2 not found"),
            (PolicyId(3).not_found(), "policy 3 not found"),
            (EvaluationId(4).not_found(), "evaluation 4 not found"),
            (DeploymentId(5).not_found(), "deployment 5 not found"),
            (
                OverrideRequestId(6).not_found(),
                "override request 6 not found",
            ),
        ];
        for (error, message) in cases {
            assert!(
                matches!(&error, DomainError::NotFound(m) if m == message),
                "{error:?}"
            );
        }
    }
}
