//! Who is asking: the signed-in user a use case acts for.

use driftguard_core::{DomainError, DomainResult, Role};

/// The signed-in user a use case acts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    /// The user's id.
    pub id: i64,
    /// The user's role.
    pub role: Role,
}

impl Actor {
    /// An actor.
    pub fn new(id: i64, role: Role) -> Self {
        Self { id, role }
    }

    /// `Forbidden` unless the actor's role is at least `role`; `action` says what for.
    pub fn require(&self, role: Role, action: &str) -> DomainResult<()> {
        if self.role >= role {
            Ok(())
        } else {
            Err(DomainError::Forbidden(format!(
                "{action} needs the {} role",
                role.as_str()
            )))
        }
    }
}
