//! The `UserRepository` contract, run against every adapter.

use driftguard_auth::{NewUser, UserRepository};
use driftguard_core::{DomainError, Page, Role};
use driftguard_storage::{Store, contract_tests};

fn new_user(email: &str, role: Role) -> NewUser {
    NewUser {
        email: email.into(),
        full_name: Some("Ada Lovelace".into()),
        role,
        password_hash: "$argon2id$fake".into(),
    }
}

async fn create_then_find(store: Store) {
    let created = store
        .create(new_user("ada@example.com", Role::Engineer))
        .await
        .expect("create");
    assert!(created.id > 0);
    assert_eq!(created.role, Role::Engineer);
    let by_email = store
        .find_by_email("ada@example.com")
        .await
        .expect("find")
        .expect("present");
    assert_eq!(by_email, created);
    let by_id = store
        .find_by_id(created.id)
        .await
        .expect("find")
        .expect("present");
    assert_eq!(by_id, created);
    assert!(
        store
            .find_by_email("nobody@example.com")
            .await
            .expect("find")
            .is_none()
    );
    assert!(
        store
            .find_by_id(created.id + 1000)
            .await
            .expect("find")
            .is_none()
    );
}

async fn duplicate_email_conflicts(store: Store) {
    store
        .create(new_user("a@example.com", Role::Viewer))
        .await
        .expect("first");
    let err = store
        .create(new_user("a@example.com", Role::Admin))
        .await
        .expect_err("duplicate");
    assert!(matches!(err, DomainError::Conflict(_)), "{err:?}");
}

async fn list_pages_and_counts(store: Store) {
    for i in 0..7 {
        store
            .create(new_user(&format!("u{i}@example.com"), Role::Viewer))
            .await
            .expect("create");
    }
    assert_eq!(store.count().await.expect("count"), 7);
    let (page, total) = store
        .list(Page::new(5, 10).expect("page"))
        .await
        .expect("list");
    assert_eq!(total, 7);
    let emails: Vec<_> = page.iter().map(|u| u.email.as_str()).collect();
    assert_eq!(emails, ["u5@example.com", "u6@example.com"]);
}

async fn set_role_changes_and_reports_missing(store: Store) {
    let user = store
        .create(new_user("r@example.com", Role::Viewer))
        .await
        .expect("create");
    let changed = store
        .set_role(user.id, Role::Approver)
        .await
        .expect("set role");
    assert_eq!(changed.role, Role::Approver);
    let err = store
        .set_role(user.id + 99, Role::Admin)
        .await
        .expect_err("missing");
    assert!(matches!(err, DomainError::NotFound(_)), "{err:?}");
}

contract_tests!(
    create_then_find,
    duplicate_email_conflicts,
    list_pages_and_counts,
    set_role_changes_and_reports_missing
);
