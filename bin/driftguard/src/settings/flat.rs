//! The flat names settings had before they were grouped into sections, kept working: every
//! `DRIFTGUARD_*` variable (and top-level key of a config file) that existed still means what
//! it meant. [`Flat`] wraps a provider and moves each flat key into its section
//! (`database_url` → `database.url`) before the settings are read; the nested spelling
//! (`DRIFTGUARD_DATABASE__URL`, `[database] url = …`) works too and wins when both are set.
//! Errors about an environment variable name it as the user wrote it.

use figment::value::{Dict, Map, Tag, Value};
use figment::{Error, Metadata, Profile, Provider};

/// Each flat name and the section and key it now lives at.
const ALIASES: &[(&str, &str, &str)] = &[
    ("bind", "server", "bind"),
    ("workers", "server", "workers"),
    ("shutdown_grace_secs", "server", "shutdown_grace_secs"),
    ("max_json_bytes", "server", "max_json_bytes"),
    ("max_upload_bytes", "server", "max_upload_bytes"),
    ("database_url", "database", "url"),
    ("database_pool_size", "database", "pool_size"),
    ("database_max_connections", "database", "max_connections"),
    ("database_recycle_secs", "database", "recycle_secs"),
    (
        "database_connect_timeout_secs",
        "database",
        "connect_timeout_secs",
    ),
    (
        "database_statement_timeout_secs",
        "database",
        "statement_timeout_secs",
    ),
    ("database_migrate_on_start", "database", "migrate_on_start"),
    ("database_sqlite_cache_kib", "database", "sqlite_cache_kib"),
    ("database_tls_ca_file", "database", "tls_ca_file"),
    ("database_tls_cert_file", "database", "tls_cert_file"),
    ("database_tls_key_file", "database", "tls_key_file"),
    ("jwt_secret", "auth", "jwt_secret"),
    ("jwt_issuer", "auth", "jwt_issuer"),
    ("token_lifetime_secs", "auth", "token_lifetime_secs"),
    ("open_registration", "auth", "open_registration"),
    (
        "allow_open_registration_in_production",
        "auth",
        "allow_open_registration_in_production",
    ),
    ("bootstrap_admin_email", "auth", "bootstrap_admin_email"),
    (
        "bootstrap_admin_password",
        "auth",
        "bootstrap_admin_password",
    ),
    ("demo_password", "auth", "demo_password"),
    ("audit_key", "audit", "key"),
    ("audit_key_file", "audit", "key_file"),
    ("log_dir", "log", "dir"),
    ("log_level", "log", "level"),
    ("cors_origins", "cors", "origins"),
    ("cors_allow_credentials", "cors", "allow_credentials"),
    ("rate_limit_backend", "rate_limiter", "backend"),
    ("trusted_proxies", "rate_limiter", "trusted_proxies"),
    ("redis_url", "redis", "url"),
    ("redis_key_prefix", "redis", "key_prefix"),
    ("redis_tls_ca_file", "redis", "tls_ca_file"),
    ("redis_tls_cert_file", "redis", "tls_cert_file"),
    ("redis_tls_key_file", "redis", "tls_key_file"),
    ("cache_max_bytes", "cache", "max_bytes"),
    ("cache_reference_bytes", "cache", "reference_bytes"),
    ("cache_ttls", "cache", "ttls"),
    ("metrics_token", "metrics", "token"),
    ("ui_secure_cookies", "ui", "secure_cookies"),
    ("metrics_public", "metrics", "public"),
    ("sentry_dsn", "sentry", "dsn"),
    ("webhooks_enabled", "webhooks", "enabled"),
    ("webhooks_allowed_hosts", "webhooks", "allowed_hosts"),
    ("webhooks_allowed_networks", "webhooks", "allowed_networks"),
    ("webhooks_timeout_secs", "webhooks", "timeout_secs"),
    ("webhooks_max_attempts", "webhooks", "max_attempts"),
    ("webhooks_backoff_base_ms", "webhooks", "backoff_base_ms"),
    ("webhooks_backoff_max_secs", "webhooks", "backoff_max_secs"),
    ("webhooks_poll_interval_ms", "webhooks", "poll_interval_ms"),
    ("override_approvals", "overrides", "approvals"),
    ("override_expiry_secs", "overrides", "expiry_secs"),
];

