//! Signed checkpoints of the chain's head: `{last_id, head_hash, row_count, signed_at}`
//! signed with the [`ChainKey`], one written with every appended row, in the append's
//! transaction.
//!
//! Why checkpoints beside the chain rather than a signature column on each row: the hash
//! chain alone cannot show its own tail cut off (a shorter chain is still a valid chain), nor
//! a chain recomputed from an edited row onward. A signed statement "the history had
//! `row_count` rows and ended at row `last_id` with hash `head_hash`" shows both, since the
//! head hash commits to every row before it and nobody without the key can sign another
//! head. One checkpoint per row (rather than periodically) leaves no unsigned window and lets
//! verification name the first rewritten row; the rows themselves and their hashes stay as
//! they were, and the checkpoint table is append-only like the history.
//!
//! The signed message is `driftguard-audit-checkpoint-v1`, then `last_id`, `head_hash`,
//! `row_count` and `signed_at` (RFC 3339 UTC, six fraction digits), each on its own line
//! after a `\n`; the signature is `hex(HMAC-SHA256(key, message))`.

use chrono::SecondsFormat;
use driftguard_core::{DeploymentId, Timestamp};
use serde::{Deserialize, Serialize};

use crate::key::ChainKey;
use crate::record::DeploymentRecord;

/// The first line of every signed message: the format and its version.
const MESSAGE_LABEL: &str = "driftguard-audit-checkpoint-v1";

/// A signed statement of the chain's head at one append.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The id of the row it seals: the head when it was written.
    pub last_id: DeploymentId,
    /// That row's hash, which through the chain commits to every row before it.
    pub head_hash: String,
    /// How many rows the history held, that row included.
    pub row_count: u64,
    /// When it was signed (UTC, to the microsecond).
    pub signed_at: Timestamp,
    /// The id of the key that signed it ([`ChainKey::id`]).
    pub key_id: String,
    /// `hex(HMAC-SHA256(key, message))`, the message as in the module documentation.
    pub signature: String,
}

impl Checkpoint {
    /// The checkpoint of `head`, the last of `row_count` rows, signed now with `key`.
    pub fn seal(
        head: &DeploymentRecord,
        row_count: u64,
        signed_at: Timestamp,
        key: &ChainKey,
    ) -> Self {
        let mut checkpoint = Self {
            last_id: head.id,
            head_hash: head.hash.clone(),
            row_count,
            signed_at,
            key_id: key.id().to_owned(),
            signature: String::new(),
        };
        checkpoint.signature = key.sign(checkpoint.message().as_bytes());
        checkpoint
    }

    /// The message the signature is over (see the module documentation).
    pub fn message(&self) -> String {
        format!(
            "{MESSAGE_LABEL}\n{}\n{}\n{}\n{}",
            self.last_id,
            self.head_hash,
            self.row_count,
            self.signed_at.to_rfc3339_opts(SecondsFormat::Micros, true)
        )
    }

    /// Whether `key` signed this checkpoint as it now reads.
    pub fn is_signed_by(&self, key: &ChainKey) -> bool {
        key.verifies(self.message().as_bytes(), &self.signature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{chain, entry};

    #[test]
    fn the_message_is_stable_and_every_field_is_signed() {
        let key = ChainKey::new(b"test key, thirty-two bytes long!");
        let rows = chain(3);
        let at = entry(1).deployed_at;
        let checkpoint = Checkpoint::seal(&rows[2], 3, at, &key);
        assert_eq!(
            checkpoint.message(),
            format!(
                "driftguard-audit-checkpoint-v1\n3\n{}\n3\n2026-01-02T03:04:05.000006Z",
                rows[2].hash
            )
        );
        assert_eq!(
            (checkpoint.key_id.as_str(), checkpoint.is_signed_by(&key)),
            (key.id(), true)
        );
        let edits: [fn(&mut Checkpoint); 5] = [
            |c| c.last_id.0 += 1,
            |c| c.head_hash = crate::GENESIS_HASH.to_owned(),
            |c| c.row_count -= 1,
            |c| c.signed_at += chrono::Duration::microseconds(1),
            |c| {
                let first = if c.signature.starts_with('0') {
                    "1"
                } else {
                    "0"
                };
                c.signature.replace_range(..1, first);
            },
        ];
        for (n, edit) in edits.iter().enumerate() {
            let mut forged = checkpoint.clone();
            edit(&mut forged);
            assert!(!forged.is_signed_by(&key), "edit {n}");
        }
        assert!(!checkpoint.is_signed_by(&ChainKey::new(b"another key")));
    }
}
