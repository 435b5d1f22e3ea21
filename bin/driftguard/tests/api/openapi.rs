//! `/openapi.json` describes every route the server answers.

use crate::helpers::TestApp;
use driftguard_test_kit::per_backend;

/// Every (method, path) the server routes; a new route must be added here and documented.
const ROUTES: &[(&str, &str)] = &[
    ("post", "/auth/register"),
    ("post", "/auth/login"),
    ("get", "/auth/me"),
    ("post", "/auth/logout"),
    ("get", "/users"),
    ("put", "/users/{id}/role"),
    ("get", "/users/{id}/role-changes"),
    ("post", "/users/{id}/sessions/revoke"),
    ("post", "/models"),
    ("get", "/models"),
    ("get", "/models/{id}"),
    ("patch", "/models/{id}"),
    ("delete", "/models/{id}"),
    ("put", "/models/{id}/reference"),
    ("get", "/models/{id}/reference"),
    ("get", "/models/{id}/reference/uploads"),
    ("post", "/models/{id}/evaluations"),
    ("get", "/models/{id}/evaluations"),
    ("get", "/evaluations/{id}"),
    ("post", "/models/{id}/deploy"),
    ("post", "/models/{id}/retire"),
    ("get", "/models/{id}/deployments"),
    ("get", "/deployments"),
    ("get", "/audit/verify"),
    ("get", "/deployments/{id}/attestation"),
    ("get", "/override-requests"),
    ("get", "/override-requests/{id}"),
    ("post", "/override-requests/{id}/approve"),
    ("post", "/override-requests/{id}/reject"),
    ("get", "/.well-known/driftguard/attestation-keys"),
    ("get", "/policies"),
    ("post", "/policies"),
    ("get", "/policies/{id}"),
    ("put", "/policies/{id}"),
    ("delete", "/policies/{id}"),
    ("get", "/policies/{id}/versions"),
    ("get", "/dashboard/summary"),
    ("get", "/dashboard/compliance-distribution"),
    ("get", "/dashboard/risk-trends"),
    ("post", "/simulation/drift"),
    ("post", "/simulation/policy"),
    ("post", "/webhooks"),
    ("get", "/webhooks"),
    ("get", "/webhooks/{id}"),
    ("patch", "/webhooks/{id}"),
    ("delete", "/webhooks/{id}"),
    ("get", "/webhooks/{id}/deliveries"),
    ("get", "/health/live"),
    ("get", "/health/ready"),
    ("get", "/metrics"),
    ("get", "/openapi.json"),
];

/// Every `$ref` in `value`.
fn collect_refs(value: &serde_json::Value, refs: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v.as_str()) {
                    ("$ref", Some(target)) => refs.push(target.to_owned()),
                    _ => collect_refs(v, refs),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_refs(v, refs)),
        _ => {}
    }
}

async fn every_route_is_documented(app: TestApp) {
    let doc: serde_json::Value = app
        .client
        .get(app.url("/openapi.json"))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    let paths = doc["paths"].as_object().expect("paths");
    let documented: usize = paths
        .values()
        .map(|p| p.as_object().map_or(0, |m| m.len()))
        .sum();
    for (method, path) in ROUTES {
        assert!(
            paths.get(*path).and_then(|p| p.get(*method)).is_some(),
            "{method} {path} is not documented"
        );
    }
    assert_eq!(
        documented,
        ROUTES.len(),
        "a documented route is missing from ROUTES"
    );
    let mut refs = Vec::new();
    collect_refs(&doc, &mut refs);
    for target in refs {
        assert!(
            doc.pointer(target.trim_start_matches('#')).is_some(),
            "{target} is referenced but not defined"
        );
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    for schema in [
        "DriftSimulationRequest",
        "Scenario",
        "DriftSimulation",
        "PolicySimulationRequest",
        "PolicySimulation",
        "ReferenceUploads",
    ] {
        assert!(
            doc["components"]["schemas"][schema].is_object(),
            "{schema} is not in the document"
        );
    }
    let drift = &paths["/simulation/drift"]["post"];
    assert_eq!(
        drift["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/DriftSimulationRequest"
    );
    assert!(drift["responses"].get("429").is_some(), "rate limited");
    let uploads = &paths["/models/{id}/reference/uploads"]["get"];
    assert_eq!(
        uploads["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/ReferenceUploads"
    );
}

per_backend!(
    crate::helpers::with_app =>every_route_is_documented);
