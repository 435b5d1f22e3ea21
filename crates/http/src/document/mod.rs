//! The OpenAPI document: what the route annotations say, completed by the error policy that
//! every route shares, so that each status a route can answer is listed with its schema.
//!
//! The policy, by what an operation has:
//! - a request body: 400 (malformed), 413 (too large), 415 (content type), 422 (wrong shape);
//! - query parameters: 422 (a value outside its range or set);
//! - path parameters: 404 (no such resource);
//! - `security`: 401 (no or bad token) and 403 (role too low);
//! - a rate-limit class (every route but `/health/*` and `/metrics`): 429 with `Retry-After`;
//! - every operation: 500, and 503 where the database is involved;
//! - an operation that may write (every method but GET) where the database is involved: 507
//!   (the database's disk is full).
//!
//! A route's own annotation wins where it already names a status (with a better description).

mod bodies;
mod references;
mod simulation;

use crate::middleware::rate_limit_rules::RateLimitSettings;
use crate::routes;
use actix_web::App;
use actix_web::http::Method;
use serde_json::{Value, json};
use utoipa::openapi::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_actix_web::AppExt;

/// Routes that never touch the database, so never answer 503.
const NO_DATABASE: [&str; 4] = [
    "/health/live",
    "/openapi.json",
    "/metrics",
    "/.well-known/driftguard/attestation-keys",
];

/// Routes whose body may be left out (it then means the default request); every other
/// body is required.
const OPTIONAL_BODIES: [(&str, &str); 3] = [
    ("post", "/models/{id}/deploy"),
    ("post", "/models/{id}/retire"),
    ("post", "/override-requests/{id}/approve"),
];

/// The OpenAPI description of every route, as the running server serves it (JSON).
pub fn openapi() -> Value {
    let (_, mut doc) = App::new()
        .into_utoipa_app()
        .configure(routes::configure)
        .split_for_parts();
    doc.info.title = "DriftGuard".into();
    doc.info.version = env!("CARGO_PKG_VERSION").into();
    doc.info.description = Some(
        "Governance gate for machine-learning models: drift, fairness, performance, risk, \
         policies and audited deployments. Every error answers with the `ErrorBody` schema; \
         a known path with a method it does not take answers 405 with `Allow`."
            .into(),
    );
    doc.components
        .get_or_insert_with(Default::default)
        .add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    complete(doc)
}

/// The document with the body schemas a derive cannot state and the shared error policy.
/// Works on the JSON form, which says what utoipa's types cannot (`if`/`then`).
fn complete(doc: OpenApi) -> Value {
    let mut value = serde_json::to_value(&doc).unwrap_or(Value::Null);
    if let Some(Value::Object(schemas)) = value.pointer_mut("/components/schemas") {
        schemas.insert("FieldError".into(), field_error_schema());
        schemas.insert("ErrorBody".into(), error_body_schema());
        schemas.extend(bodies::schemas());
    }
    let limits = RateLimitSettings::default();
    if let Some(Value::Object(paths)) = value.get_mut("paths") {
        for (path, item) in paths.iter_mut() {
            let Value::Object(item) = item else { continue };
            for (method, operation) in item.iter_mut() {
                if let Some(body) = operation.get_mut("requestBody") {
                    let optional = OPTIONAL_BODIES.contains(&(method.as_str(), path.as_str()));
                    body["required"] = Value::Bool(!optional);
                }
                let Ok(method) = method.to_ascii_uppercase().parse::<Method>() else {
                    continue;
                };
                let limited = limits.classify(&method, path).is_some();
                complete_operation(path, method != Method::GET, limited, operation);
            }
        }
    }
    value
}

/// The statuses an operation answers besides its own, by the policy above.
fn shared_statuses(path: &str, writes: bool, limited: bool, operation: &Value) -> Vec<u16> {
    let parameters_in = |place: &str| {
        operation["parameters"]
            .as_array()
            .is_some_and(|ps| ps.iter().any(|p| p["in"] == place))
    };
    let has_body = operation.get("requestBody").is_some();
    let secured = operation["security"]
        .as_array()
        .is_some_and(|s| !s.is_empty());
    let mut statuses = Vec::new();
    if has_body {
        statuses.extend([400, 413, 415, 422]);
    }
    if parameters_in("query") {
        statuses.push(422);
    }
    if parameters_in("path") {
        statuses.push(404);
    }
    if secured {
        statuses.extend([401, 403]);
    }
    if limited {
        statuses.push(429);
    }
    statuses.push(500);
    if !NO_DATABASE.contains(&path) {
        statuses.push(503);
        if writes {
            statuses.push(507);
        }
    }
    statuses
}

