//! Verifying the history: every row's id follows the previous one's, its `prev_hash` is the
//! previous row's hash and its hash matches its content (so an edit, a deletion in the middle
//! or a reordering shows), and the signed checkpoints agree with the rows they name (so a cut
//! tail, a chain recomputed from an edited row onward, or rows written around the server
//! show).
//!
//! Rows and checkpoints are pushed merged in id order (a checkpoint right after the row it
//! names, see [`row_comes_first`]), so that a long history is read in chunks.

use driftguard_core::DeploymentId;
use serde::{Deserialize, Serialize};

use crate::chain::{GENESIS_HASH, row_hash};
use crate::checkpoint::Checkpoint;
use crate::key::ChainKey;
use crate::record::DeploymentRecord;

/// Why verification failed, for the row named by `first_invalid_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Failure {
    /// The row's id is not the previous row's id + 1 (or the first row's is not 1): a row
    /// before it was removed, or ids were rewritten.
    IdGap,
    /// The row's `prev_hash` is not the previous row's hash: a row was removed, inserted or
    /// moved.
    BrokenLink,
    /// The row's hash does not match its content: it was edited in place.
    HashMismatch,
    /// A checkpoint's signature does not verify with the key: it was forged or altered.
    BadSignature,
    /// A checkpoint was signed with another key: the key changed, or the checkpoint is forged.
    UnknownKey,
    /// A validly signed checkpoint names a row the table does not have: rows were cut off the
    /// end.
    SignedRowMissing,
    /// A validly signed checkpoint names another hash or row count for its row: the chain was
    /// rewritten from an edited row onward, with its hashes recomputed.
    SignedHeadMismatch,
    /// Rows that no checkpoint signs: written around the server, or signed checkpoints removed.
    Unsigned,
}

/// The answer of `GET /audit/verify`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyReport {
    /// True when no row and no checkpoint is invalid.
    pub ok: bool,
    /// How many rows were read.
    pub rows_checked: u64,
    /// The first row found invalid (see `reason`): a row's own fault (an id gap, a broken
    /// link, an edit) is named before a disagreement with the checkpoints, and a deleted row
    /// shows at the row after it.
    pub first_invalid_id: Option<DeploymentId>,
    /// The last row's hash as stored (the genesis hash for an empty history).
    pub head_hash: String,
    /// What is wrong with `first_invalid_id`; `None` when `ok`.
    pub reason: Option<Failure>,
    /// How many checkpoints were read.
    pub checkpoints_checked: u64,
    /// The newest checkpoint whose signature verifies: what the history looked like at its
    /// last signed append, whatever the table says now.
    pub signed_head: Option<Checkpoint>,
}

/// Whether the next item of a merged walk is the row (`Some(true)`), the checkpoint
/// (`Some(false)`) or neither (`None`: both streams are done). A checkpoint goes right after
/// the row it names.
pub(crate) fn row_comes_first(
    row: Option<&DeploymentRecord>,
    seal: Option<&Checkpoint>,
) -> Option<bool> {
    match (row, seal) {
        (Some(row), Some(seal)) => Some(row.id <= seal.last_id),
        (Some(_), None) => Some(true),
        (None, Some(_)) => Some(false),
        (None, None) => None,
    }
}

/// Checks rows and checkpoints one at a time, merged in id order.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    key: ChainKey,
    previous_hash: String,
    previous_id: Option<DeploymentId>,
    rows_checked: u64,
    checkpoints_checked: u64,
    last_checkpoint_id: Option<DeploymentId>,
    row_failure: Option<(DeploymentId, Failure)>,
    seal_failure: Option<(DeploymentId, Failure)>,
    /// The first row of the run not yet sealed by a matching checkpoint.
    unsealed_from: Option<DeploymentId>,
    /// Whether a matching checkpoint was seen: rows before the first one were written before
    /// checkpoints existed and are covered by it through the chain; from there on every row
    /// has a checkpoint of its own.
    sealing: bool,
    signed_head: Option<Checkpoint>,
}

impl ChainVerifier {
    /// A verifier at the start of the history, checking signatures with `key`.
    pub fn new(key: &ChainKey) -> Self {
        Self {
            key: key.clone(),
            previous_hash: GENESIS_HASH.to_owned(),
            previous_id: None,
            rows_checked: 0,
            checkpoints_checked: 0,
            last_checkpoint_id: None,
            row_failure: None,
            seal_failure: None,
            unsealed_from: None,
            sealing: false,
            signed_head: None,
        }
    }

