//! The schemas of the request bodies whose rules a derive cannot state (cross-field rules,
//! catalogues of names, data envelopes), written as JSON Schema from the same constants the
//! use cases check, so that the document and the server cannot drift apart.

use driftguard_app::deploy::{MAX_ENVIRONMENT, MAX_NOTE};
use driftguard_core::RiskTier;
use driftguard_core::digest::PATTERN as DIGEST_PATTERN;
use driftguard_core::schema::NOT_BLANK;
use driftguard_governance::deploy::MIN_JUSTIFICATION;
use driftguard_governance::metrics::{DRIFT_COLUMN_PREFIX, fixed_metric_names};
use driftguard_governance::policy::{MAX_DESCRIPTION, MAX_NAME, MAX_RULES};
use driftguard_governance::{Op, Severity};
use driftguard_stats::ColumnKind;
use driftguard_stats::drift::DriftMethod;
use serde_json::{Map, Value, json};

use super::{references, simulation};

/// Every body schema of this module, by component name.
pub fn schemas() -> Map<String, Value> {
    [
        ("PolicyDraft", policy_draft()),
        ("Rule", rule()),
        ("DeployRequest", deploy_request()),
        ("RetireRequest", retire_request()),
        ("ApproveOverrideRequest", approve_override_request()),
        ("RejectOverrideRequest", reject_override_request()),
        ("ReferenceEnvelope", reference_envelope()),
        ("EvaluationEnvelope", evaluation_envelope()),
        ("Scenario", simulation::scenario()),
        ("DriftSimulationRequest", simulation::drift_request()),
        ("DriftSimulation", simulation::drift_answer()),
        ("PolicySimulationRequest", simulation::policy_request()),
        ("PolicySimulation", simulation::policy_answer()),
        ("ReferenceUploads", references::uploads_answer()),
    ]
    .into_iter()
    .map(|(name, schema)| (name.to_owned(), schema))
    .collect()
}

pub(super) fn names<T: Copy>(values: &[T], name: impl Fn(T) -> &'static str) -> Vec<&'static str> {
    values.iter().map(|v| name(*v)).collect()
}

fn nullable_text(max: usize) -> Value {
    json!({"type": ["string", "null"], "maxLength": max})
}

/// Every fixed metric name of the catalogue, and the pattern of the per-column ones.
fn metric() -> Value {
    let fixed = fixed_metric_names();
    let methods = names(&DriftMethod::ALL, DriftMethod::as_str).join("|");
    // The column is everything between the prefix and the last dot, and may hold dots.
    let column = format!(
        r"^{}[\s\S]+\.({methods})$",
        DRIFT_COLUMN_PREFIX.replace('.', r"\.")
    );
    json!({
        "description": "A name from the metric catalogue (docs/governance-rules.md)",
        "anyOf": [{"type": "string", "enum": fixed}, {"type": "string", "pattern": column}]
    })
}

fn rule() -> Value {
    json!({
        "type": "object",
        "description": "`metric op threshold` must hold.",
        "additionalProperties": false,
        "required": ["metric", "op", "threshold", "severity"],
        "properties": {
            "metric": metric(),
            "op": {"type": "string", "enum": names(&Op::ALL, Op::as_str)},
            "threshold": {"type": "number"},
            "severity": {"type": "string", "enum": names(&Severity::ALL, Severity::as_str)},
            "required": {"type": "boolean", "default": false,
                         "description": "An evaluation without the metric violates the rule instead of skipping it"}
        }
    })
}

fn policy_draft() -> Value {
    json!({
        "type": "object",
        "description": "What `POST /policies` and `PUT /policies/{id}` take; every change makes a version.",
        "additionalProperties": false,
        "required": ["name", "rules"],
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": MAX_NAME, "pattern": NOT_BLANK},
            "description": nullable_text(MAX_DESCRIPTION),
            "active": {"type": "boolean", "default": true,
                       "description": "`false` saves a draft that judges nothing"},
            "applies_to": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "risk_tiers": {
                        "type": "array",
                        "description": "Empty or absent: every tier",
                        "items": {"type": "string", "enum": names(RiskTier::ALL, RiskTier::as_str)}
                    }
                }
            },
            "rules": {"type": "array", "minItems": 1, "maxItems": MAX_RULES,
                      "items": {"$ref": "#/components/schemas/Rule"}}
        }
    })
}

