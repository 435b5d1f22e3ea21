//! A history entry and a chain of rows for the unit tests.

use chrono::TimeZone;
use serde_json::json;

use crate::chain::GENESIS_HASH;
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
        model_id,
        deployed_at: at,
        deployed_by: 42,
        environment: "production".to_owned(),
        previous_status: "registered".to_owned(),
        new_status: "deployed".to_owned(),
        outcome: Outcome::Deployed,
        governance_result: json!({"status": "pass", "risk_score": 12.5, "violations": []}),
        override_used: false,
        override_reason: None,
        notes: None,
        policy_versions: json!([{"version": 2, "policy_id": 1}]),
    }
}

/// `n` chained rows with ids 1..=n.
pub(crate) fn chain(n: i64) -> Vec<DeploymentRecord> {
    let mut rows: Vec<DeploymentRecord> = Vec::new();
    for id in 1..=n {
        let prev = rows.last().map_or(GENESIS_HASH, |r| r.hash.as_str());
        let row = DeploymentRecord::seal(entry(id % 3 + 1), id, prev);
        rows.push(row);
    }
    rows
}
