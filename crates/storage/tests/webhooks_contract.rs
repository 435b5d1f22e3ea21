//! The `WebhookStore` contract, run against every adapter: endpoints, the outbox rows the
//! store's commands write in their own transactions (one delivery per subscribed active
//! endpoint), claims that hand a delivery to one claimant at a time and again after its lease
//! ran out, and the delivery log.

mod support;

use std::collections::BTreeSet;
use std::time::Duration;

use driftguard_app::ports::webhooks::{
    AttemptResult, DeliveryState, EndpointPatch, NewEndpoint, WebhookFormat, WebhookStore,
};
use driftguard_app::webhooks::event::{EventKind, OutboxEvent, PolicyChange};
use driftguard_app::webhooks::signature::WebhookSecret;
use driftguard_app::{DeploymentStore, EvaluationRepository, NewEvaluation, ViolationCounts};
use driftguard_audit::{NewDeployment, Outcome};
use driftguard_core::{DomainError, Page, PolicyId, UserId, WebhookId, now};
use driftguard_governance::{PolicyDraft, PolicyRepository, Status};
use driftguard_storage::Store;
use serde_json::json;

const LEASE: Duration = Duration::from_secs(60);

fn page() -> Page {
    Page::new(0, 100).expect("a page")
}

async fn endpoint(store: &Store, by: UserId, events: Vec<EventKind>) -> WebhookId {
    store
        .create_endpoint(NewEndpoint {
            url: "https://hooks.example.com/in".into(),
            events,
            format: WebhookFormat::Json,
            description: Some("test".into()),
            secret: WebhookSecret::generate().expect("secret"),
            created_by: by,
            created_at: now(),
        })
        .await
        .expect("endpoint")
        .id
}

async fn log(store: &Store, id: WebhookId) -> Vec<(EventKind, DeliveryState)> {
    let (lines, total) = store.list_deliveries(id, page()).await.expect("log");
    assert_eq!(usize::try_from(total).expect("small"), lines.len());
    lines.iter().map(|l| (l.event, l.state)).collect()
}

fn policy_event() -> OutboxEvent {
    OutboxEvent::policy_changed(PolicyId(1), "p", 2, true, PolicyChange::Updated)
}

async fn endpoints_are_stored_changed_and_removed(store: Store) {
    let by = support::user(&store).await;
    let secret = WebhookSecret::generate().expect("secret");
    let created = store
        .create_endpoint(NewEndpoint {
            url: "https://hooks.example.com/a".into(),
            events: vec![EventKind::DeploymentBlocked, EventKind::PolicyChanged],
            format: WebhookFormat::Slack,
            description: None,
            secret: secret.clone(),
            created_by: by,
            created_at: now(),
        })
        .await
        .expect("create");
    assert!(created.active);
    assert_eq!(created.secret, secret, "kept to sign with");
    let read = store
        .get_endpoint(created.id)
        .await
        .expect("get")
        .expect("present");
    assert_eq!(
        (read.url.as_str(), read.format),
        ("https://hooks.example.com/a", WebhookFormat::Slack)
    );
    assert_eq!(read.events, created.events);
    let changed = store
        .update_endpoint(
            created.id,
            EndpointPatch {
                url: Some("https://hooks.example.com/b".into()),
                events: Some(vec![EventKind::EvaluationFailed]),
                active: Some(false),
            },
        )
        .await
        .expect("update");
    assert_eq!(changed.url, "https://hooks.example.com/b");
    assert_eq!(changed.events, [EventKind::EvaluationFailed]);
    assert!(!changed.active);
    assert_eq!(changed.secret, secret, "a change keeps the secret");
    let (all, total) = store.list_endpoints(page()).await.expect("list");
    assert_eq!((all.len(), total), (1, 1));
    store.delete_endpoint(created.id).await.expect("delete");
    assert!(store.get_endpoint(created.id).await.expect("get").is_none());
    for missing in [
        store.delete_endpoint(created.id).await.expect_err("gone"),
        store
            .update_endpoint(created.id, EndpointPatch::default())
            .await
            .expect_err("gone"),
    ] {
        assert!(matches!(missing, DomainError::NotFound(_)), "{missing:?}");
    }
}

