//! The `ReferenceRepository` contract, run against every adapter.

mod support;

use driftguard_app::{
    ColumnSummary, DataFormat, LoadedColumn, NewReference, Ordered, ReferenceProfile,
    ReferenceRepository, StoredColumn,
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
        columns: vec![column("age", sha)],
    }
}

/// A stored column whose bytes say which upload they belong to.
fn column(name: &str, sha: &str) -> StoredColumn {
    StoredColumn {
        name: name.into(),
        prepared: format!("{sha}:{name}:prepared").into_bytes(),
        ordered: Some(format!("{sha}:{name}:ordered").into_bytes()),
    }
}

fn loaded(name: &str, sha: &str, ordered: bool) -> LoadedColumn {
    let c = column(name, sha);
    LoadedColumn {
        name: c.name,
        prepared: c.prepared,
        ordered: c.ordered.filter(|_| ordered),
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

async fn prepared_columns_come_back_in_order_with_the_row_order_values_asked_for(db: Store) {
    let by = support::user(&db).await;
    let model = support::model(&db, by, "churn", "1").await;
    let none = db.columns(model.id, Ordered::All).await.expect("columns");
    assert!(none.is_empty());
    let mut first = reference(model.id, by, "aa", b"x");
    first.columns = ["b", "a", "c"].map(|n| column(n, "aa")).to_vec();
    // Not kept in row order.
    first.columns[1].ordered = None;
    db.put(first).await.expect("put");
    let all = db.columns(model.id, Ordered::All).await.expect("all");
    assert_eq!(
        all,
        [
            loaded("b", "aa", true),
            loaded("a", "aa", false),
            loaded("c", "aa", true)
        ]
    );
    let some = db
        .columns(
            model.id,
            Ordered::Only(vec!["c".into(), "a".into(), "zz".into()]),
        )
        .await
        .expect("some");
    assert_eq!(
        some,
        [
            loaded("b", "aa", false),
            loaded("a", "aa", false),
            loaded("c", "aa", true)
        ]
    );
    let nothing = db
        .columns(model.id, Ordered::Only(vec![]))
        .await
        .expect("nothing");
    assert!(nothing.iter().all(|c| c.ordered.is_none()), "{nothing:?}");
    // A replacement replaces every column.
    db.put(reference(model.id, by, "bb", b"y"))
        .await
        .expect("put");
    let replaced = db.columns(model.id, Ordered::All).await.expect("replaced");
    assert_eq!(replaced, [loaded("age", "bb", true)]);
}

async fn prepare_adds_columns_only_to_the_upload_it_read(db: Store) {
    let by = support::user(&db).await;
    let model = support::model(&db, by, "churn", "1").await;
    let mut old = reference(model.id, by, "aa", b"x");
    old.columns.clear();
    let profile = db.put(old).await.expect("put");
    // Another upload's profile (a replacement meanwhile) adds nothing.
    let mut other = profile.clone();
    other.sha256 = "bb".into();
    let stale = db.prepare(&other, vec![column("age", "bb")]).await;
    assert!(!stale.expect("prepare"));
    assert!(
        db.columns(model.id, Ordered::All)
            .await
            .expect("columns")
            .is_empty()
    );
    let added = db.prepare(&profile, vec![column("age", "aa")]).await;
    assert!(added.expect("prepare"));
    // A second preparation of the same upload (two first evaluations at once) adds nothing.
    let again = db.prepare(&profile, vec![column("age", "zz")]).await;
    assert!(!again.expect("prepare"));
    let columns = db.columns(model.id, Ordered::All).await.expect("columns");
    assert_eq!(columns, [loaded("age", "aa", true)]);
}

driftguard_test_kit::per_backend!(
    driftguard_test_kit::with_store =>
    put_replaces_records_and_flags_the_model,
    a_missing_model_stores_nothing,
    prepared_columns_come_back_in_order_with_the_row_order_values_asked_for,
    prepare_adds_columns_only_to_the_upload_it_read
);
