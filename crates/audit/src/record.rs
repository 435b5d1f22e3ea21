//! A row of the deployment history: one deploy, block, override, supersession or retirement.

use driftguard_core::{DeploymentId, ModelId, OverrideRequestId, Timestamp, UserId};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::chain::row_hash;
use driftguard_core::ArtifactDigest;

/// How a deployment attempt (or a status change it caused) ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The model was deployed; governance did not fail.
    Deployed,
    /// The attempt was refused: governance failed and no valid override was given.
    Blocked,
    /// The model was deployed despite a failing result, by an approver's override.
    Overridden,
    /// Another version of the same name was deployed, so this one stepped down.
    Superseded,
    /// The model was taken out of service.
    Retired,
    /// An approver asked to override a failing result of a model whose risk tier needs a
    /// second approver (four eyes): nothing was deployed yet.
    OverrideRequested,
    /// A pending override request was rejected (or withdrawn by its requester).
    OverrideRejected,
    /// A pending override request was found past its expiry when someone acted on it.
    OverrideExpired,
    /// A pending override request was found stale when someone approved it: the model was
    /// evaluated again, or the policies that judged it changed.
    OverrideVoided,
}

impl Outcome {
    /// Every outcome.
    pub const ALL: [Outcome; 9] = [
        Outcome::Deployed,
        Outcome::Blocked,
        Outcome::Overridden,
        Outcome::Superseded,
        Outcome::Retired,
        Outcome::OverrideRequested,
        Outcome::OverrideRejected,
        Outcome::OverrideExpired,
        Outcome::OverrideVoided,
    ];

    /// The name as stored and serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Deployed => "deployed",
            Outcome::Blocked => "blocked",
            Outcome::Overridden => "overridden",
            Outcome::Superseded => "superseded",
            Outcome::Retired => "retired",
            Outcome::OverrideRequested => "override_requested",
            Outcome::OverrideRejected => "override_rejected",
            Outcome::OverrideExpired => "override_expired",
            Outcome::OverrideVoided => "override_voided",
        }
    }
}

impl std::str::FromStr for Outcome {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|o| o.as_str() == s)
            .ok_or_else(|| {
                "must be one of deployed, blocked, overridden, superseded, retired, \
                 override_requested, override_rejected, override_expired, override_voided"
                    .to_owned()
            })
    }
}

/// What the deploy use case writes; the log adds the id and the chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewDeployment {
    /// The model version concerned.
    pub model_id: ModelId,
    /// When it happened (UTC, kept to the microsecond).
    pub deployed_at: Timestamp,
    /// The user who asked.
    pub deployed_by: UserId,
    /// Where to (`production`, `staging`, …).
    pub environment: String,
    /// The model's status before.
    pub previous_status: String,
    /// The model's status after (the same as before for a blocked attempt).
    pub new_status: String,
    /// How it ended.
    pub outcome: Outcome,
    /// The governance result the decision was taken on (status, risk score, violations, …).
    pub governance_result: Value,
    /// Whether an approver overrode a failing result.
    pub override_used: bool,
    /// The override's justification.
    pub override_reason: Option<String>,
    /// Free notes from the request.
    pub notes: Option<String>,
    /// The `[{policy_id, version}]` that judged it.
    pub policy_versions: Value,
    /// The digest of the model artefact deployed, when the request gave one: the subject of
    /// the decision's signed attestation. Left out of the row (and of its hash) when absent,
    /// so that rows written before it existed keep their hashes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_digest: Option<ArtifactDigest>,
    /// The four-eyes override request this row belongs to (its request, rejection, expiry,
    /// voiding, or the `overridden` deploy its approval made). Left out when absent, as
    /// `artifact_digest` is, so that older rows keep their hashes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub override_request_id: Option<OverrideRequestId>,
    /// Who asked for that override: on an approved override's `overridden` row, the first
    /// approver, beside `deployed_by`, the second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub override_requested_by: Option<UserId>,
}

/// A stored, chained row of the deployment history. Serialises flat, as SPEC §3's
/// deployment row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeploymentRecord {
    /// The row's id; ids grow in append order.
    pub id: DeploymentId,
    /// The row's content.
    #[serde(flatten)]
    pub entry: NewDeployment,
    /// The previous row's `hash` (64 zeros for the first row).
    pub prev_hash: String,
    /// `hex(sha256(prev_hash + canonical JSON of the row))`.
    pub hash: String,
}

impl DeploymentRecord {
    /// The row `entry` becomes with this id after the row whose hash is `prev_hash`: what
    /// a log's `append` stores.
    pub fn seal(entry: NewDeployment, id: DeploymentId, prev_hash: &str) -> Self {
        let mut record = Self {
            id,
            entry,
            prev_hash: prev_hash.to_owned(),
            hash: String::new(),
        };
        record.hash = row_hash(&record);
        record
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::entry;

    #[test]
    fn outcomes_round_trip() {
        for outcome in Outcome::ALL {
            assert_eq!(outcome.as_str().parse::<Outcome>(), Ok(outcome));
            let json = serde_json::to_value(outcome).expect("serialises");
            assert_eq!(json, outcome.as_str());
        }
        assert!("failed".parse::<Outcome>().is_err());
    }

    #[test]
    fn a_record_serialises_flat() {
        let record = DeploymentRecord::seal(entry(7), DeploymentId(1), crate::GENESIS_HASH);
        let json = serde_json::to_value(&record).expect("serialises");
        for key in [
            "id",
            "model_id",
            "deployed_at",
            "deployed_by",
            "environment",
            "previous_status",
            "new_status",
            "outcome",
            "governance_result",
            "override_used",
            "override_reason",
            "notes",
            "policy_versions",
            "prev_hash",
            "hash",
        ] {
            assert!(json.get(key).is_some(), "{key} missing");
        }
        let back: DeploymentRecord = serde_json::from_value(json).expect("reads back");
        assert_eq!(back, record);
    }
}
