//! `PolicyRepository` on the database: `policies` holds each policy's current state and
//! `policy_versions` every version ever written (never changed); reads join a policy with
//! the version they ask for. Every write of a version puts a `policy.changed` webhook event
//! in the outbox in its transaction.

use crate::convert::{from_db, from_json, to_count, to_db, to_json, to_offset};
use crate::error::{corrupt, query_error};
use crate::schema::{policies, policy_versions};
use crate::store::Store;
use crate::tx::TxError;
use async_trait::async_trait;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use driftguard_app::webhooks::event::{OutboxEvent, PolicyChange};
use driftguard_core::{DomainResult, Page, PolicyId, RiskTier, UserId, now};
use driftguard_governance::{Policy, PolicyDraft, PolicyRepository};

#[derive(Queryable, Selectable)]
#[diesel(table_name = policies)]
struct PolicyRow {
    id: i64,
    created_by: Option<i64>,
    created_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = policy_versions)]
struct VersionRow {
    policy_id: i64,
    version: i64,
    name: String,
    description: Option<String>,
    applies_to: String,
    rules: String,
    created_by: Option<i64>,
    created_at: NaiveDateTime,
    active: bool,
}

#[derive(Insertable)]
#[diesel(table_name = policies)]
struct PolicyInsert {
    name: String,
    description: Option<String>,
    active: bool,
    applies_to: String,
    current_version: i64,
    created_by: Option<i64>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

fn policy((p, v): (PolicyRow, VersionRow)) -> DomainResult<Policy> {
    Ok(Policy {
        id: PolicyId(p.id),
        name: v.name,
        description: v.description,
        version: i32::try_from(v.version).map_err(|e| corrupt("policy version", e))?,
        active: v.active,
        applies_to: from_json("policy applies_to", &v.applies_to)?,
        rules: from_json("policy rules", &v.rules)?,
        created_by: p.created_by.map(UserId),
        created_at: from_db(p.created_at),
        updated_at: from_db(v.created_at),
    })
}

fn all(rows: Vec<(PolicyRow, VersionRow)>) -> DomainResult<Vec<Policy>> {
    rows.into_iter().map(policy).collect()
}

fn version_row(
    id: i64,
    version: i64,
    draft: &PolicyDraft,
    by: Option<i64>,
) -> DomainResult<VersionRow> {
    Ok(VersionRow {
        policy_id: id,
        version,
        name: draft.name.trim().to_owned(),
        description: draft.description.clone(),
        applies_to: to_json(&draft.applies_to)?,
        rules: to_json(&draft.rules)?,
        created_by: by,
        created_at: to_db(now()),
        active: draft.active,
    })
}

/// Policies joined with their current version.
macro_rules! current {
    () => {{
        use $crate::schema::{policies as p, policy_versions as pv};
        p::table.inner_join(
            pv::table.on(pv::policy_id
                .eq(p::id)
                .and(pv::version.eq(p::current_version))),
        )
    }};
}

/// Inside a transaction: the `{policy_id, version}` of the active policies that judge
/// `$tier` now, in id order (what a deploy decided now would record).
macro_rules! judging_now {
    ($conn:ident, $tier:expr) => {{
        use $crate::schema::{policies as p, policy_versions as pv};
        let rows: Vec<(i64, i64, String)> = current!()
            .filter(p::active.eq(true))
            .order(p::id.asc())
            .select((p::id, p::current_version, pv::applies_to))
            .load($conn)
            .await?;
        let mut refs = Vec::new();
        for (policy_id, version, applies_to) in rows {
            let applies: driftguard_governance::AppliesTo =
                $crate::convert::from_json("policy applies_to", &applies_to)?;
            if applies.covers($tier) {
                let version = i32::try_from(version)
                    .map_err(|e| $crate::error::corrupt("policy version", e))?;
                refs.push(driftguard_governance::PolicyRef {
                    policy_id: driftguard_core::PolicyId(policy_id),
                    version,
                });
            }
        }
        refs
    }};
}

/// Policies joined with every version.
macro_rules! every_version {
    () => {
        policies::table
            .inner_join(policy_versions::table.on(policy_versions::policy_id.eq(policies::id)))
    };
}

type Joined = (PolicyRow, VersionRow);

/// Loads the policy and version rows a joined query finds.
macro_rules! load {
    ($conn:ident, $query:expr) => {
        $query
            .select((PolicyRow::as_select(), VersionRow::as_select()))
            .load::<Joined>($conn)
            .await
            .map_err(query_error)?
    };
}

impl Store {
    async fn current_policy(&self, id: PolicyId) -> DomainResult<Option<Policy>> {
        let row: Option<Joined> = with_conn!(self.database(), |conn| {
            current!()
                .filter(policies::id.eq(id.0))
                .select((PolicyRow::as_select(), VersionRow::as_select()))
                .first(conn)
                .await
                .optional()
                .map_err(query_error)?
        });
        row.map(policy).transpose()
    }

