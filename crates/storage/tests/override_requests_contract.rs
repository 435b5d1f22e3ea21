//! The `OverrideRequestStore` contract, run against every adapter: a request is stored and
//! chained, bound to the judgement it overrides; of two concurrent approvals exactly one
//! deploys; an expired or stale request lapses (recorded) instead of being decided; a
//! rejection is recorded; and the chain verifies after all of it.

mod support;

use driftguard_app::{
    DecideOverride, DeploymentStore, NewOverrideRequest, OverrideAction, OverrideDecided,
    OverrideFilter, OverrideRequest, OverrideRequestStore, OverrideStatus, RetireCommand,
};
use driftguard_audit::{DeploymentLog, Outcome, verify_log};
use driftguard_core::{DomainError, ModelId, Page, RiskTier, Role, UserId, now};
use driftguard_governance::{GovernanceResult, Judgement, PolicyRepository};
use driftguard_registry::{ModelRepository, ModelStatus};
use driftguard_storage::Store;
use driftguard_test_kit::chain_key;

const JUSTIFICATION: &str = "accepted by the risk board, ticket RISK-42";

/// A second user besides [`support::user`].
async fn another_user(db: &Store) -> UserId {
    driftguard_test_kit::user(db, "second@example.com", Role::Approver).await
}

/// A request of `by` to override the failing result of `model` (never evaluated), judged by
/// the policies active now, expiring after `expiry`.
async fn new_request(
    db: &Store,
    model: ModelId,
    by: UserId,
    expiry: chrono::Duration,
) -> NewOverrideRequest {
    let policies = db.active_for_tier(RiskTier::High).await.expect("policies");
    let at = now();
    NewOverrideRequest {
        model_id: model,
        environment: "production".into(),
        governance_result: GovernanceResult::new(
            Judgement::no_evaluation(&policies, RiskTier::High),
            None,
        ),
        justification: JUSTIFICATION.into(),
        notes: Some("release 7".into()),
        artifact_digest: None,
        requested_by: by,
        requested_at: at,
        expires_at: at + expiry,
    }
}

fn decision(request: &OverrideRequest, by: UserId, action: OverrideAction) -> DecideOverride {
    DecideOverride {
        id: request.id,
        by,
        at: now(),
        action,
    }
}

fn approve() -> OverrideAction {
    OverrideAction::Approve {
        note: Some("second pair of eyes".into()),
    }
}

async fn assert_chain_verifies(db: &Store) {
    let report = verify_log(db, &chain_key(), 100).await.expect("verify");
    assert!(report.ok, "{report:?}");
}

async fn a_request_is_stored_chained_and_listed(db: Store) {
    let owner = support::user(&db).await;
    let model = support::model(&db, owner, "credit", "1").await;
    let asked = new_request(&db, model.id, owner, chrono::Duration::hours(24)).await;
    let (request, row) = db.request_override(asked.clone()).await.expect("request");
    assert_eq!(request.status, OverrideStatus::Pending);
    assert_eq!(
        (
            request.model_id,
            request.requested_by,
            request.evaluation_id
        ),
        (model.id, owner, None)
    );
    assert_eq!(
        request.policy_versions,
        asked.governance_result.policy_versions
    );
    assert_eq!(request.justification, JUSTIFICATION);
    assert_eq!(row.entry.outcome, Outcome::OverrideRequested);
    assert_eq!(row.entry.override_request_id, Some(request.id));
    assert_eq!(row.entry.override_requested_by, Some(owner));
    assert_eq!(row.entry.override_reason.as_deref(), Some(JUSTIFICATION));
    assert_eq!(row.entry.new_status, "registered");
    assert_eq!(db.chain_after(None, 10).await.expect("chain"), [row]);

    let read = db
        .override_request(request.id, now())
        .await
        .expect("read")
        .expect("found");
    assert_eq!(read, request);
    let page = Page::default();
    let pending = OverrideFilter {
        status: Some(OverrideStatus::Pending),
        model_id: Some(model.id),
    };
    let (listed, total) = db
        .override_requests(&pending, now(), page)
        .await
        .expect("list");
    assert_eq!((listed, total), (vec![request.clone()], 1));
    let approved = OverrideFilter {
        status: Some(OverrideStatus::Approved),
        model_id: None,
    };
    assert_eq!(
        db.override_requests(&approved, now(), page)
            .await
            .expect("list")
            .1,
        0
    );

    // The same judgement cannot be asked for twice while the first waits.
    let twice = db.request_override(asked).await;
    assert!(matches!(twice, Err(DomainError::Conflict(_))), "{twice:?}");
    assert_chain_verifies(&db).await;
}

