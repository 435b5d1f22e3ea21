//! `DeploymentLog` on the database: the hash-chained, append-only deployment history.
//!
//! An append runs in a transaction that first serialises appends (an advisory lock on
//! PostgreSQL, the write lock on SQLite), reads the head row, takes the next id, stores
//! [`DeploymentRecord::seal`] of the entry and a signed checkpoint of it (see
//! [`crate::checkpoints`]). The JSON values are settled before sealing
//! (written as text and read back), so that what is hashed is exactly what a later read
//! returns, to the last bit of every float.

use crate::convert::{from_db, from_json, to_count, to_db, to_json, to_offset};
use crate::error::{corrupt, query_error};
use crate::schema::deployment_history;
use crate::store::Store;
use async_trait::async_trait;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use driftguard_audit::{
    Checkpoint, DeploymentFilter, DeploymentLog, DeploymentRecord, NewDeployment,
};
use driftguard_core::{DeploymentId, DomainResult, ModelId, OverrideRequestId, Page, UserId};

/// A stored history row.
#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = deployment_history)]
pub(crate) struct HistoryRow {
    id: i64,
    model_id: i64,
    deployed_at: NaiveDateTime,
    deployed_by: i64,
    environment: String,
    previous_status: String,
    new_status: String,
    outcome: String,
    governance_result: String,
    override_used: bool,
    override_reason: Option<String>,
    notes: Option<String>,
    policy_versions: String,
    prev_hash: String,
    hash: String,
    artifact_digest: Option<String>,
    override_request_id: Option<i64>,
    override_requested_by: Option<i64>,
}

impl HistoryRow {
    /// The row that stores `record`.
    pub(crate) fn of(record: &DeploymentRecord) -> DomainResult<Self> {
        let e = &record.entry;
        Ok(Self {
            id: record.id.0,
            model_id: e.model_id.0,
            deployed_at: to_db(e.deployed_at),
            deployed_by: e.deployed_by.0,
            environment: e.environment.clone(),
            previous_status: e.previous_status.clone(),
            new_status: e.new_status.clone(),
            outcome: e.outcome.as_str().to_owned(),
            governance_result: to_json(&e.governance_result)?,
            override_used: e.override_used,
            override_reason: e.override_reason.clone(),
            notes: e.notes.clone(),
            policy_versions: to_json(&e.policy_versions)?,
            prev_hash: record.prev_hash.clone(),
            hash: record.hash.clone(),
            artifact_digest: e.artifact_digest.as_ref().map(|d| d.as_str().to_owned()),
            override_request_id: e.override_request_id.map(|id| id.0),
            override_requested_by: e.override_requested_by.map(|id| id.0),
        })
    }

    fn into_record(self) -> DomainResult<DeploymentRecord> {
        Ok(DeploymentRecord {
            id: DeploymentId(self.id),
            entry: NewDeployment {
                model_id: ModelId(self.model_id),
                deployed_at: from_db(self.deployed_at),
                deployed_by: UserId(self.deployed_by),
                environment: self.environment,
                previous_status: self.previous_status,
                new_status: self.new_status,
                outcome: self
                    .outcome
                    .parse()
                    .map_err(|e| corrupt("deployment outcome", e))?,
                governance_result: from_json("governance result", &self.governance_result)?,
                override_used: self.override_used,
                override_reason: self.override_reason,
                notes: self.notes,
                policy_versions: from_json("policy versions", &self.policy_versions)?,
                artifact_digest: self
                    .artifact_digest
                    .map(|d| d.parse())
                    .transpose()
                    .map_err(|e| corrupt("artifact digest", e))?,
                override_request_id: self.override_request_id.map(OverrideRequestId),
                override_requested_by: self.override_requested_by.map(UserId),
            },
            prev_hash: self.prev_hash,
            hash: self.hash,
        })
    }
}

/// The entry with its JSON values as a read will return them.
pub(crate) fn settle(mut entry: NewDeployment) -> DomainResult<NewDeployment> {
    entry.governance_result = from_json("governance result", &to_json(&entry.governance_result)?)?;
    entry.policy_versions = from_json("policy versions", &to_json(&entry.policy_versions)?)?;
    Ok(entry)
}

/// The newest history row's id and hash, `None` when the history is empty; evaluates to a
/// `QueryResult`.
macro_rules! history_head {
    ($conn:ident) => {{
        use $crate::schema::deployment_history as dh;
        dh::table
            .order(dh::id.desc())
            .select((dh::id, dh::hash))
            .first::<(i64, String)>($conn)
            .await
            .optional()
    }};
}

