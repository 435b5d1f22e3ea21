//! The `DeploymentLog` port: the append-only deployment history and its signed checkpoints,
//! and verifying both in chunks.
//!
//! Contract every adapter keeps (one contract suite runs against each):
//! - `append` is the only write. Appends are serialised (a lock, or one transaction that
//!   reads the head row `FOR UPDATE`), so that the chain never forks: the adapter reads the
//!   head row's id and hash (none: [`GENESIS_HASH`](crate::GENESIS_HASH)), takes the head's
//!   id + 1, stores [`DeploymentRecord::seal`] of the entry and, in the same transaction,
//!   [`Checkpoint::seal`] of the new row with the number of rows the table now holds, signed
//!   with the adapter's [`ChainKey`]; it returns the row;
//! - rows and checkpoints are never updated or deleted (both backends refuse UPDATE and
//!   DELETE on both tables);
//! - what is read back hashes as it was written: times are kept to the microsecond, and the
//!   JSON columns are stored as written (as text, or as `jsonb`, whose numbers serde_json
//!   reads back to the same value);
//! - lists are newest first; `chain_after` and `checkpoints_after` are oldest first.

use std::collections::VecDeque;

use async_trait::async_trait;
use driftguard_core::{DeploymentId, DomainResult, ModelId, Page, Timestamp};

use crate::checkpoint::Checkpoint;
use crate::key::ChainKey;
use crate::record::{DeploymentRecord, NewDeployment, Outcome};
use crate::verify::{ChainVerifier, VerifyReport, row_comes_first};

/// Which rows `GET /deployments` wants; `None` = any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeploymentFilter {
    /// Rows of this model version.
    pub model_id: Option<ModelId>,
    /// Rows with one of these outcomes; empty = any.
    pub outcomes: Vec<Outcome>,
    /// Rows for this environment.
    pub environment: Option<String>,
    /// Rows with (or without) an override.
    pub override_used: Option<bool>,
    /// Rows at or after this time.
    pub since: Option<Timestamp>,
}

/// The deployment history.
#[async_trait]
pub trait DeploymentLog: Send + Sync {
    /// Chains and stores one row; see the module documentation for how.
    async fn append(&self, entry: NewDeployment) -> DomainResult<DeploymentRecord>;

    /// A page of one model's rows, newest first, and how many it has in all.
    async fn list_for_model(
        &self,
        model_id: ModelId,
        page: Page,
    ) -> DomainResult<(Vec<DeploymentRecord>, u64)>;

    /// A page of all rows matching the filter, newest first, and how many match in all.
    async fn list(
        &self,
        filter: &DeploymentFilter,
        page: Page,
    ) -> DomainResult<(Vec<DeploymentRecord>, u64)>;

    /// Up to `limit` rows with an id greater than `after_id` (from the first row when
    /// `None`), in id order: the chain, a chunk at a time.
    async fn chain_after(
        &self,
        after_id: Option<DeploymentId>,
        limit: u64,
    ) -> DomainResult<Vec<DeploymentRecord>>;

    /// Up to `limit` checkpoints with a `last_id` greater than `after_id` (from the first
    /// when `None`), in `last_id` order.
    async fn checkpoints_after(
        &self,
        after_id: Option<DeploymentId>,
        limit: u64,
    ) -> DomainResult<Vec<Checkpoint>>;

    /// Signs the head of a history that has rows but no checkpoint at all (rows written
    /// before checkpoints existed), serialised with appends like one, and returns that
    /// checkpoint; `None`, writing nothing, when the history is empty or has a checkpoint.
    async fn seal_unsigned_history(&self) -> DomainResult<Option<Checkpoint>>;
}

/// One of the two streams a verification reads, a chunk at a time.
struct Feed<T> {
    items: VecDeque<T>,
    done: bool,
}

impl<T> Feed<T> {
    fn new() -> Self {
        Self {
            items: VecDeque::new(),
            done: false,
        }
    }

    fn needs_more(&self) -> bool {
        self.items.is_empty() && !self.done
    }

    fn refill(&mut self, chunk: Vec<T>, limit: u64) {
        self.done = (chunk.len() as u64) < limit;
        self.items.extend(chunk);
    }
}

