//! The demo's four accounts, one per role, so that a first look can sign in as each.

use driftguard_app::Actor;
use driftguard_auth::AuthService;
use driftguard_core::Role;
use rand::Rng;
use rand::distr::Alphanumeric;
use secrecy::{ExposeSecret, SecretString};

/// The accounts: email, role, display name.
const ACCOUNTS: [(&str, Role, &str); 4] = [
    ("demo-admin@example.com", Role::Admin, "Avery Admin (demo)"),
    (
        "demo-approver@example.com",
        Role::Approver,
        "Parker Approver (demo)",
    ),
    (
        "demo-engineer@example.com",
        Role::Engineer,
        "Emery Engineer (demo)",
    ),
    (
        "demo-viewer@example.com",
        Role::Viewer,
        "Vivian Viewer (demo)",
    ),
];

/// A demo account and how to sign in with it.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    /// Its email.
    pub email: String,
    /// The password it was created with; `None` when the account existed already (a
    /// forced reload), whose password the demo leaves alone.
    pub password: Option<String>,
    /// The user, as the use cases take it.
    pub actor: Actor,
}

/// A fresh random password: the demo's accounts are real accounts, so no fixed default.
fn generated_password() -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(20)
        .map(char::from)
        .collect()
}

/// Each demo account, created when missing (with `password`, else a random one each).
pub async fn ensure(
    auth: &AuthService,
    password: Option<&SecretString>,
) -> anyhow::Result<Vec<DemoAccount>> {
    let mut accounts = Vec::with_capacity(ACCOUNTS.len());
    for (email, role, name) in ACCOUNTS {
        let (user, password) = match auth.user_by_email(email).await? {
            Some(user) => (user, None),
            None => {
                let password =
                    password.map_or_else(generated_password, |p| p.expose_secret().to_owned());
                let user = auth
                    .create_user(email, &password, Some(name.to_owned()), role)
                    .await?;
                (user, Some(password))
            }
        };
        accounts.push(DemoAccount {
            email: user.email,
            password,
            actor: Actor::new(user.id, user.role),
        });
    }
    Ok(accounts)
}

/// The least privileged demo account with at least `role`: the one made for that role, unless
/// an admin changed roles since.
pub fn with_role(accounts: &[DemoAccount], role: Role) -> anyhow::Result<Actor> {
    accounts
        .iter()
        .rev()
        .find(|a| a.actor.role >= role)
        .map(|a| a.actor)
        .ok_or_else(|| anyhow::anyhow!("no demo account has the {role} role any more"))
}
