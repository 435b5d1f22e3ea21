//! What the governance contract suites share: a user, model versions, raw SQL.
#![allow(dead_code)] // each suite uses its own part

use driftguard_core::{RiskTier, Role, Task, UserId};
use driftguard_registry::{Model, ModelRepository, NewModel};
use driftguard_storage::Store;

/// A user to own models and sign rows.
pub async fn user(store: &Store) -> UserId {
    driftguard_test_kit::user(store, "someone@example.com", Role::Admin).await
}

/// Registers `name` `version` (binary classification, high tier) owned by `owner`.
pub async fn model(store: &Store, owner: UserId, name: &str, version: &str) -> Model {
    ModelRepository::create(
        store,
        NewModel::new(name, version, Task::BinaryClassification, RiskTier::High),
        owner,
    )
    .await
    .expect("a model")
}

/// Raw SQL, as an attacker with database access would run it.
#[allow(unused_imports)] // like the rest, not every suite uses it
pub use driftguard_test_kit::raw;