fn complete_operation(path: &str, writes: bool, limited: bool, operation: &mut Value) {
    for status in shared_statuses(path, writes, limited, operation) {
        let responses = &mut operation["responses"];
        let key = status.to_string();
        match responses.get_mut(&key) {
            // Named by the route: keep its description, make sure it has the error schema.
            Some(response) => {
                if response.get("content").is_none() {
                    response["content"] = error_content();
                }
            }
            None => responses[key] = error_response(status),
        }
    }
}

fn error_content() -> Value {
    json!({"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}})
}

fn error_response(status: u16) -> Value {
    let description = match status {
        400 => "Malformed body (not JSON, or not what its content type says)",
        401 => "No token, or a bad or expired one",
        403 => "The signed-in role may not do this",
        404 => "No such resource",
        413 => "Body larger than the configured limit",
        415 => "Unsupported content type or content encoding",
        422 => "Well-formed but invalid: `errors` names each field",
        429 => "Rate limit exceeded; `Retry-After` says when to try again",
        503 => {
            "The database is unavailable, or too many expensive requests (uploads, \
                evaluations, sign-ins) run at once; try again shortly (`Retry-After` when busy)"
        }
        507 => "The database's disk is full: nothing was saved; reads still work",
        _ => "Internal error (no details are sent; quote the request id)",
    };
    let mut response = json!({"description": description, "content": error_content()});
    if matches!(status, 429 | 503) {
        response["headers"] = json!({
            "Retry-After": {
                "description": "Seconds until the next request may be accepted",
                "schema": {"type": "integer", "minimum": 0}
            }
        });
    }
    response
}

fn field_error_schema() -> Value {
    json!({
        "type": "object",
        "description": "One invalid field of a request.",
        "required": ["field", "message"],
        "properties": {
            "field": {"type": "string", "description": "The field's path as sent (`rules[2].metric`)"},
            "message": {"type": "string", "description": "What is wrong with it"}
        }
    })
}

fn error_body_schema() -> Value {
    json!({
        "type": "object",
        "description": "The JSON error body of every error. More fields may follow \
                        (`governance_result` on a blocked deploy).",
        "required": ["detail", "code", "request_id"],
        "properties": {
            "detail": {"type": "string", "description": "What went wrong, for a person"},
            "code": {"type": "string", "description": "A stable machine-readable code"},
            "request_id": {"type": "string", "description": "The request's id, to quote when asking for help"},
            "errors": {
                "type": "array",
                "description": "The invalid fields of a 422",
                "items": {"$ref": "#/components/schemas/FieldError"}
            }
        },
        "additionalProperties": true
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document() -> Value {
        openapi()
    }

    #[test]
    fn every_operation_lists_the_shared_errors_with_the_error_schema() {
        let doc = document();
        let create = &doc["paths"]["/models"]["post"]["responses"];
        for status in [
            "400", "401", "403", "413", "415", "422", "429", "500", "503", "507",
        ] {
            assert_eq!(
                create[status]["content"]["application/json"]["schema"]["$ref"],
                "#/components/schemas/ErrorBody",
                "POST /models {status}"
            );
        }
        let get = &doc["paths"]["/models/{id}"]["get"]["responses"];
        assert!(get.get("404").is_some());
        assert!(get.get("415").is_none(), "no body, no 415");
        assert!(get.get("507").is_none(), "a read writes nothing");
        let live = &doc["paths"]["/health/live"]["get"]["responses"];
        assert!(live.get("429").is_none(), "health is not rate limited");
        assert!(live.get("503").is_none());
        assert!(live.get("401").is_none());
        assert!(
            doc["paths"]["/auth/login"]["post"]["responses"]["429"]["headers"]
                .get("Retry-After")
                .is_some()
        );
    }

    #[test]
    fn a_route_keeps_its_own_description() {
        let doc = document();
        let conflict = &doc["paths"]["/models"]["post"]["responses"]["409"];
        assert_eq!(conflict["description"], "name and version taken");
    }
}