/// The prefix of every setting's environment variable.
pub const ENV_PREFIX: &str = "DRIFTGUARD_";

/// A provider whose flat keys are moved into their sections.
pub struct Flat<P> {
    inner: P,
    /// Whether `inner` reads `DRIFTGUARD_*` variables, whose names errors should give.
    environment: bool,
}

impl<P> Flat<P> {
    /// A config file (or any provider keyed like one).
    pub fn file(inner: P) -> Self {
        Self {
            inner,
            environment: false,
        }
    }

    /// The `DRIFTGUARD_*` environment variables.
    pub fn environment(inner: P) -> Self {
        Self {
            inner,
            environment: true,
        }
    }
}

impl<P: Provider> Provider for Flat<P> {
    fn metadata(&self) -> Metadata {
        let metadata = self.inner.metadata();
        if self.environment {
            metadata.interpolater(|_: &Profile, path: &[&str]| variable(path))
        } else {
            metadata
        }
    }

    fn data(&self) -> Result<Map<Profile, Dict>, Error> {
        let mut data = self.inner.data()?;
        for dict in data.values_mut() {
            nest(dict);
        }
        Ok(data)
    }
}

/// Moves each flat key of `dict` into its section; a key the section already has (the
/// nested spelling) is kept.
fn nest(dict: &mut Dict) {
    for &(flat, section, key) in ALIASES {
        let Some(value) = dict.remove(flat) else {
            continue;
        };
        let entry = dict
            .entry(section.to_owned())
            .or_insert_with(|| Value::Dict(Tag::Default, Dict::new()));
        if let Value::Dict(_, inner) = entry {
            inner.entry(key.to_owned()).or_insert(value);
        }
    }
}

/// The environment variable that sets the setting at `path`: its flat name where it has
/// one, else the sections joined by `__`.
pub fn variable(path: &[&str]) -> String {
    let (name, rest) = match path {
        [section, key, rest @ ..] => match ALIASES
            .iter()
            .find(|&&(_, s, k)| s == *section && k == *key)
        {
            Some(&(flat, ..)) => (flat.to_owned(), rest),
            None => (path.join("__"), &[][..]),
        },
        _ => (path.join("__"), &[][..]),
    };
    let mut variable = format!("{ENV_PREFIX}{name}");
    for key in rest {
        variable.push_str("__");
        variable.push_str(key);
    }
    variable.to_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_variable_as_written() {
        assert_eq!(
            variable(&["database", "pool_size"]),
            "DRIFTGUARD_DATABASE_POOL_SIZE"
        );
        assert_eq!(
            variable(&["rate_limiter", "backend"]),
            "DRIFTGUARD_RATE_LIMIT_BACKEND"
        );
        assert_eq!(
            variable(&["cache", "ttls", "policies_secs"]),
            "DRIFTGUARD_CACHE_TTLS__POLICIES_SECS"
        );
        assert_eq!(
            variable(&["risk", "tier_multipliers", "critical"]),
            "DRIFTGUARD_RISK__TIER_MULTIPLIERS__CRITICAL"
        );
        assert_eq!(
            variable(&["overrides", "approvals", "critical"]),
            "DRIFTGUARD_OVERRIDE_APPROVALS__CRITICAL"
        );
        assert_eq!(variable(&["environment"]), "DRIFTGUARD_ENVIRONMENT");
    }

    #[test]
    fn every_flat_name_is_moved_once_and_the_nested_one_wins() {
        let mut dict = Dict::new();
        dict.insert("bind".into(), Value::from("0.0.0.0:1"));
        dict.insert("database_url".into(), Value::from("flat"));
        let mut database = Dict::new();
        database.insert("url".into(), Value::from("nested"));
        dict.insert("database".into(), Value::Dict(Tag::Default, database));
        nest(&mut dict);
        assert!(!dict.contains_key("bind") && !dict.contains_key("database_url"));
        let section = |name: &str, key: &str| {
            dict[name]
                .as_dict()
                .and_then(|d| d.get(key))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        assert_eq!(section("server", "bind").as_deref(), Some("0.0.0.0:1"));
        assert_eq!(section("database", "url").as_deref(), Some("nested"));
        let sections: std::collections::BTreeSet<_> = ALIASES.iter().map(|a| a.0).collect();
        assert_eq!(sections.len(), ALIASES.len(), "each flat name once");
    }
}
