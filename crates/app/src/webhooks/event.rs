//! The events webhooks announce, and the one constructor per event that the store calls in
//! the transaction of the write that raised it (so that the outbox row commits or rolls back
//! with the write).

use std::fmt;
use std::str::FromStr;

use driftguard_audit::{DeploymentRecord, Outcome};
use driftguard_core::{EvaluationId, ModelId, PolicyId, Timestamp, UserId, now};
use driftguard_governance::Status;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::ports::dashboard::ViolationCounts;

/// What an endpoint subscribes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EventKind {
    /// An evaluation's judgement is `fail`.
    #[serde(rename = "evaluation.failed")]
    EvaluationFailed,
    /// An evaluation's judgement is `warn`.
    #[serde(rename = "evaluation.warned")]
    EvaluationWarned,
    /// A deploy was blocked by governance (and recorded).
    #[serde(rename = "deployment.blocked")]
    DeploymentBlocked,
    /// An approver deployed over a failing result.
    #[serde(rename = "deployment.overridden")]
    DeploymentOverridden,
    /// An override waits for a second approver (four-eyes).
    #[serde(rename = "override.requested")]
    OverrideRequested,
    /// A policy was created, edited, switched on or off.
    #[serde(rename = "policy.changed")]
    PolicyChanged,
}

impl EventKind {
    /// Every event, in the order the documentation lists them.
    pub const ALL: [EventKind; 6] = [
        EventKind::EvaluationFailed,
        EventKind::EvaluationWarned,
        EventKind::DeploymentBlocked,
        EventKind::DeploymentOverridden,
        EventKind::OverrideRequested,
        EventKind::PolicyChanged,
    ];

    /// The name on the wire and in the `X-DriftGuard-Event` header.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EvaluationFailed => "evaluation.failed",
            Self::EvaluationWarned => "evaluation.warned",
            Self::DeploymentBlocked => "deployment.blocked",
            Self::DeploymentOverridden => "deployment.overridden",
            Self::OverrideRequested => "override.requested",
            Self::PolicyChanged => "policy.changed",
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EventKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown event `{s}`"))
    }
}

/// The model an event is about, as its readers name it.
#[derive(Debug, Clone, Copy)]
pub struct ModelRef<'a> {
    /// Its id.
    pub id: ModelId,
    /// Its name.
    pub name: &'a str,
    /// Its version.
    pub version: &'a str,
}

/// How a policy changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyChange {
    /// Version 1 was written.
    Created,
    /// A new version was written.
    Updated,
    /// It was switched off (`DELETE /policies/{id}`) or on.
    ActiveSet,
}

impl PolicyChange {
    fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Updated => "updated",
            Self::ActiveSet => "active_changed",
        }
    }
}

/// An event to put in the outbox: one delivery per active endpoint subscribed to its kind.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEvent {
    /// A UUID, the `X-DriftGuard-Event-Id` header and the body's `id`: the same on every
    /// retry and for every endpoint, so that a receiver can drop a duplicate.
    pub id: String,
    /// What happened.
    pub kind: EventKind,
    /// When.
    pub occurred_at: Timestamp,
    /// The event's `data` (docs/webhooks.md lists the fields per event).
    pub data: Value,
}

fn model_fields(model: ModelRef<'_>) -> Value {
    json!({"model_id": model.id, "model_name": model.name, "model_version": model.version})
}

fn with(mut base: Value, extra: Value) -> Value {
    if let (Value::Object(base), Value::Object(extra)) = (&mut base, extra) {
        base.extend(extra);
    }
    base
}

impl OutboxEvent {
    fn new(kind: EventKind, data: Value) -> Self {
        Self {
            id: uuid::Uuid::new_v4().to_string(),
            kind,
            occurred_at: now(),
            data,
        }
    }

