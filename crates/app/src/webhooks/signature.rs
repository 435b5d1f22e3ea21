//! Signing secrets and the `X-DriftGuard-Signature` header: `t=<unix seconds>,v1=<hex of
//! HMAC-SHA256(secret, "<t>.<body>")>`, as Stripe signs (the timestamp is signed so that a
//! receiver can refuse a replayed old request).

use std::fmt;

use aws_lc_rs::hmac;
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use driftguard_core::{DomainError, DomainResult};

/// The prefix of every secret, so that one found in a file says what it is.
const PREFIX: &str = "whsec_";

/// A webhook's signing secret. Its `Debug` and `Display` never show it: it is read only to
/// sign, and shown to an admin once, when the endpoint is registered.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(String);

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret([redacted])")
    }
}

impl WebhookSecret {
    /// A new random secret: `whsec_` and 32 random bytes in hex.
    pub fn generate() -> DomainResult<Self> {
        let mut bytes = [0u8; 32];
        SystemRandom::new()
            .fill(&mut bytes)
            .map_err(|_| DomainError::internal("no randomness for a webhook secret"))?;
        Ok(Self(format!("{PREFIX}{}", hex::encode(bytes))))
    }

    /// A secret as stored.
    pub fn from_stored(secret: String) -> Self {
        Self(secret)
    }

    /// The secret itself: to store it, and to show it once.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The signature header's value for `body` sent at `unix_seconds`.
    pub fn signature_header(&self, unix_seconds: i64, body: &[u8]) -> String {
        let key = hmac::Key::new(hmac::HMAC_SHA256, self.0.as_bytes());
        let mut context = hmac::Context::with_key(&key);
        context.update(unix_seconds.to_string().as_bytes());
        context.update(b".");
        context.update(body);
        let tag = context.sign();
        format!("t={unix_seconds},v1={}", hex::encode(tag.as_ref()))
    }
}

/// A random `u64` (backoff jitter, lease tokens); 0 if the system has no randomness, which
/// only loses the jitter.
pub fn random_u64() -> u64 {
    let mut bytes = [0u8; 8];
    match SystemRandom::new().fill(&mut bytes) {
        Ok(()) => u64::from_le_bytes(bytes),
        Err(_) => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_changes_with_the_time_the_body_and_the_key() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let secret = WebhookSecret::from_stored("Jefe".into());
        let header = secret.signature_header(0, b"what do ya want for nothing?");
        // The data signed is "0." + body, so it differs from the RFC's vector; check the
        // shape and that it changes with the time, body and key.
        assert!(header.starts_with("t=0,v1="));
        assert_eq!(header.len(), "t=0,v1=".len() + 64);
        assert_ne!(
            header,
            secret.signature_header(1, b"what do ya want for nothing?")
        );
        assert_ne!(
            header,
            secret.signature_header(0, b"what do ya want for nothing!")
        );
        let other = WebhookSecret::from_stored("Jeff".into());
        assert_ne!(
            header,
            other.signature_header(0, b"what do ya want for nothing?")
        );
    }

    #[test]
    fn the_mac_is_hmac_sha256() {
        // RFC 4231 test case 2 through the same primitive, with the time prefix made part of
        // the key's input: "Jefe" over "1.x" equals HMAC(Jefe, "1.x").
        let tag = hmac::sign(
            &hmac::Key::new(hmac::HMAC_SHA256, b"Jefe"),
            b"what do ya want for nothing?",
        );
        assert_eq!(
            hex::encode(tag.as_ref()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let secret = WebhookSecret::from_stored("Jefe".into());
        let expected = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, b"Jefe"), b"1.x");
        assert_eq!(
            secret.signature_header(1, b"x"),
            format!("t=1,v1={}", hex::encode(expected.as_ref()))
        );
    }

    #[test]
    fn secrets_are_random_and_never_printed() {
        let a = WebhookSecret::generate().expect("secret");
        let b = WebhookSecret::generate().expect("secret");
        assert_ne!(a, b);
        assert!(a.expose().starts_with(PREFIX));
        assert_eq!(a.expose().len(), PREFIX.len() + 64);
        assert!(!format!("{a:?}").contains(a.expose()));
    }
}