/// Each command's event reaches the active endpoints subscribed to it, once each.
async fn commands_put_their_events_in_the_outbox(store: Store) {
    let by = support::user(&store).await;
    let policies = endpoint(&store, by, vec![EventKind::PolicyChanged]).await;
    let deploys = endpoint(&store, by, vec![EventKind::DeploymentBlocked]).await;
    let evaluations = endpoint(
        &store,
        by,
        vec![EventKind::EvaluationFailed, EventKind::EvaluationWarned],
    )
    .await;
    let off = endpoint(&store, by, vec![EventKind::PolicyChanged]).await;
    store
        .update_endpoint(
            off,
            EndpointPatch {
                active: Some(false),
                ..EndpointPatch::default()
            },
        )
        .await
        .expect("switch off");

    let policy = PolicyRepository::create(&store, PolicyDraft::default_policy(), Some(by))
        .await
        .expect("policy");
    store
        .set_active(policy.id, false)
        .await
        .expect("switch off");
    let model = support::model(&store, by, "fraud", "1.2").await;
    store
        .record_blocked(NewDeployment {
            model_id: model.id,
            deployed_at: now(),
            deployed_by: by,
            environment: "production".into(),
            previous_status: "registered".into(),
            new_status: "registered".into(),
            outcome: Outcome::Blocked,
            governance_result: json!({"status": "fail", "risk_score": 80.0}),
            override_used: false,
            override_reason: None,
            notes: None,
            policy_versions: json!([]),
            artifact_digest: None,
            override_request_id: None,
            override_requested_by: None,
        })
        .await
        .expect("blocked");
    for status in [Status::Pass, Status::Warn, Status::Fail] {
        let body = json!({"status": status.as_str(), "metrics": {}});
        store
            .record(NewEvaluation {
                model_id: model.id,
                created_by: by,
                created_at: now(),
                status,
                risk_score: 50.0,
                policy_versions: vec![],
                violations: ViolationCounts::default(),
                body: body.as_object().cloned().expect("an object"),
            })
            .await
            .expect("evaluation");
    }

    use DeliveryState::Pending;
    assert_eq!(
        log(&store, policies).await,
        [
            (EventKind::PolicyChanged, Pending),
            (EventKind::PolicyChanged, Pending)
        ]
    );
    assert_eq!(
        log(&store, deploys).await,
        [(EventKind::DeploymentBlocked, Pending)]
    );
    // Newest first; the passing evaluation raised nothing.
    assert_eq!(
        log(&store, evaluations).await,
        [
            (EventKind::EvaluationFailed, Pending),
            (EventKind::EvaluationWarned, Pending)
        ]
    );
    assert!(
        log(&store, off).await.is_empty(),
        "an inactive endpoint gets nothing"
    );

    let claimed = store.claim_due(now(), 100, LEASE).await.expect("claim");
    let blocked = claimed
        .iter()
        .find(|c| c.event.kind == EventKind::DeploymentBlocked)
        .expect("the blocked deploy");
    assert_eq!(blocked.event.data["model_name"], "fraud");
    assert_eq!(blocked.event.data["model_version"], "1.2");
    assert_eq!(blocked.event.data["risk_score"], 80.0);
    let policy_versions: BTreeSet<i64> = claimed
        .iter()
        .filter(|c| c.event.kind == EventKind::PolicyChanged)
        .filter_map(|c| c.event.data["version"].as_i64())
        .collect();
    assert_eq!(policy_versions, BTreeSet::from([1, 2]));
}

