//! The registry exposes every metric of the seed plan under its exact name.

use std::time::Duration;

use driftguard_observability::{DeploymentOutcome, Metrics, PoolGauges, ViolationKind};

#[test]
fn every_metric_is_exposed_with_its_labels() {
    let metrics = Metrics::new().expect("registry");
    metrics.observe_request("GET", "/models/{id}", 200, Duration::from_millis(30));
    metrics.record_deployment(DeploymentOutcome::Override);
    metrics.record_violation(ViolationKind::Fairness);
    metrics.set_database_pool(PoolGauges {
        active: 3,
        idle: 2,
        max: 20,
    });
    metrics.cache_lookup("dashboard_summary", true);
    metrics.cache_lookup("policies", false);
    metrics.rate_limited("auth_login");
    let text = metrics.render();
    for expected in [
        r#"app_requests_total{endpoint="/models/{id}",method="GET",status="200"} 1"#,
        r#"app_request_duration_seconds_bucket{endpoint="/models/{id}",le="0.05"} 1"#,
        r#"app_request_duration_seconds_bucket{endpoint="/models/{id}",le="0.01"} 0"#,
        r#"model_deployments_total{status="override"} 1"#,
        r#"model_deployments_total{status="success"} 0"#,
        r#"governance_violations_total{type="fairness"} 1"#,
        r#"governance_violations_total{type="performance"} 0"#,
        "database_connections_active 3",
        "database_connections_idle 2",
        "database_connections_max 20",
        r#"cache_hits_total{key_class="dashboard_summary"} 1"#,
        r#"cache_misses_total{key_class="policies"} 1"#,
        r#"rate_limited_total{class="auth_login"} 1"#,
    ] {
        assert!(text.contains(expected), "missing {expected}:\n{text}");
    }
    #[cfg(target_os = "linux")]
    assert!(text.contains("process_resident_memory_bytes"));
}

#[test]
fn instances_do_not_share_counts_and_clones_do() {
    let a = Metrics::new().expect("registry");
    let b = Metrics::new().expect("registry");
    a.clone().rate_limited("default");
    assert!(
        a.render()
            .contains(r#"rate_limited_total{class="default"} 1"#)
    );
    assert!(!b.render().contains("rate_limited_total{"));
}
