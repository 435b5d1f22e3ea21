//! A user for the tests that need one to own models, sign rows or act, created straight in
//! the store (its password hash is no hash: nobody signs in as it).

use driftguard_auth::{NewUser, UserRepository};
use driftguard_core::{Role, UserId};
use driftguard_storage::Store;

/// Creates the user `email` with `role` in `store`.
pub async fn user(store: &Store, email: &str, role: Role) -> UserId {
    let new = NewUser {
        email: email.into(),
        full_name: None,
        role,
        password_hash: "x".into(),
    };
    UserRepository::create(store, new)
        .await
        .expect("a test user")
        .id
}
