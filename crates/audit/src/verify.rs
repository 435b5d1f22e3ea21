//! Verifying the chain: every row's hash matches its content, and every row's `prev_hash`
//! is the hash of the row before it, so that an edit, a deletion or a reordering shows.

use serde::{Deserialize, Serialize};

use crate::chain::{GENESIS_HASH, row_hash};
use crate::record::DeploymentRecord;

/// The answer of `GET /audit/verify`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyReport {
    /// True when no row is invalid.
    pub ok: bool,
    /// How many rows were read.
    pub rows_checked: u64,
    /// The first row whose hash does not match its content, whose `prev_hash` is not the
    /// previous row's hash (a deleted row shows here, at the row after it), or whose id does
    /// not follow the previous one's.
    pub first_invalid_id: Option<i64>,
    /// The last row's hash as stored (the genesis hash for an empty history).
    pub head_hash: String,
}

/// Checks rows one at a time, in id order, so that a long history can be read in chunks.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    previous_hash: String,
    previous_id: Option<i64>,
    rows_checked: u64,
    first_invalid_id: Option<i64>,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self {
            previous_hash: GENESIS_HASH.to_owned(),
            previous_id: None,
            rows_checked: 0,
            first_invalid_id: None,
        }
    }
}

impl ChainVerifier {
    /// A verifier at the start of the history.
    pub fn new() -> Self {
        Self::default()
    }

    /// Checks the next row.
    pub fn push(&mut self, row: &DeploymentRecord) {
        let follows = self.previous_id.is_none_or(|previous| row.id > previous);
        let valid = follows && row.prev_hash == self.previous_hash && row.hash == row_hash(row);
        if !valid && self.first_invalid_id.is_none() {
            self.first_invalid_id = Some(row.id);
        }
        // Chain on the stored hash: an edited row is then the only invalid one, and the
        // rows after it are judged on their own.
        self.previous_hash.clone_from(&row.hash);
        self.previous_id = Some(row.id);
        self.rows_checked += 1;
    }

    /// The id of the last row pushed, where the next chunk starts after.
    pub fn last_id(&self) -> Option<i64> {
        self.previous_id
    }

    /// The report over every row pushed.
    pub fn finish(self) -> VerifyReport {
        VerifyReport {
            ok: self.first_invalid_id.is_none(),
            rows_checked: self.rows_checked,
            first_invalid_id: self.first_invalid_id,
            head_hash: self.previous_hash,
        }
    }
}

/// Verifies a whole history given in id order.
pub fn verify<'a>(rows: impl IntoIterator<Item = &'a DeploymentRecord>) -> VerifyReport {
    let mut verifier = ChainVerifier::new();
    for row in rows {
        verifier.push(row);
    }
    verifier.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Outcome;
    use crate::test_support::chain;
    use serde_json::json;

    fn first_invalid(rows: &[DeploymentRecord]) -> Option<i64> {
        let report = verify(rows);
        assert_eq!(report.ok, report.first_invalid_id.is_none());
        report.first_invalid_id
    }

    #[test]
    fn an_intact_chain_verifies() {
        let rows = chain(5);
        let report = verify(&rows);
        assert_eq!(
            report,
            VerifyReport {
                ok: true,
                rows_checked: 5,
                first_invalid_id: None,
                head_hash: rows[4].hash.clone(),
            }
        );
        let empty = verify(&[]);
        assert!(empty.ok);
        assert_eq!(
            (empty.rows_checked, empty.head_hash.as_str()),
            (0, GENESIS_HASH)
        );
    }

    #[test]
    fn editing_any_field_is_caught_at_that_row() {
        let edits: [fn(&mut DeploymentRecord); 14] = [
            |r| r.id += 100,
            |r| r.entry.model_id += 1,
            |r| r.entry.deployed_at += chrono::Duration::microseconds(1),
            |r| r.entry.deployed_by = 1,
            |r| r.entry.environment = "staging".to_owned(),
            |r| r.entry.previous_status = "retired".to_owned(),
            |r| r.entry.new_status = "registered".to_owned(),
            |r| r.entry.outcome = Outcome::Overridden,
            |r| r.entry.governance_result["risk_score"] = json!(12.6),
            |r| r.entry.override_used = true,
            |r| r.entry.override_reason = Some("because".to_owned()),
            |r| r.entry.notes = Some(String::new()),
            |r| r.entry.policy_versions = json!([]),
            |r| r.hash = GENESIS_HASH.to_owned(),
        ];
        for (n, edit) in edits.iter().enumerate() {
            let mut rows = chain(5);
            edit(&mut rows[2]);
            // The edited row is the first invalid one (under its new id, for the id edit).
            assert_eq!(first_invalid(&rows), Some(rows[2].id), "edit {n}");
        }
    }

    #[test]
    fn a_deleted_row_shows_at_the_next_one() {
        let mut rows = chain(5);
        rows.remove(1);
        assert_eq!(first_invalid(&rows), Some(3));
        let mut rows = chain(5);
        rows.remove(0);
        assert_eq!(first_invalid(&rows), Some(2));
        // Deleting the head leaves a valid, shorter chain: the head hash, kept elsewhere,
        // is what shows it.
        let mut rows = chain(5);
        let head = rows.pop().map(|r| r.hash);
        let report = verify(&rows);
        assert!(report.ok);
        assert_ne!(Some(report.head_hash), head);
    }

    #[test]
    fn reordering_is_caught() {
        let mut rows = chain(5);
        rows.swap(1, 3);
        assert_eq!(first_invalid(&rows), Some(4));
        // Swapping the ids as well cannot help: the id is part of the hash.
        let mut rows = chain(5);
        rows.swap(1, 3);
        (rows[1].id, rows[3].id) = (2, 4);
        assert_eq!(first_invalid(&rows), Some(2));
    }

    #[test]
    fn a_changed_prev_hash_is_caught_even_when_rehashed() {
        let mut rows = chain(5);
        rows[3].prev_hash = GENESIS_HASH.to_owned();
        assert_eq!(first_invalid(&rows), Some(4));
        // A forger who recomputes the row's hash still breaks the link to row 3.
        rows[3].hash = row_hash(&rows[3]);
        assert_eq!(first_invalid(&rows), Some(4));
    }

    #[test]
    fn chunks_give_the_same_report_as_the_whole() {
        let rows = chain(7);
        let mut verifier = ChainVerifier::new();
        for chunk in rows.chunks(3) {
            for row in chunk {
                verifier.push(row);
            }
            assert_eq!(verifier.last_id(), chunk.last().map(|r| r.id));
        }
        assert_eq!(verifier.finish(), verify(&rows));
    }
}
