//! A history entry, a chain of rows and its checkpoints for the unit tests.

use chrono::TimeZone;
use driftguard_core::{DeploymentId, ModelId, UserId};
use serde_json::json;

use crate::chain::{GENESIS_HASH, row_hash};
use crate::checkpoint::Checkpoint;
use crate::key::ChainKey;
use crate::record::{DeploymentRecord, NewDeployment, Outcome};

/// A deploy of `model_id` on 2026-01-02 at 03:04:05.000006 UTC by user 42; its JSON values'
/// keys are written unsorted on purpose.
pub(crate) fn entry(model_id: i64) -> NewDeployment {
    let at = chrono::Utc
        .with_ymd_and_hms(2026, 1, 2, 3, 4, 5)
        .single()
        .expect("a valid time")
        + chrono::Duration::microseconds(6);
    NewDeployment {
        model_id: ModelId(model_id),
        deployed_at: at,
        deployed_by: UserId(42),
        environment: "production".to_owned(),
        previous_status: "registered".to_owned(),
        new_status: "deployed".to_owned(),
        outcome: Outcome::Deployed,
        governance_result: json!({"status": "pass", "risk_score": 12.5, "violations": []}),
        override_used: false,
        override_reason: None,
        notes: None,
        policy_versions: json!([{"version": 2, "policy_id": 1}]),
        artifact_digest: None,
        override_request_id: None,
        override_requested_by: None,
    }
}

/// `n` chained rows with ids 1..=n.
pub(crate) fn chain(n: i64) -> Vec<DeploymentRecord> {
    let mut rows: Vec<DeploymentRecord> = Vec::new();
    for id in 1..=n {
        let prev = rows.last().map_or(GENESIS_HASH, |r| r.hash.as_str());
        let row = DeploymentRecord::seal(entry(id % 3 + 1), DeploymentId(id), prev);
        rows.push(row);
    }
    rows
}

/// The key the tests sign with.
pub(crate) fn key() -> ChainKey {
    ChainKey::new(b"the unit tests' key, 32 bytes ok")
}

/// One checkpoint per row, as appends write them.
pub(crate) fn sealed(rows: &[DeploymentRecord]) -> Vec<Checkpoint> {
    let key = key();
    rows.iter()
        .enumerate()
        .map(|(n, row)| Checkpoint::seal(row, n as u64 + 1, row.entry.deployed_at, &key))
        .collect()
}

/// Recomputes `prev_hash` and `hash` of the rows from `from` on, as a forger who rewrites
/// the chain would.
pub(crate) fn rechain(rows: &mut [DeploymentRecord], from: usize) {
    for i in from..rows.len() {
        rows[i].prev_hash = match i {
            0 => GENESIS_HASH.to_owned(),
            _ => rows[i - 1].hash.clone(),
        };
        rows[i].hash = row_hash(&rows[i]);
    }
}
