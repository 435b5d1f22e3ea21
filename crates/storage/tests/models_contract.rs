//! The `ModelRepository` contract, run against every adapter.

use driftguard_auth::{NewUser, UserRepository};
use driftguard_core::{ArtifactDigest, DomainError, ModelId, Page, RiskTier, Role, Task, UserId};
use driftguard_registry::{
    Compliance, ModelColumns, ModelPatch, ModelQuery, ModelRepository, ModelSort, ModelStatus,
    NewModel,
};
use driftguard_storage::Store;

async fn owner(users: &dyn UserRepository) -> UserId {
    users
        .create(NewUser {
            email: "owner@example.com".into(),
            full_name: None,
            role: Role::Engineer,
            password_hash: "x".into(),
        })
        .await
        .expect("owner")
        .id
}

fn model(name: &str, version: &str, tier: RiskTier) -> NewModel {
    NewModel {
        description: Some("scores loan applications".into()),
        framework: Some("sklearn".into()),
        tags: vec!["credit".into(), "eu".into()],
        columns: ModelColumns {
            prediction: Some("prediction".into()),
            label: Some("label".into()),
            score: Some("score".into()),
            sensitive: vec!["group".into()],
            ignore: vec![],
        },
        ..NewModel::new(name, version, Task::BinaryClassification, tier)
    }
}

async fn create_get_round_trip(db: Store) {
    let store: &dyn ModelRepository = &db;
    let owner = owner(&db).await;
    let created = store
        .create(model("credit-risk", "1.0.0", RiskTier::High), owner)
        .await
        .expect("create");
    assert_eq!(created.status, ModelStatus::Registered);
    assert_eq!(created.owner_id, owner);
    assert!(!created.has_reference);
    assert!(created.latest_evaluation.is_none());
    assert_eq!(created.columns.sensitive, ["group"]);
    assert_eq!(created.tags, ["credit", "eu"]);
    let read = store.get(created.id).await.expect("get").expect("present");
    assert_eq!(read, created);
    assert!(
        store
            .get(ModelId(created.id.0 + 1))
            .await
            .expect("get")
            .is_none()
    );
}

async fn name_and_version_are_unique(db: Store) {
    let store: &dyn ModelRepository = &db;
    let owner = owner(&db).await;
    store
        .create(model("m", "1", RiskTier::Low), owner)
        .await
        .expect("first");
    let err = store
        .create(model("m", "1", RiskTier::High), owner)
        .await
        .expect_err("duplicate");
    assert!(matches!(err, DomainError::Conflict(_)), "{err:?}");
    store
        .create(model("m", "2", RiskTier::Low), owner)
        .await
        .expect("another version");
}

async fn list_filters_sorts_and_pages(db: Store) {
    let store: &dyn ModelRepository = &db;
    let owner = owner(&db).await;
    for (i, tier) in [
        RiskTier::Low,
        RiskTier::High,
        RiskTier::High,
        RiskTier::Critical,
    ]
    .into_iter()
    .enumerate()
    {
        store
            .create(model(&format!("Fraud-{i}"), "1", tier), owner)
            .await
            .expect("create");
    }
    store
        .create(model("churn", "1", RiskTier::High), owner)
        .await
        .expect("create");
    let all = ModelQuery::default();
    let (page, total) = store
        .list(&all, Page::new(0, 2).expect("page"))
        .await
        .expect("list");
    assert_eq!(total, 5);
    assert_eq!(page.len(), 2);
    assert_eq!(page[0].name, "churn", "newest first by default");

    let high = ModelQuery {
        risk_tier: Some(RiskTier::High),
        sort: ModelSort::NameAsc,
        ..ModelQuery::default()
    };
    let (page, total) = store.list(&high, Page::default()).await.expect("list");
    assert_eq!(total, 3);
    let names: Vec<_> = page.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["Fraud-1", "Fraud-2", "churn"]);

    let search = ModelQuery {
        name_contains: Some("fRaUd".into()),
        sort: ModelSort::CreatedAsc,
        ..ModelQuery::default()
    };
    let (page, total) = store
        .list(&search, Page::new(1, 2).expect("page"))
        .await
        .expect("list");
    assert_eq!(total, 4);
    let names: Vec<_> = page.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["Fraud-1", "Fraud-2"]);

    let wildcard = ModelQuery {
        name_contains: Some("%".into()),
        ..ModelQuery::default()
    };
    assert_eq!(
        store
            .list(&wildcard, Page::default())
            .await
            .expect("list")
            .1,
        0,
        "`%` is a character to find, not a wildcard"
    );

    // None is evaluated yet (dashboard_contract filters evaluated ones by their result).
    for (compliance, expected) in [(Compliance::Unevaluated, 5), (Compliance::Pass, 0)] {
        let query = ModelQuery {
            compliance: Some(compliance),
            ..ModelQuery::default()
        };
        let total = store.list(&query, Page::default()).await.expect("list").1;
        assert_eq!(total, expected, "{compliance:?}");
    }

    let deployed = ModelQuery {
        status: Some(ModelStatus::Deployed),
        ..ModelQuery::default()
    };
    assert_eq!(
        store
            .list(&deployed, Page::default())
            .await
            .expect("list")
            .1,
        0
    );
}