    /// `evaluation.failed` or `evaluation.warned` for a stored evaluation judged `fail` or
    /// `warn`; nothing for `pass`.
    pub fn evaluation_judged(
        evaluation_id: EvaluationId,
        model: ModelRef<'_>,
        status: Status,
        risk_score: f64,
        violations: &ViolationCounts,
    ) -> Option<Self> {
        let kind = match status {
            Status::Fail => EventKind::EvaluationFailed,
            Status::Warn => EventKind::EvaluationWarned,
            Status::Pass => return None,
        };
        let data = with(
            model_fields(model),
            json!({
                "evaluation_id": evaluation_id,
                "status": status.as_str(),
                "risk_score": risk_score,
                "violations": violations,
            }),
        );
        Some(Self::new(kind, data))
    }

    /// `deployment.blocked` or `deployment.overridden` for a history row of that outcome;
    /// nothing for the other outcomes.
    pub fn deployment_decided(record: &DeploymentRecord, model: ModelRef<'_>) -> Option<Self> {
        let entry = &record.entry;
        let kind = match entry.outcome {
            Outcome::Blocked => EventKind::DeploymentBlocked,
            Outcome::Overridden => EventKind::DeploymentOverridden,
            _ => return None,
        };
        let result = &entry.governance_result;
        let data = with(
            model_fields(model),
            json!({
                "deployment_id": record.id,
                "environment": entry.environment,
                "outcome": entry.outcome.as_str(),
                "deployed_by": entry.deployed_by,
                "override_reason": entry.override_reason,
                "governance_status": result.get("status"),
                "risk_score": result.get("risk_score"),
                "evaluation_id": result.get("evaluation_id"),
                "hash": record.hash,
            }),
        );
        Some(Self::new(kind, data))
    }

    /// `policy.changed`: the policy's version `version` was written (`active` is its state
    /// now).
    pub fn policy_changed(
        policy_id: PolicyId,
        name: &str,
        version: i64,
        active: bool,
        change: PolicyChange,
    ) -> Self {
        Self::new(
            EventKind::PolicyChanged,
            json!({
                "policy_id": policy_id,
                "name": name,
                "version": version,
                "active": active,
                "change": change.as_str(),
            }),
        )
    }

    /// `override.requested`: an approver's override of a failing result waits for a second,
    /// different approver (the four-eyes rule). The override-request command calls this and
    /// hands the event to its store command (or to `WebhookStore::enqueue`).
    pub fn override_requested(
        request_id: i64,
        model: ModelRef<'_>,
        requested_by: UserId,
        environment: &str,
        justification: &str,
        expires_at: Timestamp,
    ) -> Self {
        Self::new(
            EventKind::OverrideRequested,
            with(
                model_fields(model),
                json!({
                    "request_id": request_id,
                    "requested_by": requested_by,
                    "environment": environment,
                    "justification": justification,
                    "expires_at": expires_at,
                }),
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_serde() {
        for kind in EventKind::ALL {
            assert_eq!(kind.as_str().parse::<EventKind>(), Ok(kind));
            assert_eq!(
                serde_json::to_value(kind).expect("encodes"),
                Value::String(kind.as_str().to_owned())
            );
        }
        assert!("evaluation.passed".parse::<EventKind>().is_err());
    }

    #[test]
    fn only_failing_and_warning_evaluations_raise_an_event() {
        let model = ModelRef {
            id: ModelId(3),
            name: "fraud",
            version: "1.2",
        };
        let counts = ViolationCounts::default();
        let pass =
            OutboxEvent::evaluation_judged(EvaluationId(1), model, Status::Pass, 1.0, &counts);
        assert!(pass.is_none());
        let fail =
            OutboxEvent::evaluation_judged(EvaluationId(1), model, Status::Fail, 80.0, &counts)
                .expect("an event");
        assert_eq!(fail.kind, EventKind::EvaluationFailed);
        assert_eq!(fail.data["model_name"], "fraud");
        assert_eq!(fail.data["evaluation_id"], 1);
        let warn =
            OutboxEvent::evaluation_judged(EvaluationId(2), model, Status::Warn, 30.0, &counts)
                .expect("an event");
        assert_eq!(warn.kind, EventKind::EvaluationWarned);
        assert_ne!(fail.id, warn.id, "each event has an id of its own");
    }
}
