//! The rate-limit rules: which class a request belongs to and its quota per client IP. The
//! limiter runs before routing, so paths are matched here, segment by segment.

use std::num::NonZeroU32;

use actix_web::http::Method;
use driftguard_cache::Quota;
use serde::Deserialize;

/// Rate-limit settings: each quota is requests per minute per client IP.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct RateLimitSettings {
    /// Whether requests are limited at all. Default true.
    pub enabled: bool,
    /// Proxies (IPs or CIDR blocks) whose `X-Forwarded-For` is believed. Default none.
    pub trusted_proxies: Vec<String>,
    /// `POST /auth/login`. Default 5.
    pub auth_login: NonZeroU32,
    /// `POST /auth/register`. Default 3.
    pub auth_register: NonZeroU32,
    /// `POST /models`. Default 20.
    pub models_create: NonZeroU32,
    /// `POST /models/{id}/deploy`. Default 10.
    pub models_deploy: NonZeroU32,
    /// `POST /models/{id}/retire`. Default 10.
    pub models_retire: NonZeroU32,
    /// `GET /dashboard/*`. Default 60.
    pub dashboard: NonZeroU32,
    /// `POST /simulation/*`. Default 30.
    pub simulation: NonZeroU32,
    /// Everything else (the UI's pages included) but `/health/*`, `/metrics` and the UI's
    /// static assets (`/ui/static/*`), which are exempt. Default 100.
    pub default: NonZeroU32,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            trusted_proxies: Vec::new(),
            auth_login: per_minute(5),
            auth_register: per_minute(3),
            models_create: per_minute(20),
            models_deploy: per_minute(10),
            models_retire: per_minute(10),
            dashboard: per_minute(60),
            simulation: per_minute(30),
            default: per_minute(100),
        }
    }
}

/// A non-zero constant; the defaults above are all positive.
const fn per_minute(n: u32) -> NonZeroU32 {
    match NonZeroU32::new(n) {
        Some(n) => n,
        None => NonZeroU32::MIN,
    }
}

/// The class a request is counted in (also the `rate_limited_total{class}` label) and its
/// quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// `auth_login`, `auth_register`, `models_create`, `models_deploy`, `models_retire`,
    /// `dashboard`, `simulation` or `default`.
    pub class: &'static str,
    /// Requests per minute per client.
    pub quota: Quota,
}

impl RateLimitSettings {
    /// The rule for a request, or None when it is exempt (`/health/*`, `/metrics`).
    pub fn classify(&self, method: &Method, path: &str) -> Option<Rule> {
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let rule = |class, limit| {
            Some(Rule {
                class,
                quota: Quota::per_minute(limit),
            })
        };
        let post = method == Method::POST;
        match segments.as_slice() {
            ["health", ..] | ["metrics"] | ["ui", "static", ..] => None,
            // The UI's sign-in hashes a password like the API's.
            ["auth", "login"] | ["ui", "sign-in"] if post => rule("auth_login", self.auth_login),
            ["auth", "register"] if post => rule("auth_register", self.auth_register),
            ["models"] if post => rule("models_create", self.models_create),
            // An approval deploys: it counts with the deploys.
            ["models", _, "deploy"] | ["override-requests", _, "approve"] if post => {
                rule("models_deploy", self.models_deploy)
            }
            ["models", _, "retire"] if post => rule("models_retire", self.models_retire),
            ["dashboard", ..] if method == Method::GET => rule("dashboard", self.dashboard),
            ["simulation", ..] if post => rule("simulation", self.simulation),
            _ => rule("default", self.default),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_table() {
        let settings = RateLimitSettings::default();
        let class = |method: Method, path: &str| {
            settings
                .classify(&method, path)
                .map(|r| (r.class, r.quota.per_minute.get()))
        };
        assert_eq!(class(Method::POST, "/auth/login"), Some(("auth_login", 5)));
        assert_eq!(
            class(Method::POST, "/auth/register/"),
            Some(("auth_register", 3))
        );
        assert_eq!(class(Method::POST, "/models"), Some(("models_create", 20)));
        assert_eq!(
            class(Method::POST, "/models/12/deploy"),
            Some(("models_deploy", 10))
        );
        assert_eq!(
            class(Method::POST, "/models/12/retire"),
            Some(("models_retire", 10))
        );
        assert_eq!(
            class(Method::GET, "/dashboard/summary"),
            Some(("dashboard", 60))
        );
        assert_eq!(
            class(Method::POST, "/simulation/drift"),
            Some(("simulation", 30))
        );
        assert_eq!(class(Method::GET, "/models"), Some(("default", 100)));
        assert_eq!(
            class(Method::GET, "/models/12/reference/uploads"),
            Some(("default", 100)),
            "like the other reference reads"
        );
        assert_eq!(class(Method::GET, "/auth/login"), Some(("default", 100)));
        assert_eq!(
            class(Method::GET, "/models/12/deploy"),
            Some(("default", 100))
        );
        assert_eq!(class(Method::GET, "/health/ready"), None);
        assert_eq!(class(Method::GET, "/metrics"), None);
        assert_eq!(class(Method::GET, "/ui/static/style.0123abcd.css"), None);
        assert_eq!(class(Method::GET, "/ui/models"), Some(("default", 100)));
        assert_eq!(class(Method::POST, "/ui/sign-in"), Some(("auth_login", 5)));
    }

    #[test]
    fn every_number_is_a_setting_and_zero_is_refused() {
        let settings: RateLimitSettings =
            serde_json::from_str(r#"{"auth_login": 50, "trusted_proxies": ["10.0.0.0/8"]}"#)
                .expect("valid settings");
        assert_eq!(settings.auth_login.get(), 50);
        assert_eq!(settings.default.get(), 100, "the rest keeps its default");
        assert!(serde_json::from_str::<RateLimitSettings>(r#"{"auth_login": 0}"#).is_err());
    }
}
