//! The signed checkpoints of the deployment history's head (`audit_checkpoints`): written by
//! every append, in its transaction, and read back in order for verification.

use crate::convert::{from_db, to_count, to_db, to_offset};
use crate::error::query_error;
use crate::schema::audit_checkpoints;
use crate::store::Store;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use driftguard_audit::Checkpoint;
use driftguard_core::{DeploymentId, DomainResult};

/// A stored checkpoint.
#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_checkpoints)]
pub(crate) struct CheckpointRow {
    last_id: i64,
    head_hash: String,
    row_count: i64,
    signed_at: NaiveDateTime,
    key_id: String,
    signature: String,
}

impl CheckpointRow {
    /// The row that stores `checkpoint`.
    pub(crate) fn of(checkpoint: &Checkpoint) -> Self {
        Self {
            last_id: checkpoint.last_id.0,
            head_hash: checkpoint.head_hash.clone(),
            row_count: to_offset(checkpoint.row_count),
            signed_at: to_db(checkpoint.signed_at),
            key_id: checkpoint.key_id.clone(),
            signature: checkpoint.signature.clone(),
        }
    }

    fn into_checkpoint(self) -> Checkpoint {
        Checkpoint {
            last_id: DeploymentId(self.last_id),
            head_hash: self.head_hash,
            row_count: to_count(self.row_count),
            signed_at: from_db(self.signed_at),
            key_id: self.key_id,
            signature: self.signature,
        }
    }
}

/// Inside an append's transaction, right after `$record` was inserted: signs a checkpoint of
/// it with `$key`, stores it and evaluates to it. The row count is counted, not derived from
/// the id, so that the checkpoint states what the table held (one index scan per append;
/// appends are rare).
macro_rules! seal_head {
    ($conn:ident, $key:expr, $record:expr) => {{
        let rows: i64 = $crate::schema::deployment_history::table
            .count()
            .get_result($conn)
            .await?;
        let checkpoint = driftguard_audit::Checkpoint::seal(
            $record,
            $crate::convert::to_count(rows),
            driftguard_core::now(),
            $key,
        );
        diesel::insert_into($crate::schema::audit_checkpoints::table)
            .values($crate::checkpoints::CheckpointRow::of(&checkpoint))
            .execute($conn)
            .await?;
        checkpoint
    }};
}

impl Store {
    /// Up to `limit` checkpoints after `after_id`, in `last_id` order.
    pub(crate) async fn load_checkpoints(
        &self,
        after_id: Option<DeploymentId>,
        limit: u64,
    ) -> DomainResult<Vec<Checkpoint>> {
        let rows: Vec<CheckpointRow> = with_conn!(self.database(), |conn| {
            audit_checkpoints::table
                .filter(audit_checkpoints::last_id.gt(after_id.map_or(i64::MIN, i64::from)))
                .order(audit_checkpoints::last_id.asc())
                .limit(to_offset(limit))
                .select(CheckpointRow::as_select())
                .load(conn)
                .await
                .map_err(query_error)?
        });
        Ok(rows
            .into_iter()
            .map(CheckpointRow::into_checkpoint)
            .collect())
    }
}
