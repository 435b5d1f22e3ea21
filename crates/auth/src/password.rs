//! Argon2id password hashing. Hashing is deliberately slow, so callers on an async runtime
//! go through [`hash`] and [`verify`], which run it on the blocking pool.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use driftguard_core::DomainError;
use std::sync::OnceLock;

fn hash_blocking(password: &str) -> Result<String, DomainError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| DomainError::internal_caused("password hashing failed", e))
}

fn verify_blocking(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash of a password nobody has, checked when the email is unknown so that a wrong
/// email costs the same time as a wrong password (no account enumeration by timing).
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        hash_blocking("driftguard-dummy-password-for-timing").unwrap_or_else(|_| String::new())
    })
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, DomainError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| DomainError::internal_caused("password task failed", e))
}

/// Hashes a password to a PHC string (Argon2id, random salt).
pub async fn hash(password: &str) -> Result<String, DomainError> {
    let password = password.to_owned();
    blocking(move || hash_blocking(&password)).await?
}

/// Checks a password against a stored PHC string; `None` (no such user) checks against a
/// dummy hash and answers `false`, in the same time.
pub async fn verify(password: &str, phc: Option<&str>) -> Result<bool, DomainError> {
    let password = password.to_owned();
    let known = phc.is_some();
    let phc = phc.map_or_else(|| dummy_hash().to_owned(), str::to_owned);
    let ok = blocking(move || verify_blocking(&password, &phc)).await?;
    Ok(ok && known)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_then_verify() {
        let phc = hash("correct horse battery").await.expect("hash");
        assert!(phc.starts_with("$argon2id$"));
        assert!(
            verify("correct horse battery", Some(&phc))
                .await
                .expect("verify")
        );
        assert!(
            !verify("wrong horse battery", Some(&phc))
                .await
                .expect("verify")
        );
    }

    #[tokio::test]
    async fn unknown_user_never_verifies() {
        assert!(
            !verify("driftguard-dummy-password-for-timing", None)
                .await
                .expect("verify")
        );
    }

    #[test]
    fn garbage_hash_does_not_verify() {
        assert!(!verify_blocking("pw", "not a phc string"));
    }
}