async fn update_changes_only_given_fields(db: Store) {
    let store: &dyn ModelRepository = &db;
    let owner = owner(&db).await;
    let created = store
        .create(model("m", "1", RiskTier::Low), owner)
        .await
        .expect("create");
    let patch = ModelPatch {
        description: Some(None),
        risk_tier: Some(RiskTier::Critical),
        tags: Some(vec!["retrained".into()]),
        ..ModelPatch::default()
    };
    let updated = store.update(created.id, patch).await.expect("update");
    assert_eq!(updated.description, None);
    assert_eq!(updated.risk_tier, RiskTier::Critical);
    assert_eq!(updated.tags, ["retrained"]);
    assert_eq!(updated.framework, created.framework);
    assert_eq!(updated.columns, created.columns);
    assert!(updated.updated_at >= created.updated_at);
    let err = store
        .update(ModelId(created.id.0 + 5), ModelPatch::default())
        .await
        .expect_err("missing");
    assert!(matches!(err, DomainError::NotFound(_)), "{err:?}");
}

/// The artefact digest is stored as given (validated and lower-cased by the use case), read
/// back typed, changed or cleared by a patch, and left alone by a patch that omits it.
async fn artifact_digest_round_trips(db: Store) {
    let store: &dyn ModelRepository = &db;
    let owner = owner(&db).await;
    let first = ArtifactDigest::of(b"model v1");
    let second = ArtifactDigest::of(b"model v1, rebuilt");
    let without = store
        .create(model("plain", "1", RiskTier::Low), owner)
        .await
        .expect("create");
    assert_eq!(without.artifact_digest, None);
    let created = store
        .create(
            NewModel {
                artifact_digest: Some(first.to_string()),
                ..model("digested", "1", RiskTier::Low)
            },
            owner,
        )
        .await
        .expect("create");
    assert_eq!(created.artifact_digest.as_ref(), Some(&first));
    let read = store.get(created.id).await.expect("get").expect("present");
    assert_eq!(read.artifact_digest.as_ref(), Some(&first));
    let tags_only = ModelPatch {
        tags: Some(vec!["t".into()]),
        ..ModelPatch::default()
    };
    let kept = store.update(created.id, tags_only).await.expect("update");
    assert_eq!(kept.artifact_digest.as_ref(), Some(&first));
    let change = ModelPatch {
        artifact_digest: Some(Some(second.to_string())),
        ..ModelPatch::default()
    };
    let changed = store.update(created.id, change).await.expect("update");
    assert_eq!(changed.artifact_digest.as_ref(), Some(&second));
    let clear = ModelPatch {
        artifact_digest: Some(None),
        ..ModelPatch::default()
    };
    let cleared = store.update(created.id, clear).await.expect("update");
    assert_eq!(cleared.artifact_digest, None);
}

async fn delete_removes(db: Store) {
    let store: &dyn ModelRepository = &db;
    let owner = owner(&db).await;
    let created = store
        .create(model("m", "1", RiskTier::Low), owner)
        .await
        .expect("create");
    store.delete(created.id).await.expect("delete");
    assert!(store.get(created.id).await.expect("get").is_none());
    let err = store.delete(created.id).await.expect_err("gone");
    assert!(matches!(err, DomainError::NotFound(_)), "{err:?}");
}

/// Names are any printable text, kept as sent; `q` finds them literally (LIKE's `%`, `_` and
/// `\` are escaped) and without regard to case, beyond ASCII too.
async fn unicode_names_and_literal_search(db: Store) {
    let store: &dyn ModelRepository = &db;
    let owner = owner(&db).await;
    let names = [
        "fraud_v2",
        "fraudXv2",
        "100% sure",
        "Crédit scoring — retail",
        "信用评分",
        r"back\slash",
    ];
    for name in names {
        let created = store
            .create(model(name, "版本 1", RiskTier::Low), owner)
            .await
            .expect("create");
        assert_eq!(created.name, name);
        assert_eq!(created.version, "版本 1");
    }
    let found = |q: &str| {
        let query = ModelQuery {
            name_contains: Some(q.into()),
            ..ModelQuery::default()
        };
        async move {
            let (page, _) = store.list(&query, Page::default()).await.expect("list");
            // Sorted here: collations order `_` and letters differently.
            let mut names: Vec<_> = page.into_iter().map(|m| m.name).collect();
            names.sort();
            names
        }
    };
    assert_eq!(found("fraud_v2").await, ["fraud_v2"]);
    assert_eq!(found("_").await, ["fraud_v2"]);
    assert_eq!(found("%").await, ["100% sure"]);
    assert_eq!(found(r"\").await, [r"back\slash"]);
    assert_eq!(found("CRÉDIT").await, ["Crédit scoring — retail"]);
    assert_eq!(found("信用").await, ["信用评分"]);
    assert_eq!(found("fraud").await, ["fraudXv2", "fraud_v2"]);
}

driftguard_test_kit::per_backend!(
    driftguard_test_kit::with_store =>
    unicode_names_and_literal_search,
    create_get_round_trip,
    name_and_version_are_unique,
    list_filters_sorts_and_pages,
    update_changes_only_given_fields,
    artifact_digest_round_trips,
    delete_removes
);