/// Verifies the whole history of `log` and its checkpoints against `key`, reading `chunk`
/// rows (and checkpoints) at a time (at least one).
pub async fn verify_log(
    log: &dyn DeploymentLog,
    key: &ChainKey,
    chunk: u64,
) -> DomainResult<VerifyReport> {
    let chunk = chunk.max(1);
    let mut verifier = ChainVerifier::new(key);
    let (mut rows, mut seals) = (Feed::new(), Feed::new());
    loop {
        if rows.needs_more() {
            rows.refill(log.chain_after(verifier.last_id(), chunk).await?, chunk);
        }
        if seals.needs_more() {
            let after = verifier.last_checkpoint_id();
            seals.refill(log.checkpoints_after(after, chunk).await?, chunk);
        }
        match row_comes_first(rows.items.front(), seals.items.front()) {
            Some(true) => {
                if let Some(row) = rows.items.pop_front() {
                    verifier.push(&row);
                }
            }
            Some(false) => {
                if let Some(seal) = seals.items.pop_front() {
                    verifier.push_checkpoint(&seal);
                }
            }
            None => return Ok(verifier.finish()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::GENESIS_HASH;
    use crate::test_support::{entry, key};
    use crate::verify::Failure;
    use std::sync::Mutex;

    /// The contract in a few lines: a lock serialises appends, each sealed by a checkpoint.
    #[derive(Default)]
    struct MemoryLog {
        rows: Mutex<(Vec<DeploymentRecord>, Vec<Checkpoint>)>,
    }

    impl MemoryLog {
        fn both(&self) -> std::sync::MutexGuard<'_, (Vec<DeploymentRecord>, Vec<Checkpoint>)> {
            self.rows.lock().expect("no test panics holding the lock")
        }

        fn rows(&self) -> Vec<DeploymentRecord> {
            self.both().0.clone()
        }
    }

    fn newest_first(rows: Vec<DeploymentRecord>, page: Page) -> (Vec<DeploymentRecord>, u64) {
        let total = rows.len() as u64;
        let page = rows
            .into_iter()
            .rev()
            .skip(page.skip() as usize)
            .take(page.limit() as usize)
            .collect();
        (page, total)
    }

    #[async_trait]
    impl DeploymentLog for MemoryLog {
        async fn append(&self, entry: NewDeployment) -> DomainResult<DeploymentRecord> {
            let mut both = self.both();
            let (rows, seals) = &mut *both;
            let (id, prev) = rows
                .last()
                .map_or((Some(DeploymentId::FIRST), GENESIS_HASH), |r| {
                    (r.id.next(), r.hash.as_str())
                });
            let id = id.expect("a test log holds fewer than i64::MAX rows");
            let row = DeploymentRecord::seal(entry, id, prev);
            rows.push(row.clone());
            let at = row.entry.deployed_at;
            seals.push(Checkpoint::seal(&row, rows.len() as u64, at, &key()));
            Ok(row)
        }

        async fn list_for_model(
            &self,
            model_id: ModelId,
            page: Page,
        ) -> DomainResult<(Vec<DeploymentRecord>, u64)> {
            let rows = self
                .rows()
                .into_iter()
                .filter(|r| r.entry.model_id == model_id)
                .collect();
            Ok(newest_first(rows, page))
        }

        async fn list(
            &self,
            filter: &DeploymentFilter,
            page: Page,
        ) -> DomainResult<(Vec<DeploymentRecord>, u64)> {
            let rows = self
                .rows()
                .into_iter()
                .filter(|r| {
                    filter.outcomes.is_empty() || filter.outcomes.contains(&r.entry.outcome)
                })
                .filter(|r| filter.model_id.is_none_or(|m| r.entry.model_id == m))
                .collect();
            Ok(newest_first(rows, page))
        }

        async fn chain_after(
            &self,
            after_id: Option<DeploymentId>,
            limit: u64,
        ) -> DomainResult<Vec<DeploymentRecord>> {
            Ok(self
                .rows()
                .into_iter()
                .filter(|r| after_id.is_none_or(|after| r.id > after))
                .take(limit as usize)
                .collect())
        }

        async fn checkpoints_after(
            &self,
            after_id: Option<DeploymentId>,
            limit: u64,
        ) -> DomainResult<Vec<Checkpoint>> {
            Ok(self
                .both()
                .1
                .iter()
                .filter(|c| after_id.is_none_or(|after| c.last_id > after))
                .take(limit as usize)
                .cloned()
                .collect())
        }

        async fn seal_unsigned_history(&self) -> DomainResult<Option<Checkpoint>> {
            let mut both = self.both();
            let (rows, seals) = &mut *both;
            let Some(head) = rows.last().filter(|_| seals.is_empty()) else {
                return Ok(None);
            };
            let seal = Checkpoint::seal(head, rows.len() as u64, head.entry.deployed_at, &key());
            seals.push(seal.clone());
            Ok(Some(seal))
        }
    }

    #[tokio::test]
    async fn appended_rows_chain_and_verify_in_chunks() {
        let log = MemoryLog::default();
        for model_id in [1, 2, 1, 1, 2, 3, 1] {
            let mut e = entry(model_id);
            if model_id == 3 {
                e.outcome = Outcome::Blocked;
            }
            log.append(e).await.expect("appends");
        }
        for chunk in [0, 1, 3, 7, 100] {
            let report = verify_log(&log, &key(), chunk).await.expect("reads");
            assert!(report.ok, "chunk {chunk}");
            assert_eq!((report.rows_checked, report.checkpoints_checked), (7, 7));
            assert_eq!(Some(&report.head_hash), log.rows().last().map(|r| &r.hash));
        }
        let (page, total) = log
            .list_for_model(ModelId(1), Page::new(0, 2).expect("valid page"))
            .await
            .expect("lists");
        assert_eq!(
            (page.iter().map(|r| r.id.0).collect::<Vec<_>>(), total),
            (vec![7, 4], 4)
        );
        let blocked = DeploymentFilter {
            outcomes: vec![Outcome::Blocked],
            ..DeploymentFilter::default()
        };
        let (page, total) = log.list(&blocked, Page::default()).await.expect("lists");
        assert_eq!((page[0].id.0, total), (6, 1));

        log.both().0.truncate(5);
        for chunk in [1, 2, 100] {
            let report = verify_log(&log, &key(), chunk).await.expect("reads");
            let failure = (report.first_invalid_id, report.reason);
            assert_eq!(
                failure,
                (Some(DeploymentId(6)), Some(Failure::SignedRowMissing))
            );
        }
        assert_eq!(log.seal_unsigned_history().await.expect("seal"), None);
        log.both().0[3].entry.notes = Some("edited".to_owned());
        let report = verify_log(&log, &key(), 2).await.expect("reads");
        let failure = (report.first_invalid_id, report.reason);
        assert_eq!(
            failure,
            (Some(DeploymentId(4)), Some(Failure::HashMismatch))
        );
    }
}