    /// The policy as a write left it: `NotFound` when it went away meanwhile.
    async fn written_policy(&self, id: PolicyId) -> DomainResult<Policy> {
        self.current_policy(id).await?.ok_or_else(|| id.not_found())
    }
}

#[async_trait]
impl PolicyRepository for Store {
    async fn create(&self, draft: PolicyDraft, created_by: Option<UserId>) -> DomainResult<Policy> {
        let created_by = created_by.map(i64::from);
        let at = to_db(now());
        let insert = PolicyInsert {
            name: draft.name.trim().to_owned(),
            description: draft.description.clone(),
            active: draft.active,
            applies_to: to_json(&draft.applies_to)?,
            current_version: 1,
            created_by,
            created_at: at,
            updated_at: at,
        };
        let mut version = version_row(0, 1, &draft, created_by)?;
        version.created_at = at;
        let id: i64 = transaction!(self, false, |conn| {
            let id: i64 = diesel::insert_into(policies::table)
                .values(&insert)
                .returning(policies::id)
                .get_result(conn)
                .await?;
            version.policy_id = id;
            diesel::insert_into(policy_versions::table)
                .values(&version)
                .execute(conn)
                .await?;
            let event = OutboxEvent::policy_changed(
                PolicyId(id),
                &version.name,
                1,
                version.active,
                PolicyChange::Created,
            );
            let _ = enqueue!(conn, event);
            Ok(id)
        })?;
        self.written_policy(PolicyId(id)).await
    }

    async fn get(&self, id: PolicyId) -> DomainResult<Option<Policy>> {
        self.current_policy(id).await
    }

    async fn list(&self, page: Page) -> DomainResult<(Vec<Policy>, u64)> {
        let (rows, total): (Vec<Joined>, i64) = with_conn!(self.database(), |conn| {
            let total: i64 = policies::table
                .count()
                .get_result(conn)
                .await
                .map_err(query_error)?;
            let rows = load!(
                conn,
                current!()
                    .order(policies::id.asc())
                    .offset(to_offset(page.skip()))
                    .limit(to_offset(page.limit()))
            );
            (rows, total)
        });
        Ok((all(rows)?, to_count(total)))
    }

    async fn update(&self, id: PolicyId, draft: PolicyDraft) -> DomainResult<Policy> {
        let at = to_db(now());
        let name = draft.name.trim().to_owned();
        let applies_to = to_json(&draft.applies_to)?;
        let mut version = version_row(id.0, 0, &draft, None)?;
        version.created_at = at;
        transaction!(self, false, |conn| {
            // The row lock this UPDATE takes serialises concurrent updates of one policy.
            let bumped: Option<(i64, Option<i64>)> = diesel::update(policies::table.find(id.0))
                .set((
                    policies::current_version.eq(policies::current_version + 1),
                    policies::name.eq(&name),
                    policies::description.eq(&draft.description),
                    policies::applies_to.eq(&applies_to),
                    policies::active.eq(draft.active),
                    policies::updated_at.eq(at),
                ))
                .returning((policies::current_version, policies::created_by))
                .get_result(conn)
                .await
                .optional()?;
            let (number, created_by) = bumped.ok_or_else(|| TxError::Domain(id.not_found()))?;
            version.version = number;
            version.created_by = created_by;
            diesel::insert_into(policy_versions::table)
                .values(&version)
                .execute(conn)
                .await?;
            let event = OutboxEvent::policy_changed(
                id,
                &version.name,
                number,
                version.active,
                PolicyChange::Updated,
            );
            let _ = enqueue!(conn, event);
            Ok(())
        })?;
        self.written_policy(id).await
    }

    async fn versions(&self, id: PolicyId) -> DomainResult<Vec<Policy>> {
        let rows: Vec<Joined> = with_conn!(self.database(), |conn| {
            load!(
                conn,
                every_version!()
                    .filter(policies::id.eq(id.0))
                    .order(policy_versions::version.asc())
            )
        });
        all(rows)
    }

    /// A change of `active` is an edit: the next version is the current one with `active`
    /// changed. Setting what already holds changes nothing.
    async fn set_active(&self, id: PolicyId, active: bool) -> DomainResult<Policy> {
        let at = to_db(now());
        transaction!(self, false, |conn| {
            // The row lock this UPDATE takes serialises it with concurrent edits.
            let bumped: Option<i64> = diesel::update(
                policies::table
                    .find(id.0)
                    .filter(policies::active.ne(active)),
            )
            .set((
                policies::current_version.eq(policies::current_version + 1),
                policies::active.eq(active),
                policies::updated_at.eq(at),
            ))
            .returning(policies::current_version)
            .get_result(conn)
            .await
            .optional()?;
            if let Some(number) = bumped {
                let mut version: VersionRow = policy_versions::table
                    .find((id.0, number - 1))
                    .select(VersionRow::as_select())
                    .first(conn)
                    .await?;
                version.version = number;
                version.active = active;
                version.created_at = at;
                diesel::insert_into(policy_versions::table)
                    .values(&version)
                    .execute(conn)
                    .await?;
                let event = OutboxEvent::policy_changed(
                    id,
                    &version.name,
                    number,
                    active,
                    PolicyChange::ActiveSet,
                );
                let _ = enqueue!(conn, event);
            }
            Ok(())
        })?;
        self.written_policy(id).await
    }

    async fn active_for_tier(&self, tier: RiskTier) -> DomainResult<Vec<Policy>> {
        let rows: Vec<Joined> = with_conn!(self.database(), |conn| {
            load!(
                conn,
                current!()
                    .filter(policies::active.eq(true))
                    .order(policies::id.asc())
            )
        });
        Ok(all(rows)?
            .into_iter()
            .filter(|p| p.applies_to.covers(tier))
            .collect())
    }
}