async fn of_two_concurrent_approvals_exactly_one_deploys(db: Store) {
    let requester = support::user(&db).await;
    let approver = another_user(&db).await;
    let model = support::model(&db, requester, "credit", "1").await;
    let asked = new_request(&db, model.id, requester, chrono::Duration::hours(24)).await;
    let (request, _) = db.request_override(asked).await.expect("request");
    let (first, second) = tokio::join!(
        db.decide_override(decision(&request, approver, approve())),
        db.decide_override(decision(&request, approver, approve())),
    );
    let results = [first, second];
    let approved: Vec<_> = results
        .iter()
        .filter_map(|r| match r {
            Ok(OverrideDecided::Approved {
                request,
                model,
                rows,
            }) => Some((request, model, rows)),
            _ => None,
        })
        .collect();
    assert_eq!(approved.len(), 1, "{results:?}");
    assert!(
        results
            .iter()
            .any(|r| matches!(r, Err(DomainError::Conflict(m)) if m.contains("already approved"))),
        "{results:?}"
    );
    let (decided, deployed, rows) = approved[0];
    assert_eq!(decided.status, OverrideStatus::Approved);
    assert_eq!(decided.decided_by, Some(approver));
    assert_eq!(deployed.status, ModelStatus::Deployed);
    let row = &rows[0];
    assert_eq!(decided.deployment_id, Some(row.id));
    assert_eq!(row.entry.outcome, Outcome::Overridden);
    assert!(row.entry.override_used);
    assert_eq!(
        (row.entry.deployed_by, row.entry.override_requested_by),
        (approver, Some(requester))
    );
    assert_eq!(row.entry.override_reason.as_deref(), Some(JUSTIFICATION));
    assert_eq!(row.entry.notes.as_deref(), Some("second pair of eyes"));
    let overridden = db
        .chain_after(None, 10)
        .await
        .expect("chain")
        .into_iter()
        .filter(|r| r.entry.outcome == Outcome::Overridden)
        .count();
    assert_eq!(overridden, 1);
    assert_chain_verifies(&db).await;
}

async fn an_expired_request_lapses_instead_of_being_decided(db: Store) {
    let requester = support::user(&db).await;
    let approver = another_user(&db).await;
    let model = support::model(&db, requester, "credit", "1").await;
    let asked = new_request(&db, model.id, requester, chrono::Duration::zero()).await;
    let (request, _) = db.request_override(asked).await.expect("request");
    // Past its expiry it reads as expired, in the filters too.
    let read = db
        .override_request(request.id, now())
        .await
        .expect("read")
        .expect("found");
    assert_eq!(read.status, OverrideStatus::Expired);
    let filter = |status| OverrideFilter {
        status: Some(status),
        model_id: Some(model.id),
    };
    let count = async |status| {
        db.override_requests(&filter(status), now(), Page::default())
            .await
            .expect("list")
            .1
    };
    assert_eq!(
        (
            count(OverrideStatus::Pending).await,
            count(OverrideStatus::Expired).await
        ),
        (0, 1)
    );

    let lapsed = db
        .decide_override(decision(&request, approver, approve()))
        .await
        .expect("decided");
    let OverrideDecided::Lapsed {
        request: expired,
        row,
        reason,
    } = lapsed
    else {
        panic!("expected Lapsed, got {lapsed:?}");
    };
    assert!(reason.contains("expired"), "{reason}");
    assert_eq!(expired.status, OverrideStatus::Expired);
    assert_eq!(row.entry.outcome, Outcome::OverrideExpired);
    assert_eq!(row.entry.deployed_by, approver);
    let model_now = ModelRepository::get(&db, model.id)
        .await
        .expect("get")
        .expect("model");
    assert_eq!(model_now.status, ModelStatus::Registered);
    let again = db
        .decide_override(decision(
            &request,
            approver,
            OverrideAction::Reject {
                reason: "too late".into(),
            },
        ))
        .await;
    assert!(
        matches!(&again, Err(DomainError::Conflict(m)) if m.contains("already expired")),
        "{again:?}"
    );
    assert_chain_verifies(&db).await;
}

async fn a_stale_request_is_voided_and_a_rejection_recorded(db: Store) {
    let requester = support::user(&db).await;
    let approver = another_user(&db).await;
    let retired = support::model(&db, requester, "credit", "1").await;
    let kept = support::model(&db, requester, "credit", "2").await;
    let day = chrono::Duration::hours(24);
    let (stale, _) = db
        .request_override(new_request(&db, retired.id, requester, day).await)
        .await
        .expect("request");
    let (rejected, _) = db
        .request_override(new_request(&db, kept.id, requester, day).await)
        .await
        .expect("request");
    db.retire(RetireCommand {
        model_id: retired.id,
        retired_at: now(),
        retired_by: requester,
        environment: "production".into(),
        notes: None,
    })
    .await
    .expect("retire");

    let voided = db
        .decide_override(decision(&stale, approver, approve()))
        .await
        .expect("decided");
    let OverrideDecided::Lapsed { request, row, .. } = voided else {
        panic!("expected Lapsed, got {voided:?}");
    };
    assert_eq!(request.status, OverrideStatus::Voided);
    assert_eq!(row.entry.outcome, Outcome::OverrideVoided);

    let reason = "the fairness gap is too wide";
    let decided = db
        .decide_override(decision(
            &rejected,
            approver,
            OverrideAction::Reject {
                reason: reason.into(),
            },
        ))
        .await
        .expect("decided");
    let OverrideDecided::Rejected { request, row } = decided else {
        panic!("expected Rejected, got {decided:?}");
    };
    assert_eq!(
        (request.status, request.decision_note.as_deref()),
        (OverrideStatus::Rejected, Some(reason))
    );
    assert_eq!(
        (row.entry.outcome, row.entry.notes.as_deref()),
        (Outcome::OverrideRejected, Some(reason))
    );
    let late = db
        .decide_override(decision(&rejected, approver, approve()))
        .await;
    assert!(matches!(late, Err(DomainError::Conflict(_))), "{late:?}");
    let kept_now = ModelRepository::get(&db, kept.id)
        .await
        .expect("get")
        .expect("model");
    assert_eq!(kept_now.status, ModelStatus::Registered);
    assert_chain_verifies(&db).await;
}

driftguard_test_kit::per_backend!(
    driftguard_test_kit::with_store =>
    a_request_is_stored_chained_and_listed,
    of_two_concurrent_approvals_exactly_one_deploys,
    an_expired_request_lapses_instead_of_being_decided,
    a_stale_request_is_voided_and_a_rejection_recorded,
);
