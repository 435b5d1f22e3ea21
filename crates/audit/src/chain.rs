//! The hash chain: a row's canonical JSON and its hash.
//!
//! Canonical JSON of a row: every field except `hash` (and `artifact_digest`,
//! `override_request_id` and `override_requested_by` when absent, as in every row written
//! before they existed), as one JSON object with keys sorted
//! (byte order, at every depth, `governance_result` included), no whitespace, times as
//! RFC 3339 UTC with exactly six fraction digits (`2026-01-02T03:04:05.000006Z`), strings
//! and numbers as serde_json writes them. `hash = hex(sha256(prev_hash + canonical JSON))`,
//! lower-case hex, where `+` joins the two strings' UTF-8 bytes.

use chrono::SecondsFormat;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::record::DeploymentRecord;

/// The `prev_hash` of the first row.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The canonical JSON of a row (see the module documentation).
pub fn canonical_json(record: &DeploymentRecord) -> String {
    let e = &record.entry;
    let mut row = json!({
        "id": record.id,
        "model_id": e.model_id,
        "deployed_at": e.deployed_at.to_rfc3339_opts(SecondsFormat::Micros, true),
        "deployed_by": e.deployed_by,
        "environment": e.environment,
        "previous_status": e.previous_status,
        "new_status": e.new_status,
        "outcome": e.outcome.as_str(),
        "governance_result": e.governance_result,
        "override_used": e.override_used,
        "override_reason": e.override_reason,
        "notes": e.notes,
        "policy_versions": e.policy_versions,
        "prev_hash": record.prev_hash,
    });
    if let Some(fields) = row.as_object_mut() {
        // Each is in the row only when present, so that rows from before it keep their hashes.
        let optional = [
            (
                "artifact_digest",
                e.artifact_digest.as_ref().map(|d| json!(d)),
            ),
            (
                "override_request_id",
                e.override_request_id.map(|id| json!(id)),
            ),
            (
                "override_requested_by",
                e.override_requested_by.map(|id| json!(id)),
            ),
        ];
        for (name, value) in optional {
            if let Some(value) = value {
                fields.insert(name.to_owned(), value);
            }
        }
    }
    sorted(&row).to_string()
}

/// The hash a row must carry, computed from its content and its `prev_hash`.
pub fn row_hash(record: &DeploymentRecord) -> String {
    let mut hasher = Sha256::new();
    hasher.update(record.prev_hash.as_bytes());
    hasher.update(canonical_json(record).as_bytes());
    hex::encode(hasher.finalize())
}

/// A copy with every object's keys inserted in sorted order, so that it prints sorted
/// whether serde_json's map keeps keys sorted or in insertion order (`preserve_order`).
pub(crate) fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let mut out = Map::new();
            for key in keys {
                out.insert(key.clone(), sorted(&map[key]));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{DeploymentRecord, Outcome};
    use crate::test_support::entry;

    #[test]
    fn canonical_json_is_sorted_compact_and_covers_every_field_but_the_hash() {
        let record =
            DeploymentRecord::seal(entry(3), driftguard_core::DeploymentId(5), GENESIS_HASH);
        let text = canonical_json(&record);
        assert!(!text.contains(' ') && !text.contains('\n'), "{text}");
        let parsed: Value = serde_json::from_str(&text).expect("canonical JSON parses");
        let mut wire = serde_json::to_value(&record).expect("serialises");
        let wire = wire.as_object_mut().expect("a record is an object");
        wire.remove("hash");
        let canonical_keys: Vec<&String> = parsed.as_object().expect("object").keys().collect();
        let mut wire_keys: Vec<&String> = wire.keys().collect();
        wire_keys.sort();
        assert_eq!(canonical_keys, wire_keys);
        assert!(
            text.starts_with(r#"{"deployed_at":"2026-01-02T03:04:05.000006Z","deployed_by":42,"#)
        );
        assert!(text.contains(
            r#""governance_result":{"risk_score":12.5,"status":"pass","violations":[]}"#
        ));
    }

    /// The hash of `entry(3)` sealed as row 5 after the genesis.
    const GOLDEN_HASH: &str = "cbf1ba7d971c0d565d8b4dfd48782fac2fa0e09a9b0dc3e6d3b719c9ed012f33";

    #[test]
    fn the_hash_of_a_known_row_is_stable() {
        // Computed independently: python3 -c 'import hashlib;
        // print(hashlib.sha256(("0"*64 + CANONICAL).encode()).hexdigest())'
        let record =
            DeploymentRecord::seal(entry(3), driftguard_core::DeploymentId(5), GENESIS_HASH);
        assert_eq!(
            canonical_json(&record),
            r#"{"deployed_at":"2026-01-02T03:04:05.000006Z","deployed_by":42,"environment":"production","governance_result":{"risk_score":12.5,"status":"pass","violations":[]},"id":5,"model_id":3,"new_status":"deployed","notes":null,"outcome":"deployed","override_reason":null,"override_used":false,"policy_versions":[{"policy_id":1,"version":2}],"prev_hash":"0000000000000000000000000000000000000000000000000000000000000000","previous_status":"registered"}"#
        );
        assert_eq!(record.hash, GOLDEN_HASH);
        assert_eq!(row_hash(&record), GOLDEN_HASH);
        let mut other = record.clone();
        other.entry.outcome = Outcome::Overridden;
        assert_ne!(row_hash(&other), GOLDEN_HASH);
    }

    #[test]
    fn an_artifact_digest_is_hashed_when_present_and_absent_otherwise() {
        let mut e = entry(3);
        e.artifact_digest = Some(crate::ArtifactDigest::of(b"model bytes"));
        let record = DeploymentRecord::seal(e, driftguard_core::DeploymentId(5), GENESIS_HASH);
        let text = canonical_json(&record);
        assert!(text.contains(r#""artifact_digest":"sha256:"#), "{text}");
        assert_ne!(record.hash, GOLDEN_HASH);
        let mut other = record.clone();
        other.entry.artifact_digest = Some(crate::ArtifactDigest::of(b"other bytes"));
        assert_ne!(row_hash(&other), record.hash);
    }
}