/// A claim holds a delivery until it is finished or its lease runs out; then it is claimed
/// again (at least once). `finish` needs the claim's token.
async fn claims_lease_retry_and_finish(store: Store) {
    let by = support::user(&store).await;
    let id = endpoint(&store, by, vec![EventKind::PolicyChanged]).await;
    assert_eq!(store.enqueue(policy_event()).await.expect("enqueue"), 1);
    let first = store.claim_due(now(), 10, LEASE).await.expect("claim");
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].attempts, 1);
    assert!(
        store
            .claim_due(now(), 10, LEASE)
            .await
            .expect("claim")
            .is_empty(),
        "leased"
    );
    // The claimant died: after the lease another claims it, as a second attempt.
    let later = now() + chrono::Duration::seconds(61);
    let second = store.claim_due(later, 10, LEASE).await.expect("claim");
    assert_eq!((second.len(), second[0].attempts), (1, 2));
    assert_eq!(
        second[0].event, first[0].event,
        "the same event, id included"
    );
    let stale = AttemptResult::Failed {
        status: None,
        error: Some("late".into()),
    };
    assert!(
        !store
            .finish(first[0].id, &first[0].lease_token, stale)
            .await
            .expect("finish")
    );
    let retry_at = now() + chrono::Duration::seconds(300);
    let retry = AttemptResult::Retry {
        status: Some(503),
        error: None,
        next_attempt_at: retry_at,
    };
    assert!(
        store
            .finish(second[0].id, &second[0].lease_token, retry)
            .await
            .expect("finish")
    );
    let (lines, _) = store.list_deliveries(id, page()).await.expect("log");
    assert_eq!(lines[0].last_status, Some(503));
    assert_eq!(lines[0].state, DeliveryState::Pending);
    assert!(lines[0].next_attempt_at.is_some());
    assert!(
        store
            .claim_due(later, 10, LEASE)
            .await
            .expect("claim")
            .is_empty(),
        "not due"
    );
    let third = store
        .claim_due(retry_at + chrono::Duration::seconds(1), 10, LEASE)
        .await
        .expect("claim");
    assert_eq!(third[0].attempts, 3);
    let done = AttemptResult::Delivered {
        status: 204,
        at: now(),
    };
    assert!(
        store
            .finish(third[0].id, &third[0].lease_token, done)
            .await
            .expect("finish")
    );
    let (lines, _) = store.list_deliveries(id, page()).await.expect("log");
    let line = &lines[0];
    assert_eq!(
        (line.state, line.attempts, line.last_status),
        (DeliveryState::Delivered, 3, Some(204))
    );
    assert!(line.delivered_at.is_some() && line.next_attempt_at.is_none());
    let far = now() + chrono::Duration::days(2);
    assert!(
        store
            .claim_due(far, 10, LEASE)
            .await
            .expect("claim")
            .is_empty(),
        "delivered"
    );
}

/// Claimants running at once never get the same delivery.
async fn concurrent_claims_do_not_overlap(store: Store) {
    let by = support::user(&store).await;
    endpoint(&store, by, vec![EventKind::PolicyChanged]).await;
    for _ in 0..12 {
        store.enqueue(policy_event()).await.expect("enqueue");
    }
    let claim =
        |store: Store| async move { store.claim_due(now(), 5, LEASE).await.expect("claim") };
    let (a, b, c) = tokio::join!(
        claim(store.clone()),
        claim(store.clone()),
        claim(store.clone())
    );
    let ids: Vec<i64> = a.iter().chain(&b).chain(&c).map(|d| d.id).collect();
    let distinct: BTreeSet<i64> = ids.iter().copied().collect();
    assert_eq!(
        distinct.len(),
        ids.len(),
        "a delivery claimed twice: {ids:?}"
    );
    assert_eq!(ids.len(), 12, "all due deliveries claimed");
}

/// Removing an endpoint removes its deliveries; an event nobody wants stores nothing.
async fn removing_an_endpoint_removes_its_log(store: Store) {
    let by = support::user(&store).await;
    assert_eq!(store.enqueue(policy_event()).await.expect("enqueue"), 0);
    let id = endpoint(&store, by, vec![EventKind::PolicyChanged]).await;
    store.enqueue(policy_event()).await.expect("enqueue");
    store.delete_endpoint(id).await.expect("delete");
    assert!(
        store
            .claim_due(now(), 10, LEASE)
            .await
            .expect("claim")
            .is_empty()
    );
}

driftguard_test_kit::per_backend!(
    driftguard_test_kit::with_store =>
    endpoints_are_stored_changed_and_removed,
    commands_put_their_events_in_the_outbox,
    claims_lease_retry_and_finish,
    concurrent_claims_do_not_overlap,
    removing_an_endpoint_removes_its_log,
);
