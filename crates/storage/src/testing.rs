//! Test helpers that need the store's insides (feature `testing`): the test chain key and
//! `Setup`, raw SQL, lifting the append-only guards. The test databases, the per-backend test
//! macro and the rest are in `driftguard-test-kit` (a dev-dependency of the crates that
//! test), which builds on and re-exports these.

use crate::settings::Backend;
use crate::store::Store;
use diesel_async::RunQueryDsl;
use driftguard_audit::ChainKey;
use driftguard_audit::attestation::{Keyring, SigningKey};
use driftguard_core::DomainResult;

/// The key test stores sign history checkpoints with (verify with this one too).
pub fn chain_key() -> ChainKey {
    ChainKey::new(b"driftguard test chain key, not for production")
}

/// The key test services sign attestations with (seed: 32 bytes of 0x2a); verify with its
/// public key.
pub fn attestation_keys() -> Keyring {
    Keyring::new(
        SigningKey::from_seed(&[0x2a; 32]).expect("32 bytes are a seed"),
        Vec::new(),
    )
}

/// What [`driftguard_app::Services::new`] needs besides the store, for tests: a token
/// service with a test secret, the test chain and attestation keys, no metrics, no change feed, the default
/// limits and risk settings, no prepared references kept in memory, the default webhook address policy (public addresses only).
/// Override fields with `Setup { limits, ..setup() }`.
pub fn setup() -> driftguard_app::Setup {
    driftguard_app::Setup {
        tokens: driftguard_auth::TokenService::new(
            &secrecy::SecretString::from("driftguard test token secret, 32+ characters"),
            "driftguard-test",
            std::time::Duration::from_secs(3600),
        ),
        chain_key: chain_key(),
        attestation_keys: std::sync::Arc::new(attestation_keys()),
        usage: std::sync::Arc::new(driftguard_app::NoUsageMetrics),
        changes: std::sync::Arc::new(driftguard_app::NoChangeFeed),
        remembered_users: None,
        limits: driftguard_stats::Limits::default(),
        // Off: tests that change the store underneath a service see their change. Those of
        // the kept references turn it on.
        kept_reference_bytes: 0,
        risk: driftguard_governance::RiskSettings::default(),
        overrides: driftguard_app::OverrideSettings::default(),
        password_hashes: 0,
        webhook_addresses: driftguard_app::webhooks::address::AddressPolicy::default(),
        resolver: std::sync::Arc::new(driftguard_app::webhooks::SystemResolver),
    }
}

/// Runs one raw SQL statement, as an attacker with database access would; answers the rows
/// it changed.
pub async fn raw(store: &Store, sql: &str) -> DomainResult<usize> {
    let sql = sql.to_owned();
    Ok(with_conn!(store.database(), |conn| {
        diesel::sql_query(sql)
            .execute(conn)
            .await
            .map_err(crate::error::query_error)?
    }))
}

/// Lifts the append-only guards of the history and its checkpoints as the database's owner
/// or a superuser could (dropping SQLite's triggers, disabling PostgreSQL's), so that a test
/// can show that what it does next is caught.
pub async fn lift_append_only(store: &Store) -> DomainResult<()> {
    let sql: &[&str] = match store.database().backend() {
        Backend::Sqlite => &[
            "DROP TRIGGER deployment_history_no_update",
            "DROP TRIGGER deployment_history_no_delete",
            "DROP TRIGGER audit_checkpoints_no_update",
            "DROP TRIGGER audit_checkpoints_no_delete",
        ],
        Backend::Postgres => &[
            "ALTER TABLE deployment_history DISABLE TRIGGER USER",
            "ALTER TABLE audit_checkpoints DISABLE TRIGGER USER",
        ],
    };
    for statement in sql {
        raw(store, statement).await?;
    }
    Ok(())
}