/// Inside a transaction that began with the chain lock: chains `$entry` onto the head row,
/// stores it with its checkpoint signed by `$key` and evaluates to the record.
macro_rules! append {
    ($conn:ident, $key:expr, $entry:expr) => {{
        use $crate::schema::deployment_history as dh;
        let head = history_head!($conn)?;
        let (head_id, prev) = head.unwrap_or((0, driftguard_audit::GENESIS_HASH.to_owned()));
        let entry = $crate::history::settle($entry)?;
        let record = driftguard_audit::DeploymentRecord::seal(
            entry,
            driftguard_core::DeploymentId(head_id + 1),
            &prev,
        );
        diesel::insert_into(dh::table)
            .values($crate::history::HistoryRow::of(&record)?)
            .execute($conn)
            .await?;
        let _ = seal_head!($conn, $key, &record);
        record
    }};
}

/// The rows matching a filter, as a boxed query for whichever backend the connection is.
macro_rules! filtered {
    ($filter:expr) => {{
        let filter: &DeploymentFilter = $filter;
        let mut q = deployment_history::table.into_boxed();
        if !filter.outcomes.is_empty() {
            let outcomes: Vec<&str> = filter.outcomes.iter().map(|o| o.as_str()).collect();
            q = q.filter(deployment_history::outcome.eq_any(outcomes));
        }
        if let Some(environment) = &filter.environment {
            q = q.filter(deployment_history::environment.eq(environment.clone()));
        }
        if let Some(used) = filter.override_used {
            q = q.filter(deployment_history::override_used.eq(used));
        }
        if let Some(since) = filter.since {
            q = q.filter(deployment_history::deployed_at.ge(to_db(since)));
        }
        q
    }};
}

fn records(rows: Vec<HistoryRow>) -> DomainResult<Vec<DeploymentRecord>> {
    rows.into_iter().map(HistoryRow::into_record).collect()
}

#[async_trait]
impl DeploymentLog for Store {
    async fn append(&self, entry: NewDeployment) -> DomainResult<DeploymentRecord> {
        transaction!(self, true, |conn| Ok(append!(
            conn,
            self.chain_key(),
            entry
        )))
    }

    async fn list_for_model(
        &self,
        model_id: ModelId,
        page: Page,
    ) -> DomainResult<(Vec<DeploymentRecord>, u64)> {
        self.list_where(&DeploymentFilter::default(), Some(model_id), page)
            .await
    }

    async fn list(
        &self,
        filter: &DeploymentFilter,
        page: Page,
    ) -> DomainResult<(Vec<DeploymentRecord>, u64)> {
        self.list_where(filter, filter.model_id, page).await
    }

    async fn chain_after(
        &self,
        after_id: Option<DeploymentId>,
        limit: u64,
    ) -> DomainResult<Vec<DeploymentRecord>> {
        let rows: Vec<HistoryRow> = with_conn!(self.database(), |conn| {
            deployment_history::table
                .filter(deployment_history::id.gt(after_id.map_or(i64::MIN, i64::from)))
                .order(deployment_history::id.asc())
                .limit(to_offset(limit))
                .select(HistoryRow::as_select())
                .load(conn)
                .await
                .map_err(query_error)?
        });
        records(rows)
    }

    async fn checkpoints_after(
        &self,
        after_id: Option<DeploymentId>,
        limit: u64,
    ) -> DomainResult<Vec<Checkpoint>> {
        self.load_checkpoints(after_id, limit).await
    }

    async fn seal_unsigned_history(&self) -> DomainResult<Option<Checkpoint>> {
        use crate::schema::audit_checkpoints as ac;
        transaction!(self, true, |conn| {
            let sealed: Option<i64> = ac::table.select(ac::last_id).first(conn).await.optional()?;
            let head: Option<HistoryRow> = deployment_history::table
                .order(deployment_history::id.desc())
                .select(HistoryRow::as_select())
                .first(conn)
                .await
                .optional()?;
            match (sealed, head) {
                (None, Some(head)) => {
                    let head = head.into_record()?;
                    Ok(Some(seal_head!(conn, self.chain_key(), &head)))
                }
                _ => Ok(None),
            }
        })
    }
}

impl Store {
    async fn list_where(
        &self,
        filter: &DeploymentFilter,
        model_id: Option<ModelId>,
        page: Page,
    ) -> DomainResult<(Vec<DeploymentRecord>, u64)> {
        let (rows, total): (Vec<HistoryRow>, i64) = with_conn!(self.database(), |conn| {
            let mut count = filtered!(filter);
            let mut query = filtered!(filter);
            if let Some(id) = model_id {
                count = count.filter(deployment_history::model_id.eq(id.0));
                query = query.filter(deployment_history::model_id.eq(id.0));
            }
            let total: i64 = count.count().get_result(conn).await.map_err(query_error)?;
            let rows = query
                .order(deployment_history::id.desc())
                .offset(to_offset(page.skip()))
                .limit(to_offset(page.limit()))
                .select(HistoryRow::as_select())
                .load(conn)
                .await
                .map_err(query_error)?;
            (rows, total)
        });
        Ok((records(rows)?, to_count(total)))
    }
}
