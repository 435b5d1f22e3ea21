//! The in-toto Statement v1 of a deploy decision: its subject is the model artefact's digest,
//! its predicate the gate result as the history row recorded it.

use driftguard_core::{DeploymentId, ModelId, OverrideRequestId, Timestamp, UserId};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::chain::sorted;
use crate::record::{DeploymentRecord, Outcome};
use driftguard_core::ArtifactDigest;

/// The statement's `_type`.
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";

/// The `predicateType` of DriftGuard's gate result.
pub const PREDICATE_TYPE: &str = "https://driftguard.dev/gate-result/v1";

/// An in-toto Statement v1 with DriftGuard's gate result as predicate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    /// [`STATEMENT_TYPE`].
    #[serde(rename = "_type")]
    pub statement_type: String,
    /// The model artefact (one).
    pub subject: Vec<Subject>,
    /// [`PREDICATE_TYPE`].
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
    /// The gate result.
    pub predicate: GateResult,
}

/// What the statement is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    /// `name@version` of the model version.
    pub name: String,
    /// `{sha256: hex}`.
    pub digest: SubjectDigest,
}

/// A subject's digest set (DriftGuard gives SHA-256 only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectDigest {
    /// 64 lower-case hex digits.
    pub sha256: String,
}

/// Where the subject's digest comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DigestSource {
    /// The `artifact_digest` the deploy request gave: the artefact's own bytes.
    Artifact,
    /// None was given: the SHA-256 of the text `name@version`, which names the model
    /// version but proves nothing about the bytes rolled out.
    ModelIdentity,
}

/// The model version a decision was about, as its registry names it (name and version never
/// change once registered).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelIdentity {
    /// The model's id.
    pub id: ModelId,
    /// Its name.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// The history row the decision was recorded as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryLink {
    /// The row's id.
    pub deployment_id: DeploymentId,
    /// The row's hash in the audit chain.
    pub hash: String,
    /// The hash of the row before it.
    pub prev_hash: String,
}

/// The predicate: the deploy decision and the gate result it was taken on, every field as the
/// history row recorded it at decision time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GateResult {
    /// `deployed`, `overridden` or `blocked`.
    pub decision: Outcome,
    /// The model version.
    pub model: ModelIdentity,
    /// What the subject's digest is the digest of.
    pub subject_digest_source: DigestSource,
    /// Where to.
    pub environment: String,
    /// When the decision was taken.
    pub decided_at: Timestamp,
    /// Who asked.
    pub decided_by: UserId,
    /// Status, risk score (and its breakdown when recorded), violations, policy versions and
    /// evaluation id.
    pub governance_result: Value,
    /// Whether an approver overrode a failing result.
    pub override_used: bool,
    /// The override's justification.
    pub override_reason: Option<String>,
    /// On a four-eyes override: the request it approved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub override_request_id: Option<OverrideRequestId>,
    /// On a four-eyes override: the first approver, who asked (`decided_by` is the second,
    /// who approved).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub override_requested_by: Option<UserId>,
    /// The history row.
    pub history: HistoryLink,
}

impl Statement {
    /// The statement of the decision `record` holds about `model`; `None` for a row that is
    /// no deploy decision (superseded, retired).
    pub fn of_decision(record: &DeploymentRecord, model: ModelIdentity) -> Option<Self> {
        let e = &record.entry;
        if !matches!(
            e.outcome,
            Outcome::Deployed | Outcome::Overridden | Outcome::Blocked
        ) {
            return None;
        }
        let name = format!("{}@{}", model.name, model.version);
        let (digest, source) = match &e.artifact_digest {
            Some(digest) => (digest.clone(), DigestSource::Artifact),
            None => (
                ArtifactDigest::of(name.as_bytes()),
                DigestSource::ModelIdentity,
            ),
        };
        Some(Self {
            statement_type: STATEMENT_TYPE.to_owned(),
            subject: vec![Subject {
                name,
                digest: SubjectDigest {
                    sha256: digest.hex().to_owned(),
                },
            }],
            predicate_type: PREDICATE_TYPE.to_owned(),
            predicate: GateResult {
                decision: e.outcome,
                model,
                subject_digest_source: source,
                environment: e.environment.clone(),
                decided_at: e.deployed_at,
                decided_by: e.deployed_by,
                // Keys sorted, so that the signed bytes do not hang on how a map is kept.
                governance_result: sorted(&e.governance_result),
                override_used: e.override_used,
                override_reason: e.override_reason.clone(),
                override_request_id: e.override_request_id,
                override_requested_by: e.override_requested_by,
                history: HistoryLink {
                    deployment_id: record.id,
                    hash: record.hash.clone(),
                    prev_hash: record.prev_hash.clone(),
                },
            },
        })
    }

    /// Whether a subject has `digest`.
    pub fn names(&self, digest: &ArtifactDigest) -> bool {
        self.subject.iter().any(|s| s.digest.sha256 == digest.hex())
    }
}
