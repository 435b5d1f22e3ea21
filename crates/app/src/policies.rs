//! Policy use cases (admin): create, read, list, update (a new version), list versions and
//! switch off.

use std::sync::Arc;

use driftguard_auth::Action;
use driftguard_core::{DomainResult, Page, PolicyId};
use driftguard_governance::{Policy, PolicyDraft, PolicyRepository};

use crate::actor::Actor;
use crate::changes::Announcer;
use crate::ports::changes::Change;

const POLICY: &[Change] = &[Change::Policy];

/// Policy use cases.
#[derive(Clone)]
pub struct PolicyService {
    policies: Arc<dyn PolicyRepository>,
    changes: Announcer,
}

impl PolicyService {
    /// The use cases over this store, announcing to `changes`.
    pub fn new(policies: Arc<dyn PolicyRepository>, changes: Announcer) -> Self {
        Self { policies, changes }
    }

    /// `POST /policies`: validates and stores version 1; needs `admin`.
    pub async fn create(&self, draft: PolicyDraft, user: &Actor) -> DomainResult<Policy> {
        user.require(Action::ManagePolicies)?;
        draft.validate()?;
        self.changes
            .after(POLICY, self.policies.create(draft, Some(user.id)))
            .await
    }

    /// `GET /policies/{id}`: the latest version.
    pub async fn get(&self, id: PolicyId) -> DomainResult<Policy> {
        self.policies.get(id).await?.ok_or_else(|| id.not_found())
    }

    /// `GET /policies`: a page of policies (latest versions), and the total.
    pub async fn list(&self, page: Page) -> DomainResult<(Vec<Policy>, u64)> {
        self.policies.list(page).await
    }

    /// `PUT /policies/{id}`: validates and writes the next version; needs `admin`.
    pub async fn update(
        &self,
        id: PolicyId,
        draft: PolicyDraft,
        user: &Actor,
    ) -> DomainResult<Policy> {
        user.require(Action::ManagePolicies)?;
        draft.validate()?;
        self.changes
            .after(POLICY, self.policies.update(id, draft))
            .await
    }

    /// `GET /policies/{id}/versions`: every version, oldest first.
    pub async fn versions(&self, id: PolicyId) -> DomainResult<Vec<Policy>> {
        let versions = self.policies.versions(id).await?;
        if versions.is_empty() {
            return Err(id.not_found());
        }
        Ok(versions)
    }

    /// `DELETE /policies/{id}`: switches the policy off, as a new version (the old ones
    /// stay); needs `admin`. `PUT` with `active: true` switches it on again.
    pub async fn deactivate(&self, id: PolicyId, user: &Actor) -> DomainResult<Policy> {
        user.require(Action::ManagePolicies)?;
        self.changes
            .after(POLICY, self.policies.set_active(id, false))
            .await
    }
}
