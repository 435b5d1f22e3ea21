//! The `ReferenceRepository` contract, run against every adapter.

mod support;

use driftguard_app::{
    ColumnSummary, DataFormat, NewReference, ReferenceProfile, ReferenceRepository,
};
use driftguard_core::{DomainError, ModelId, UserId, now};
use driftguard_registry::ModelRepository;
use driftguard_stats::ColumnKind;
use driftguard_storage::Store;

fn reference(model_id: ModelId, by: UserId, sha: &str, data: &[u8]) -> NewReference {
    NewReference {
        profile: ReferenceProfile {
            model_id,
            rows: 3,
            columns: vec![ColumnSummary {
                name: "age".into(),
                kind: ColumnKind::Numeric,
                missing: 1,
            }],
            sha256: sha.into(),
            uploaded_at: now(),
            uploaded_by: by,
            format: DataFormat::Csv,
        },
        compressed: data.to_vec(),
    }
}

async fn put_replaces_records_and_flags_the_model(db: Store) {
    let by = support::user(&db).await;
    let model = support::model(&db, by, "churn", "1").await;
    assert!(db.profile(model.id).await.expect("profile").is_none());
    let first = db
        .put(reference(model.id, by, "aa", &[0, 1, 2, 255]))
        .await
        .expect("put");
    assert_eq!(
        db.profile(model.id).await.expect("profile"),
        Some(first.clone())
    );
    let second = db
        .put(reference(model.id, by, "bb", &[9; 1000]))
        .await
        .expect("replace");
    let (profile, data) = db.data(model.id).await.expect("data").expect("present");
    assert_eq!((profile, data), (second, vec![9; 1000]));
    let uploads = db.uploads(model.id).await.expect("uploads");
    let shas: Vec<&str> = uploads.iter().map(|u| u.sha256.as_str()).collect();
    assert_eq!(shas, ["aa", "bb"]);
    assert!(
        db.get(model.id)
            .await
            .expect("get")
            .expect("model")
            .has_reference
    );
}

async fn a_missing_model_stores_nothing(db: Store) {
    let missing = db
        .put(reference(ModelId(4242), UserId(1), "aa", b"x"))
        .await;
    assert!(
        matches!(missing, Err(DomainError::NotFound(_))),
        "{missing:?}"
    );
    assert!(db.uploads(ModelId(4242)).await.expect("uploads").is_empty());
    assert!(db.data(ModelId(4242)).await.expect("data").is_none());
}

driftguard_test_kit::per_backend!(
    driftguard_test_kit::with_store =>
    put_replaces_records_and_flags_the_model,
    a_missing_model_stores_nothing
);
