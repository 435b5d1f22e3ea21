//! The body of a delivery in each format: the event as JSON, a Slack message or a Teams
//! MessageCard. The chat formats carry a one-line plain-text summary without links (a
//! receiver channel shows it as sent).

use serde_json::{Value, json};

use crate::ports::webhooks::WebhookFormat;
use crate::webhooks::event::{EventKind, OutboxEvent};

/// The event as the `json` format sends it: `{id, type, created_at, data}`.
pub fn envelope(event: &OutboxEvent) -> Value {
    json!({
        "id": event.id,
        "type": event.kind,
        "created_at": event.occurred_at,
        "data": event.data,
    })
}

/// The bytes to POST for `event` in `format`.
pub fn body(event: &OutboxEvent, format: WebhookFormat) -> Vec<u8> {
    let value = match format {
        WebhookFormat::Json => envelope(event),
        WebhookFormat::Slack => json!({ "text": summary(event) }),
        WebhookFormat::Teams => json!({
            "@type": "MessageCard",
            "@context": "https://schema.org/extensions",
            "summary": title(event.kind),
            "title": title(event.kind),
            "text": summary(event),
        }),
    };
    // A `Value` always encodes.
    serde_json::to_vec(&value).unwrap_or_default()
}

fn title(kind: EventKind) -> &'static str {
    match kind {
        EventKind::EvaluationFailed => "DriftGuard: evaluation failed",
        EventKind::EvaluationWarned => "DriftGuard: evaluation warned",
        EventKind::DeploymentBlocked => "DriftGuard: deployment blocked",
        EventKind::DeploymentOverridden => "DriftGuard: deployment overridden",
        EventKind::OverrideRequested => "DriftGuard: override requested",
        EventKind::PolicyChanged => "DriftGuard: policy changed",
    }
}

/// A field of the event's data as text (`?` when it is missing).
fn text(data: &Value, field: &str) -> String {
    match data.get(field) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => "?".to_owned(),
        Some(other) => other.to_string(),
    }
}

fn model(data: &Value) -> String {
    format!(
        "model {} {} (id {})",
        text(data, "model_name"),
        text(data, "model_version"),
        text(data, "model_id")
    )
}

/// One line saying what happened.
pub fn summary(event: &OutboxEvent) -> String {
    let d = &event.data;
    match event.kind {
        EventKind::EvaluationFailed | EventKind::EvaluationWarned => format!(
            "DriftGuard: evaluation {} of {} is {} (risk score {}).",
            text(d, "evaluation_id"),
            model(d),
            text(d, "status"),
            text(d, "risk_score"),
        ),
        EventKind::DeploymentBlocked => format!(
            "DriftGuard: deploying {} to {} was blocked by governance (deployment {}).",
            model(d),
            text(d, "environment"),
            text(d, "deployment_id"),
        ),
        EventKind::DeploymentOverridden => format!(
            "DriftGuard: {} was deployed to {} over a failing result by user {}: {} (deployment {}).",
            model(d),
            text(d, "environment"),
            text(d, "deployed_by"),
            text(d, "override_reason"),
            text(d, "deployment_id"),
        ),
        EventKind::OverrideRequested => format!(
            "DriftGuard: user {} asks to deploy {} to {} over a failing result: {} (request {}, expires {}).",
            text(d, "requested_by"),
            model(d),
            text(d, "environment"),
            text(d, "justification"),
            text(d, "request_id"),
            text(d, "expires_at"),
        ),
        EventKind::PolicyChanged => format!(
            "DriftGuard: policy {} (id {}) is now at version {} ({}, {}).",
            text(d, "name"),
            text(d, "policy_id"),
            text(d, "version"),
            if d.get("active") == Some(&Value::Bool(true)) {
                "active"
            } else {
                "inactive"
            },
            text(d, "change"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftguard_core::PolicyId;

    #[test]
    fn each_format_is_what_its_receiver_takes() {
        let event = OutboxEvent::policy_changed(
            PolicyId(2),
            "fairness",
            3,
            false,
            crate::webhooks::event::PolicyChange::ActiveSet,
        );
        let json: Value = serde_json::from_slice(&body(&event, WebhookFormat::Json)).expect("json");
        assert_eq!(json["type"], "policy.changed");
        assert_eq!(json["id"], event.id);
        assert_eq!(json["data"]["version"], 3);
        let slack: Value =
            serde_json::from_slice(&body(&event, WebhookFormat::Slack)).expect("json");
        assert_eq!(
            slack["text"],
            "DriftGuard: policy fairness (id 2) is now at version 3 (inactive, active_changed)."
        );
        let teams: Value =
            serde_json::from_slice(&body(&event, WebhookFormat::Teams)).expect("json");
        assert_eq!(teams["@type"], "MessageCard");
        assert_eq!(teams["text"], slack["text"]);
        assert_eq!(teams["title"], "DriftGuard: policy changed");
    }
}
