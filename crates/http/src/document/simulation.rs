//! The schemas of `/simulation/*`, from the same bounds the simulation checks.

use driftguard_core::RiskTier;
use driftguard_governance::Status;
use driftguard_governance::simulation::{MAX_FACTOR, MAX_SCENARIOS, MAX_SWEEP_VALUES};
use serde_json::{Value, json};

use super::bodies::names;

/// One number in `[min, max]`, or a list of 1 to `MAX_SWEEP_VALUES` of them.
fn values(min: f64, max: f64) -> Value {
    let number = json!({"type": "number", "minimum": min, "maximum": max});
    json!({"anyOf": [
        number,
        {"type": "array", "minItems": 1, "maxItems": MAX_SWEEP_VALUES, "items": number}
    ]})
}

/// The four operations; a scenario gives exactly one of them not null.
const OPERATIONS: [&str; 4] = ["shift", "scale", "missing_rate", "move"];

pub(super) fn scenario() -> Value {
    let one_of: Vec<Value> = OPERATIONS
        .iter()
        .map(|op| json!({"required": [op], "properties": {*op: {"not": {"type": "null"}}}}))
        .collect();
    let nullable = |schema: Value| json!({"anyOf": [schema, {"type": "null"}]});
    json!({
        "type": "object",
        "description": "One change to the drawn rows: exactly one of shift, scale, missing_rate, \
                        move. At most one scenario of a request may give a list of values (a sweep).",
        "additionalProperties": false,
        "required": ["column"],
        "oneOf": one_of,
        "properties": {
            "column": {"type": "string", "description": "A column of the model's reference data"},
            "shift": nullable(values(-MAX_FACTOR, MAX_FACTOR)),
            "scale": nullable(values(-MAX_FACTOR, MAX_FACTOR)),
            "missing_rate": nullable(values(0.0, 1.0)),
            "move": nullable(json!({
                "type": "object",
                "additionalProperties": false,
                "required": ["from", "to", "fraction"],
                "properties": {
                    "from": {"type": "string"},
                    "to": {"type": "string"},
                    "fraction": values(0.0, 1.0)
                }
            }))
        }
    })
}

pub(super) fn drift_request() -> Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["model_id", "scenarios"],
        "properties": {
            "model_id": {"type": "integer", "format": "int64"},
            "rows": {"type": ["integer", "null"], "minimum": 1,
                     "description": "Rows to draw; absent: the reference's row count. At most the \
                                     upload row limit, and no more cells than the upload size limit holds"},
            "seed": {"type": ["integer", "null"], "minimum": 0, "maximum": u64::MAX,
                     "description": "Seed of the ChaCha20 generator; absent: 0"},
            "scenarios": {"type": "array", "maxItems": MAX_SCENARIOS,
                          "items": {"$ref": "#/components/schemas/Scenario"}}
        }
    })
}

pub(super) fn drift_answer() -> Value {
    json!({
        "type": "object",
        "description": "Without a list-valued scenario, the evaluation's fields (drift, fairness, \
                        performance, risk, metrics, status, violations, skipped_rules, \
                        policy_versions); with one, `sweep`, `results` (one evaluation per value, \
                        with its `value`) and `tipping_point`.",
        "required": ["simulated", "model_id", "rows", "seed", "scenarios"],
        "properties": {
            "simulated": {"const": true},
            "model_id": {"type": "integer"},
            "rows": {"type": "integer", "minimum": 1},
            "seed": {"type": "integer", "minimum": 0},
            "scenarios": {"type": "array", "items": {"$ref": "#/components/schemas/Scenario"}},
            "status": status(),
            "results": {"type": "array", "items": {"type": "object", "required": ["value", "status"]}},
            "tipping_point": {"anyOf": [{"type": "null"}, {
                "type": "object",
                "required": ["value", "index", "from", "to"],
                "properties": {"value": {"type": "number"}, "index": {"type": "integer"},
                               "from": status(), "to": status()}
            }]}
        }
    })
}

fn status() -> Value {
    json!({"type": "string", "enum": names(&Status::ALL, Status::as_str)})
}

pub(super) fn policy_request() -> Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["policy"],
        "properties": {
            "policy": {"$ref": "#/components/schemas/PolicyDraft"},
            "replaces_policy_id": {"type": ["integer", "null"], "format": "int64",
                                   "description": "A stored policy the draft stands in for (404 if none)"}
        }
    })
}

pub(super) fn policy_answer() -> Value {
    json!({
        "type": "object",
        "required": ["simulated", "models_evaluated", "changed", "by_transition", "models"],
        "properties": {
            "simulated": {"const": true},
            "models_evaluated": {"type": "integer", "minimum": 0},
            "changed": {"type": "integer", "minimum": 0},
            "by_transition": {"type": "object", "description": "`\"pass->fail\"`: count",
                              "additionalProperties": {"type": "integer", "minimum": 1}},
            "models": {"type": "array", "items": {
                "type": "object",
                "required": ["model_id", "name", "version", "risk_tier", "evaluation_id",
                             "current_status", "proposed_status"],
                "properties": {
                    "model_id": {"type": "integer"},
                    "name": {"type": "string"},
                    "version": {"type": "string"},
                    "risk_tier": {"type": "string", "enum": names(RiskTier::ALL, RiskTier::as_str)},
                    "evaluation_id": {"type": "integer"},
                    "current_status": status(),
                    "proposed_status": status()
                }
            }}
        }
    })
}
