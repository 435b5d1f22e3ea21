//! Who is asking: the signed-in user a use case acts for, and what the one permission table
//! (`driftguard_auth::Action`) lets them do.

use driftguard_auth::{Action, authorize};
use driftguard_core::{DomainResult, Role, UserId};
use driftguard_governance::DeployRights;

/// The signed-in user a use case acts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    /// The user's id.
    pub id: UserId,
    /// The user's role.
    pub role: Role,
}

impl Actor {
    /// An actor.
    pub fn new(id: UserId, role: Role) -> Self {
        Self { id, role }
    }

    /// `Forbidden` unless the permission table lets the actor's role take `action`.
    pub fn require(&self, action: Action) -> DomainResult<()> {
        authorize(self.role, action)
    }

    /// Whether the permission table lets the actor take `action`.
    pub fn may(&self, action: Action) -> bool {
        self.require(action).is_ok()
    }

    /// What the deploy decision is told the actor may do, from the same table.
    pub fn deploy_rights(&self) -> DeployRights {
        DeployRights {
            deploy: self.may(Action::Deploy),
            override_failing: self.may(Action::OverrideDeploy),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_actor_may_what_the_table_says_and_deploy_rights_follow_it() {
        for role in Role::ALL {
            let actor = Actor::new(UserId(1), role);
            for action in Action::ALL {
                assert_eq!(
                    actor.may(action),
                    role >= action.minimum_role(),
                    "{role} {action:?}"
                );
            }
            let rights = actor.deploy_rights();
            assert_eq!(rights.deploy, actor.may(Action::Deploy));
            assert_eq!(rights.override_failing, actor.may(Action::OverrideDeploy));
        }
    }
}
