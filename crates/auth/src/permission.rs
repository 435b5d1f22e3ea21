//! The permission table of SPEC §2, in one place: each action names the lowest role that may
//! take it, and roles are ordered, so a higher role has every right of the lower ones.

use driftguard_core::{DomainError, Role};

/// Something a user may or may not do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Read models, evaluations, dashboards, policies and deployment history.
    Read,
    /// Register or edit models, upload reference data, run evaluations and simulations.
    EditModels,
    /// Deploy a model whose governance result is not `fail`.
    Deploy,
    /// Deploy with an override of a `fail` result.
    OverrideDeploy,
    /// Retire a model.
    Retire,
    /// Delete a model version.
    DeleteModel,
    /// Create, edit and delete policies.
    ManagePolicies,
    /// List users and change their roles.
    ManageUsers,
    /// Verify the audit chain.
    VerifyAudit,
    /// Register, change and remove webhook endpoints and read their delivery logs.
    ManageWebhooks,
}

impl Action {
    /// Every action, for exhaustive tests and documentation.
    pub const ALL: [Action; 10] = [
        Action::Read,
        Action::EditModels,
        Action::Deploy,
        Action::OverrideDeploy,
        Action::Retire,
        Action::DeleteModel,
        Action::ManagePolicies,
        Action::ManageUsers,
        Action::VerifyAudit,
        Action::ManageWebhooks,
    ];

    /// The lowest role allowed to take this action.
    pub fn minimum_role(self) -> Role {
        match self {
            Action::Read => Role::Viewer,
            Action::EditModels | Action::Deploy => Role::Engineer,
            Action::OverrideDeploy | Action::Retire => Role::Approver,
            Action::DeleteModel
            | Action::ManagePolicies
            | Action::ManageUsers
            | Action::VerifyAudit
            | Action::ManageWebhooks => Role::Admin,
        }
    }
}

/// `Ok` when `role` may take `action`, else a `Forbidden` error naming the role needed.
pub fn authorize(role: Role, action: Action) -> Result<(), DomainError> {
    let needed = action.minimum_role();
    if role >= needed {
        Ok(())
    } else {
        Err(DomainError::Forbidden(format!(
            "this action needs the role `{needed}` or higher; you are `{role}`"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole matrix of SPEC §2, written out row by row: (action, viewer, engineer,
    /// approver, admin).
    const MATRIX: [(Action, [bool; 4]); 10] = [
        (Action::Read, [true, true, true, true]),
        (Action::EditModels, [false, true, true, true]),
        (Action::Deploy, [false, true, true, true]),
        (Action::OverrideDeploy, [false, false, true, true]),
        (Action::Retire, [false, false, true, true]),
        (Action::DeleteModel, [false, false, false, true]),
        (Action::ManagePolicies, [false, false, false, true]),
        (Action::ManageUsers, [false, false, false, true]),
        (Action::VerifyAudit, [false, false, false, true]),
        (Action::ManageWebhooks, [false, false, false, true]),
    ];

    #[test]
    fn matrix_matches_spec() {
        for (action, allowed) in MATRIX {
            for (role, expected) in Role::ALL.into_iter().zip(allowed) {
                assert_eq!(
                    authorize(role, action).is_ok(),
                    expected,
                    "{role} taking {action:?}"
                );
            }
        }
        assert_eq!(MATRIX.len(), Action::ALL.len());
    }
}
