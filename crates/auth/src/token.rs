//! JWT access tokens: HS256 only, with `sub`, `role`, `exp`, `iat`, `jti` and `iss`. A token
//! with another algorithm, a bad signature, an expired `exp` or a wrong issuer is refused.

use chrono::Utc;
use driftguard_core::{DomainError, Role, UserId};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The claims DriftGuard puts in a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user id, as a string (JWT convention).
    pub sub: String,
    /// The user's role when the token was issued.
    pub role: Role,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    /// Issue time, seconds since the epoch.
    pub iat: i64,
    /// Unique token id.
    pub jti: String,
    /// Issuer.
    pub iss: String,
}

impl Claims {
    /// The user id in `sub`, or an `Unauthorized` error when it is not one.
    pub fn user_id(&self) -> Result<UserId, DomainError> {
        self.sub.parse().map(UserId).map_err(|_| invalid_token())
    }
}

fn invalid_token() -> DomainError {
    DomainError::Unauthorized("Could not validate credentials".into())
}

/// Issues and verifies tokens with one secret.
#[derive(Clone)]
pub struct TokenService {
    encoding: EncodingKey,
    decoding: DecodingKey,
    issuer: String,
    lifetime: Duration,
}

impl std::fmt::Debug for TokenService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenService")
            .field("issuer", &self.issuer)
            .field("lifetime", &self.lifetime)
            .finish_non_exhaustive()
    }
}

impl TokenService {
    /// A token service signing with `secret`, naming `issuer`, valid for `lifetime`.
    pub fn new(secret: &SecretString, issuer: impl Into<String>, lifetime: Duration) -> Self {
        let key = secret.expose_secret().as_bytes();
        Self {
            encoding: EncodingKey::from_secret(key),
            decoding: DecodingKey::from_secret(key),
            issuer: issuer.into(),
            lifetime,
        }
    }

    /// How long a new token lives, in seconds.
    pub fn lifetime_seconds(&self) -> u64 {
        self.lifetime.as_secs()
    }

    /// A signed token for this user.
    pub fn issue(&self, user_id: UserId, role: Role) -> Result<String, DomainError> {
        let iat = Utc::now().timestamp();
        let lifetime = i64::try_from(self.lifetime.as_secs()).unwrap_or(i64::MAX);
        let claims = Claims {
            sub: user_id.to_string(),
            role,
            exp: iat.saturating_add(lifetime),
            iat,
            jti: uuid::Uuid::new_v4().to_string(),
            iss: self.issuer.clone(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| DomainError::internal_caused("token signing failed", e))
    }

    /// The claims of a valid token, or `Unauthorized`.
    pub fn verify(&self, token: &str) -> Result<Claims, DomainError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[&self.issuer]);
        validation.set_required_spec_claims(&["exp", "iat", "sub", "iss"]);
        validation.leeway = 0;
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map(|data| data.claims)
            .map_err(|_| invalid_token())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(secret: &str, issuer: &str, lifetime: Duration) -> TokenService {
        TokenService::new(&SecretString::from(secret.to_owned()), issuer, lifetime)
    }

    #[test]
    fn round_trip() {
        let tokens = service(
            "s3cret-s3cret-s3cret",
            "driftguard",
            Duration::from_secs(60),
        );
        let token = tokens.issue(UserId(7), Role::Approver).expect("issue");
        let claims = tokens.verify(&token).expect("verify");
        assert_eq!(claims.user_id().expect("sub"), UserId(7));
        assert_eq!(claims.role, Role::Approver);
        assert_eq!(claims.exp - claims.iat, 60);
        assert!(!claims.jti.is_empty());
    }

    #[test]
    fn wrong_secret_issuer_or_expired_is_refused() {
        let tokens = service(
            "secret-one-secret-one",
            "driftguard",
            Duration::from_secs(60),
        );
        let token = tokens.issue(UserId(1), Role::Admin).expect("issue");
        let other_secret = service(
            "secret-two-secret-two",
            "driftguard",
            Duration::from_secs(60),
        );
        assert!(other_secret.verify(&token).is_err());
        let other_issuer = service(
            "secret-one-secret-one",
            "someone-else",
            Duration::from_secs(60),
        );
        assert!(other_issuer.verify(&token).is_err());
        let expired = service("secret-one-secret-one", "driftguard", Duration::ZERO);
        let token = expired.issue(UserId(1), Role::Admin).expect("issue");
        std::thread::sleep(Duration::from_millis(1100));
        assert!(expired.verify(&token).is_err());
    }

    #[test]
    fn other_algorithms_are_refused() {
        let tokens = service(
            "secret-one-secret-one",
            "driftguard",
            Duration::from_secs(60),
        );
        let claims = Claims {
            sub: "1".into(),
            role: Role::Admin,
            exp: Utc::now().timestamp() + 60,
            iat: Utc::now().timestamp(),
            jti: "x".into(),
            iss: "driftguard".into(),
        };
        let key = EncodingKey::from_secret(b"secret-one-secret-one");
        let hs512 =
            jsonwebtoken::encode(&Header::new(Algorithm::HS512), &claims, &key).expect("encode");
        assert!(tokens.verify(&hs512).is_err());
        // An unsigned token ("alg": "none") built by hand.
        let unsigned = format!(
            "{}.{}.",
            base64_url(br#"{"alg":"none","typ":"JWT"}"#),
            base64_url(serde_json_bytes(&claims).as_slice())
        );
        assert!(tokens.verify(&unsigned).is_err());
        assert!(tokens.verify("garbage").is_err());
    }

    fn serde_json_bytes(claims: &Claims) -> Vec<u8> {
        format!(
            r#"{{"sub":"{}","role":"admin","exp":{},"iat":{},"jti":"x","iss":"driftguard"}}"#,
            claims.sub, claims.exp, claims.iat
        )
        .into_bytes()
    }

    fn base64_url(bytes: &[u8]) -> String {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..=chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            }
        }
        out
    }
}
