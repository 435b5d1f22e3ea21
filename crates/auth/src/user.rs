//! The user record and the rules for an acceptable email and password.

use driftguard_core::{FieldError, Role, Timestamp, UserId};
use serde::{Deserialize, Serialize};
use validator::ValidateEmail;

/// Shortest password accepted (SPEC §3).
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password accepted: Argon2 takes any length, but an unbounded one is a free
/// CPU-burning request.
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// A stored user. `password_hash` is never serialised (read back, it is empty).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    /// Database id.
    pub id: UserId,
    /// Unique, stored lower-cased.
    pub email: String,
    /// Display name.
    pub full_name: Option<String>,
    /// What the user may do.
    pub role: Role,
    /// Argon2id PHC string.
    #[serde(skip)]
    pub password_hash: String,
    /// When the account was made.
    pub created_at: Timestamp,
    /// Tokens issued up to this instant are refused (set by a sign-out or an admin; see
    /// [`crate::session`]).
    pub tokens_valid_after: Option<Timestamp>,
}

/// A user to create; the password is already hashed.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Unique, lower-cased.
    pub email: String,
    /// Display name.
    pub full_name: Option<String>,
    /// Initial role.
    pub role: Role,
    /// Argon2id PHC string.
    pub password_hash: String,
}

/// The canonical form of an email: trimmed and lower-cased, so lookups ignore case.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Checks an email address; `None` when it is acceptable.
pub fn validate_email(email: &str) -> Option<FieldError> {
    (email.len() > 254 || !email.validate_email())
        .then(|| FieldError::new("email", "must be a valid email address"))
}

/// Checks a new password's length; `None` when it is acceptable.
pub fn validate_password(password: &str) -> Option<FieldError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        Some(FieldError::new(
            "password",
            format!("must be at least {MIN_PASSWORD_CHARS} characters"),
        ))
    } else if chars > MAX_PASSWORD_CHARS {
        Some(FieldError::new(
            "password",
            format!("must be at most {MAX_PASSWORD_CHARS} characters"),
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert!(validate_email("ada@example.com").is_none());
        assert!(validate_email("not-an-email").is_some());
        assert!(validate_email("").is_some());
        assert_eq!(normalize_email("  Ada@Example.COM "), "ada@example.com");
    }

    #[test]
    fn passwords() {
        assert!(validate_password("short").is_some());
        assert!(validate_password("twelve chars").is_none());
        assert!(validate_password(&"x".repeat(2000)).is_some());
    }
}
