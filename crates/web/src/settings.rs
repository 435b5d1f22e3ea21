//! The UI's settings.

use serde::Deserialize;

/// How the UI serves its pages.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct UiSettings {
    /// Always mark the session cookie `Secure`, as behind a proxy that ends TLS. Without it
    /// the cookie is `Secure` when the request came over HTTPS.
    pub secure_cookies: bool,
}