    /// Checks the next row.
    pub fn push(&mut self, row: &DeploymentRecord) {
        let expected_id = self
            .previous_id
            .map_or(Some(DeploymentId::FIRST), DeploymentId::next);
        let failure = if expected_id != Some(row.id) {
            Some(Failure::IdGap)
        } else if row.prev_hash != self.previous_hash {
            Some(Failure::BrokenLink)
        } else if row.hash != row_hash(row) {
            Some(Failure::HashMismatch)
        } else {
            None
        };
        if let Some(failure) = failure {
            self.row_failure.get_or_insert((row.id, failure));
        }
        match self.unsealed_from {
            Some(from) if self.sealing => {
                self.seal_failure.get_or_insert((from, Failure::Unsigned));
            }
            Some(_) => {}
            None => self.unsealed_from = Some(row.id),
        }
        // Chain on the stored hash: an edited row is then the only invalid one, and the
        // rows after it are judged on their own.
        self.previous_hash.clone_from(&row.hash);
        self.previous_id = Some(row.id);
        self.rows_checked += 1;
    }

    /// Checks the next checkpoint, pushed right after the row it names (if the table has it).
    pub fn push_checkpoint(&mut self, checkpoint: &Checkpoint) {
        self.checkpoints_checked += 1;
        self.last_checkpoint_id = Some(checkpoint.last_id);
        let failure = if checkpoint.key_id != self.key.id() {
            Some(Failure::UnknownKey)
        } else if !checkpoint.is_signed_by(&self.key) {
            Some(Failure::BadSignature)
        } else {
            self.signed_head = Some(checkpoint.clone());
            if self.previous_id != Some(checkpoint.last_id) {
                Some(Failure::SignedRowMissing)
            } else if checkpoint.head_hash != self.previous_hash
                || checkpoint.row_count != self.rows_checked
            {
                Some(Failure::SignedHeadMismatch)
            } else {
                None
            }
        };
        match failure {
            Some(failure) => {
                self.seal_failure
                    .get_or_insert((checkpoint.last_id, failure));
            }
            None => {
                self.unsealed_from = None;
                self.sealing = true;
            }
        }
    }

    /// The id of the last row pushed, where the next chunk of rows starts after.
    pub fn last_id(&self) -> Option<DeploymentId> {
        self.previous_id
    }

    /// The `last_id` of the last checkpoint pushed, where the next chunk of checkpoints
    /// starts after.
    pub fn last_checkpoint_id(&self) -> Option<DeploymentId> {
        self.last_checkpoint_id
    }

    /// The report over everything pushed.
    pub fn finish(mut self) -> VerifyReport {
        if let Some(from) = self.unsealed_from {
            self.seal_failure.get_or_insert((from, Failure::Unsigned));
        }
        let failure = self.row_failure.or(self.seal_failure);
        VerifyReport {
            ok: failure.is_none(),
            rows_checked: self.rows_checked,
            first_invalid_id: failure.map(|(id, _)| id),
            head_hash: self.previous_hash,
            reason: failure.map(|(_, reason)| reason),
            checkpoints_checked: self.checkpoints_checked,
            signed_head: self.signed_head,
        }
    }
}

