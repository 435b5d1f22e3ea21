//! Role changes: the command, the audit record each change leaves, and the rule that some
//! admin always remains (else nobody could manage users again without the CLI).

use driftguard_core::{DomainError, DomainResult, Role, Timestamp, UserId};
use serde::Serialize;

/// An admin's request to give a user another role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoleChange {
    /// Whose role changes.
    pub user_id: UserId,
    /// The new role.
    pub role: Role,
    /// The admin making the change.
    pub changed_by: UserId,
}

/// A role change as recorded, in the same transaction as the change itself.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoleChangeRecord {
    /// Record id (increasing).
    pub id: i64,
    /// Whose role changed.
    pub user_id: UserId,
    /// Who changed it.
    pub changed_by: UserId,
    /// The role before.
    pub from_role: Role,
    /// The role after.
    pub to_role: Role,
    /// When.
    pub changed_at: Timestamp,
}

/// The message of a refused demotion of the last admin.
pub const LAST_ADMIN: &str =
    "this user is the last admin: make another user admin before changing this one's role";

/// `Ok` unless moving a user from `from` to `to` takes the admin role from the last admin.
/// `admins` is how many admins there are now; the store counts them in the transaction
/// that makes the change, under a lock, so that two concurrent demotions cannot both pass.
pub fn ensure_an_admin_remains(from: Role, to: Role, admins: u64) -> DomainResult<()> {
    if from == Role::Admin && to != Role::Admin && admins <= 1 {
        Err(DomainError::Conflict(LAST_ADMIN.into()))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_last_admins_demotion_is_refused() {
        let refused = ensure_an_admin_remains(Role::Admin, Role::Approver, 1);
        assert!(
            matches!(refused, Err(DomainError::Conflict(_))),
            "{refused:?}"
        );
        assert!(ensure_an_admin_remains(Role::Admin, Role::Viewer, 2).is_ok());
        assert!(ensure_an_admin_remains(Role::Admin, Role::Admin, 1).is_ok());
        assert!(ensure_an_admin_remains(Role::Viewer, Role::Admin, 0).is_ok());
        assert!(ensure_an_admin_remains(Role::Engineer, Role::Viewer, 1).is_ok());
    }
}
