//! The `PolicyRepository` contract, run against every adapter.

mod support;

use driftguard_core::{DomainError, Page, PolicyId, RiskTier};
use driftguard_governance::{AppliesTo, Op, PolicyDraft, PolicyRepository, Rule, Severity};
use driftguard_storage::Store;

fn strict(tiers: Vec<RiskTier>) -> PolicyDraft {
    PolicyDraft {
        name: "strict".into(),
        description: None,
        active: true,
        applies_to: AppliesTo { risk_tiers: tiers },
        rules: vec![Rule::new("risk.score", Op::Le, 50.0, Severity::Block)],
    }
}

async fn a_fresh_database_has_the_default_policy(db: Store) {
    let (all, total) = db.list(Page::default()).await.expect("list");
    assert_eq!(total, 1);
    let default = &all[0];
    let expected = PolicyDraft::default_policy();
    assert_eq!(
        (
            &default.name,
            &default.description,
            &default.applies_to,
            &default.rules
        ),
        (
            &expected.name,
            &expected.description,
            &expected.applies_to,
            &expected.rules
        )
    );
    assert_eq!(
        (default.version, default.active, default.created_by),
        (1, true, None)
    );
    for tier in RiskTier::ALL {
        assert_eq!(db.active_for_tier(*tier).await.expect("active").len(), 1);
    }
}

async fn updates_write_new_versions_and_keep_old_ones(db: Store) {
    let by = support::user(&db).await;
    let created = db.create(strict(vec![]), Some(by)).await.expect("create");
    assert_eq!((created.version, created.created_by), (1, Some(by)));
    let mut draft = strict(vec![RiskTier::High]);
    draft.name = "stricter".into();
    draft.rules[0].threshold = 40.0;
    let second = db.update(created.id, draft.clone()).await.expect("update");
    assert_eq!((second.version, second.name.as_str()), (2, "stricter"));
    assert_eq!(
        (second.created_at, second.created_by),
        (created.created_at, Some(by))
    );
    let third = db.update(created.id, strict(vec![])).await.expect("update");
    assert_eq!(third.version, 3);

    let versions = db.versions(created.id).await.expect("versions");
    let numbers: Vec<i32> = versions.iter().map(|p| p.version).collect();
    assert_eq!(numbers, [1, 2, 3], "no version 4");
    assert_eq!(
        (versions[0].name.as_str(), versions[0].rules[0].threshold),
        ("strict", 50.0),
        "version 1 kept as written"
    );
    assert_eq!(versions[1].rules, draft.rules);
    assert_eq!(db.get(created.id).await.expect("get"), Some(third));
    assert!(
        db.versions(PolicyId(created.id.0 + 100))
            .await
            .expect("versions")
            .is_empty()
    );
    let missing = db
        .update(PolicyId(created.id.0 + 100), strict(vec![]))
        .await;
    assert!(
        matches!(missing, Err(DomainError::NotFound(_))),
        "{missing:?}"
    );
}

async fn active_for_tier_follows_tiers_and_switches(db: Store) {
    let high = db
        .create(strict(vec![RiskTier::High]), None)
        .await
        .expect("create");
    let ids =
        |ps: Vec<driftguard_governance::Policy>| ps.iter().map(|p| p.id.0).collect::<Vec<_>>();
    assert_eq!(
        ids(db.active_for_tier(RiskTier::High).await.expect("a")),
        [1, high.id.0]
    );
    assert_eq!(
        ids(db.active_for_tier(RiskTier::Low).await.expect("a")),
        [1]
    );
    let off = db.set_active(high.id, false).await.expect("switch off");
    assert!(!off.active);
    assert_eq!(off.version, 2, "switching off is an edit: a new version");
    assert_eq!(off.rules, high.rules, "with the same content");
    assert_eq!(
        ids(db.active_for_tier(RiskTier::High).await.expect("a")),
        [1]
    );
    let old = &db.versions(high.id).await.expect("versions")[0];
    assert!(
        (old.version, old.active) == (1, true),
        "version 1 was written active and stays so"
    );
    let again = db
        .set_active(high.id, false)
        .await
        .expect("switch off again");
    assert_eq!(again.version, 2, "no change, no version");
    let on = db.set_active(high.id, true).await.expect("switch on");
    assert_eq!((on.version, on.active), (3, true));
    let versions: Vec<_> = db
        .versions(high.id)
        .await
        .expect("versions")
        .iter()
        .map(|p| (p.version, p.active))
        .collect();
    assert_eq!(versions, [(1, true), (2, false), (3, true)]);
    let mut draft = strict(vec![RiskTier::High]);
    draft.active = false;
    let edited = db.update(high.id, draft).await.expect("update");
    assert_eq!((edited.version, edited.active), (4, false));
    assert_eq!(
        ids(db.active_for_tier(RiskTier::High).await.expect("a")),
        [1],
        "an edit that switches a policy off takes it out of judging"
    );
    let (page, total) = db.list(Page::new(1, 1).expect("page")).await.expect("list");
    assert_eq!((page[0].id, total), (high.id, 2));
    assert!(matches!(
        db.set_active(PolicyId(999), true).await,
        Err(DomainError::NotFound(_))
    ));
}

/// A policy saved with `active: false` is a draft: stored and versioned, judging nothing.
async fn a_draft_is_saved_inactive(db: Store) {
    let mut draft = strict(vec![]);
    draft.active = false;
    let saved = db.create(draft, None).await.expect("create");
    assert_eq!((saved.version, saved.active), (1, false));
    let read = db.get(saved.id).await.expect("get").expect("present");
    assert!(!read.active);
    let judging: Vec<_> = db
        .active_for_tier(RiskTier::Low)
        .await
        .expect("active")
        .iter()
        .map(|p| p.id.0)
        .collect();
    assert_eq!(judging, [1]);
}

driftguard_test_kit::per_backend!(
    driftguard_test_kit::with_store =>
    a_draft_is_saved_inactive,
    a_fresh_database_has_the_default_policy,
    updates_write_new_versions_and_keep_old_ones,
    active_for_tier_follows_tiers_and_switches,
);