/// Verifies a whole history given in id order, with its checkpoints in `last_id` order.
pub fn verify(
    rows: &[DeploymentRecord],
    checkpoints: &[Checkpoint],
    key: &ChainKey,
) -> VerifyReport {
    let mut verifier = ChainVerifier::new(key);
    let (mut rows, mut seals) = (rows.iter().peekable(), checkpoints.iter().peekable());
    while let Some(row_first) = row_comes_first(rows.peek().copied(), seals.peek().copied()) {
        if row_first {
            if let Some(row) = rows.next() {
                verifier.push(row);
            }
        } else if let Some(seal) = seals.next() {
            verifier.push_checkpoint(seal);
        }
    }
    verifier.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Outcome;
    use crate::test_support::{chain, key, rechain, sealed};
    use serde_json::json;

    /// The first invalid row and why, of rows sealed one checkpoint each.
    fn failure(rows: &[DeploymentRecord], checkpoints: &[Checkpoint]) -> Option<(i64, Failure)> {
        let report = verify(rows, checkpoints, &key());
        assert_eq!(report.ok, report.first_invalid_id.is_none());
        assert_eq!(report.ok, report.reason.is_none());
        report.first_invalid_id.map(i64::from).zip(report.reason)
    }

    #[test]
    fn an_intact_sealed_chain_verifies() {
        let rows = chain(5);
        let seals = sealed(&rows);
        let report = verify(&rows, &seals, &key());
        assert_eq!(
            report,
            VerifyReport {
                ok: true,
                rows_checked: 5,
                first_invalid_id: None,
                head_hash: rows[4].hash.clone(),
                reason: None,
                checkpoints_checked: 5,
                signed_head: Some(seals[4].clone()),
            }
        );
        let empty = verify(&[], &[], &key());
        assert!(empty.ok);
        assert_eq!(
            (empty.rows_checked, empty.head_hash.as_str()),
            (0, GENESIS_HASH)
        );
    }

    #[test]
    fn editing_any_field_is_caught_at_that_row() {
        type Edit = fn(&mut DeploymentRecord);
        let edits: [(Edit, Failure); 14] = [
            (|r| r.id.0 += 100, Failure::IdGap),
            (|r| r.entry.model_id.0 += 1, Failure::HashMismatch),
            (
                |r| r.entry.deployed_at += chrono::Duration::microseconds(1),
                Failure::HashMismatch,
            ),
            (
                |r| r.entry.deployed_by = driftguard_core::UserId(1),
                Failure::HashMismatch,
            ),
            (
                |r| r.entry.environment = "staging".to_owned(),
                Failure::HashMismatch,
            ),
            (
                |r| r.entry.previous_status = "retired".to_owned(),
                Failure::HashMismatch,
            ),
            (
                |r| r.entry.new_status = "registered".to_owned(),
                Failure::HashMismatch,
            ),
            (
                |r| r.entry.outcome = Outcome::Overridden,
                Failure::HashMismatch,
            ),
            (
                |r| r.entry.governance_result["risk_score"] = json!(12.6),
                Failure::HashMismatch,
            ),
            (|r| r.entry.override_used = true, Failure::HashMismatch),
            (
                |r| r.entry.override_reason = Some("because".to_owned()),
                Failure::HashMismatch,
            ),
            (
                |r| r.entry.notes = Some(String::new()),
                Failure::HashMismatch,
            ),
            (
                |r| r.entry.policy_versions = json!([]),
                Failure::HashMismatch,
            ),
            (|r| r.hash = GENESIS_HASH.to_owned(), Failure::HashMismatch),
        ];
        for (n, (edit, reason)) in edits.iter().enumerate() {
            let mut rows = chain(5);
            let seals = sealed(&rows);
            edit(&mut rows[2]);
            // The edited row is the first invalid one (under its new id, for the id edit).
            assert_eq!(
                failure(&rows, &seals),
                Some((rows[2].id.0, *reason)),
                "edit {n}"
            );
        }
    }

    #[test]
    fn a_row_deleted_in_the_middle_shows_at_the_next_one_even_rechained() {
        for index in [0, 2] {
            let mut rows = chain(5);
            let seals = sealed(&rows);
            rows.remove(index);
            let next = rows[index].id.0;
            assert_eq!(failure(&rows, &seals), Some((next, Failure::IdGap)));
            // Re-chaining the rest mends the links, not the ids.
            rechain(&mut rows, index);
            assert_eq!(failure(&rows, &seals), Some((next, Failure::IdGap)));
        }
    }

    #[test]
    fn a_cut_tail_is_caught_by_the_signed_head() {
        let mut rows = chain(5);
        let seals = sealed(&rows);
        rows.truncate(3);
        let report = verify(&rows, &seals, &key());
        assert_eq!(
            (report.ok, report.first_invalid_id, report.reason),
            (
                false,
                Some(DeploymentId(4)),
                Some(Failure::SignedRowMissing)
            )
        );
        assert_eq!(report.signed_head, Some(seals[4].clone()));
        // Cutting every row leaves the checkpoints naming rows that are gone.
        assert_eq!(failure(&[], &seals), Some((1, Failure::SignedRowMissing)));
    }

    #[test]
    fn a_chain_rewritten_from_an_edited_row_is_caught_at_that_row() {
        let mut rows = chain(5);
        let seals = sealed(&rows);
        rows[2].entry.notes = Some("rewritten".to_owned());
        rechain(&mut rows, 2);
        assert_eq!(
            failure(&rows, &seals),
            Some((3, Failure::SignedHeadMismatch))
        );
        // New checkpoints for the rewritten rows need the key: signed with another, or
        // with a made-up signature, they are refused.
        let other = crate::ChainKey::new(b"the attacker's own key");
        let mut forged = seals.clone();
        for seal in &mut forged[2..] {
            let row = rows.iter().find(|r| r.id == seal.last_id).expect("row");
            *seal = Checkpoint::seal(row, seal.row_count, seal.signed_at, &other);
        }
        assert_eq!(failure(&rows, &forged), Some((3, Failure::UnknownKey)));
        for seal in &mut forged[2..] {
            seal.key_id = key().id().to_owned();
        }
        assert_eq!(failure(&rows, &forged), Some((3, Failure::BadSignature)));
    }

    #[test]
    fn a_signed_row_count_that_disagrees_is_caught() {
        let rows = chain(3);
        let mut seals = sealed(&rows);
        seals[2] = Checkpoint::seal(&rows[2], 4, seals[2].signed_at, &key());
        assert_eq!(
            failure(&rows, &seals),
            Some((3, Failure::SignedHeadMismatch))
        );
    }

    #[test]
    fn rows_no_checkpoint_signs_are_caught() {
        let mut rows = chain(6);
        let mut seals = sealed(&rows);
        // Appended around the server: a valid link and hash, but no checkpoint.
        seals.pop();
        assert_eq!(failure(&rows, &seals), Some((6, Failure::Unsigned)));
        // A checkpoint removed in the middle leaves its row unsigned too.
        seals.remove(2);
        assert_eq!(failure(&rows, &seals), Some((3, Failure::Unsigned)));
        // Rows before the first checkpoint were written before checkpoints existed: the
        // first one signs them through the chain.
        let seals = sealed(&rows);
        assert_eq!(failure(&rows, &seals[3..]), None);
        rows.truncate(3);
        assert_eq!(failure(&rows, &[]), Some((1, Failure::Unsigned)));
    }

    #[test]
    fn reordering_is_caught() {
        let mut rows = chain(5);
        let seals = sealed(&rows);
        rows.swap(1, 3);
        assert_eq!(failure(&rows, &seals), Some((4, Failure::IdGap)));
        // Swapping the ids as well cannot help: the id is part of the hash.
        let mut rows = chain(5);
        rows.swap(1, 3);
        (rows[1].id, rows[3].id) = (DeploymentId(2), DeploymentId(4));
        assert_eq!(failure(&rows, &seals), Some((2, Failure::BrokenLink)));
    }

    #[test]
    fn a_changed_prev_hash_is_caught_even_when_rehashed() {
        let mut rows = chain(5);
        let seals = sealed(&rows);
        rows[3].prev_hash = GENESIS_HASH.to_owned();
        assert_eq!(failure(&rows, &seals), Some((4, Failure::BrokenLink)));
        // A forger who recomputes the row's hash still breaks the link to row 3.
        rows[3].hash = row_hash(&rows[3]);
        assert_eq!(failure(&rows, &seals), Some((4, Failure::BrokenLink)));
    }

    #[test]
    fn chunks_give_the_same_report_as_the_whole() {
        let rows = chain(7);
        let seals = sealed(&rows);
        let mut verifier = ChainVerifier::new(&key());
        for (chunk, seal_chunk) in rows.chunks(3).zip(seals.chunks(3)) {
            for (row, seal) in chunk.iter().zip(seal_chunk) {
                verifier.push(row);
                verifier.push_checkpoint(seal);
            }
            assert_eq!(verifier.last_id(), chunk.last().map(|r| r.id));
            assert_eq!(verifier.last_checkpoint_id(), verifier.last_id());
        }
        assert_eq!(verifier.finish(), verify(&rows, &seals, &key()));
    }

    #[test]
    fn the_report_serialises_its_reason_in_snake_case() {
        let mut rows = chain(2);
        let seals = sealed(&rows);
        rows.pop();
        let json = serde_json::to_value(verify(&rows, &seals, &key())).expect("serialises");
        assert_eq!(json["reason"], "signed_row_missing");
        assert_eq!(json["signed_head"]["last_id"], 2);
        assert_eq!(json["first_invalid_id"], 2);
    }
}