/// An override needs a justification of at least 20 characters once trimmed: a character
/// that is not white space, 18 or more of any, and another that is not (patterns search).
fn deploy_request() -> Value {
    let inner = MIN_JUSTIFICATION - 2;
    json!({
        "type": "object",
        "description": "No body, or an empty one, is `{\"environment\": \"production\"}`.",
        "additionalProperties": false,
        "properties": {
            "environment": {"type": "string", "minLength": 1, "maxLength": MAX_ENVIRONMENT,
                            "pattern": NOT_BLANK, "default": "production"},
            "override": {"type": "boolean", "default": false,
                         "description": "Deploy a failing model anyway (approver or admin)"},
            "justification": nullable_text(MAX_NOTE),
            "notes": nullable_text(MAX_NOTE),
            "artifact_digest": {"type": ["string", "null"], "pattern": DIGEST_PATTERN,
                                "description": "The model artefact's digest: the subject of the decision's signed attestation (the model version's `artifact_digest` when left out; when both are given they must be equal)"}
        },
        "if": {"required": ["override"], "properties": {"override": {"const": true}}},
        "then": {
            "required": ["justification"],
            "properties": {"justification": {
                "type": "string",
                "pattern": format!(r"\S[\s\S]{{{inner},}}\S")
            }}
        }
    })
}

fn retire_request() -> Value {
    json!({
        "type": "object",
        "description": "No body, or an empty one, retires without notes.",
        "additionalProperties": false,
        "properties": {"notes": nullable_text(MAX_NOTE)}
    })
}

fn approve_override_request() -> Value {
    json!({
        "type": "object",
        "description": "No body, or an empty one, approves without a note.",
        "additionalProperties": false,
        "properties": {"note": nullable_text(MAX_NOTE)}
    })
}

fn reject_override_request() -> Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["reason"],
        "properties": {"reason": {"type": "string", "minLength": 1, "maxLength": MAX_NOTE,
                                  "pattern": NOT_BLANK}}
    })
}

/// A dataset as JSON: `{"columns": {"age": [..]}}` or a list of records.
fn dataset() -> Value {
    json!({
        "description": "The data: `{\"columns\": {name: [values]}}` or a list of records",
        "anyOf": [
            {"type": "object", "required": ["columns"],
             "properties": {"columns": {"type": "object", "additionalProperties": {"type": "array"}}}},
            {"type": "array", "items": {"type": "object"}}
        ]
    })
}

fn drift_method() -> Value {
    json!({"type": "string", "enum": names(&DriftMethod::ALL, DriftMethod::as_str)})
}

fn reference_envelope() -> Value {
    let kinds = [ColumnKind::Numeric, ColumnKind::Categorical];
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["data"],
        "properties": {
            "data": dataset(),
            "kinds": {"type": "object", "description": "Kinds forced by column name",
                      "additionalProperties": {"type": "string", "enum": names(&kinds, ColumnKind::as_str)}}
        }
    })
}

fn evaluation_envelope() -> Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["data"],
        "properties": {
            "data": dataset(),
            "drift_method": {"anyOf": [drift_method(), {"type": "null"}]},
            "drift_threshold": {"type": ["number", "null"], "minimum": 0},
            "column_methods": {"type": "object", "additionalProperties": drift_method()},
            "columns": {"anyOf": [{"$ref": "#/components/schemas/ModelColumns"}, {"type": "null"}]}
        }
    })
}
