//! The `UserRepository` contract, run against every adapter.

use driftguard_auth::{NewUser, RoleChange, User, UserRepository};
use driftguard_core::{DomainError, Page, Role, UserId, now};
use driftguard_storage::Store;

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
    assert!(created.id.0 > 0);
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
            .find_by_id(UserId(created.id.0 + 1000))
            .await
            .expect("find")
            .is_none()
    );
}

async fn duplicate_email_conflicts_without_echoing_it(store: Store) {
    store
        .create(new_user("a@example.com", Role::Viewer))
        .await
        .expect("first");
    let err = store
        .create(new_user("a@example.com", Role::Admin))
        .await
        .expect_err("duplicate");
    assert!(matches!(err, DomainError::Conflict(_)), "{err:?}");
    assert!(!err.to_string().contains("a@example.com"), "{err}");
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

/// `by` gives `user` the role `role`.
fn change(user: &User, role: Role, by: &User) -> RoleChange {
    RoleChange {
        user_id: user.id,
        role,
        changed_by: by.id,
    }
}

async fn set_role_changes_records_and_reports_missing(store: Store) {
    let admin = store
        .create(new_user("admin@example.com", Role::Admin))
        .await
        .expect("admin");
    let user = store
        .create(new_user("r@example.com", Role::Viewer))
        .await
        .expect("create");
    let changed = store
        .set_role(change(&user, Role::Approver, &admin))
        .await
        .expect("set role");
    assert_eq!(changed.role, Role::Approver);
    store
        .set_role(change(&user, Role::Engineer, &admin))
        .await
        .expect("set role again");
    // The role the user already has: nothing changes, nothing is recorded.
    store
        .set_role(change(&user, Role::Engineer, &admin))
        .await
        .expect("same role");
    let (records, total) = store
        .role_changes(user.id, Page::new(0, 10).expect("page"))
        .await
        .expect("history");
    assert_eq!(total, 2);
    let steps: Vec<_> = records.iter().map(|r| (r.from_role, r.to_role)).collect();
    assert_eq!(
        steps,
        [
            (Role::Approver, Role::Engineer),
            (Role::Viewer, Role::Approver)
        ],
        "newest first"
    );
    assert!(
        records
            .iter()
            .all(|r| r.user_id == user.id && r.changed_by == admin.id)
    );
    let (page, total) = store
        .role_changes(user.id, Page::new(1, 10).expect("page"))
        .await
        .expect("second page");
    assert_eq!((page.len(), total), (1, 2));

    let missing = User {
        id: UserId(user.id.0 + 99),
        ..user
    };
    let err = store
        .set_role(change(&missing, Role::Admin, &admin))
        .await
        .expect_err("missing");
    assert!(matches!(err, DomainError::NotFound(_)), "{err:?}");
    let err = store
        .role_changes(missing.id, Page::new(0, 10).expect("page"))
        .await
        .expect_err("missing");
    assert!(matches!(err, DomainError::NotFound(_)), "{err:?}");
}

async fn the_last_admin_keeps_the_role(store: Store) {
    let first = store
        .create(new_user("first@example.com", Role::Admin))
        .await
        .expect("admin");
    let err = store
        .set_role(change(&first, Role::Approver, &first))
        .await
        .expect_err("the last admin");
    assert!(matches!(err, DomainError::Conflict(_)), "{err:?}");
    let second = store
        .create(new_user("second@example.com", Role::Viewer))
        .await
        .expect("viewer");
    store
        .set_role(change(&second, Role::Admin, &first))
        .await
        .expect("a second admin");
    store
        .set_role(change(&first, Role::Viewer, &second))
        .await
        .expect("one of two admins steps down");
    let err = store
        .set_role(change(&second, Role::Engineer, &second))
        .await
        .expect_err("the last admin again");
    assert!(matches!(err, DomainError::Conflict(_)), "{err:?}");
    let still = store
        .find_by_id(second.id)
        .await
        .expect("find")
        .expect("present");
    assert_eq!(still.role, Role::Admin);
    let (_, recorded) = store
        .role_changes(second.id, Page::new(0, 10).expect("page"))
        .await
        .expect("history");
    assert_eq!(recorded, 1, "a refused change leaves no record");
}

/// Two admins demote each other at the same moment: one demotion wins, the other is refused.
async fn concurrent_demotions_leave_an_admin(store: Store) {
    let a = store
        .create(new_user("a@example.com", Role::Admin))
        .await
        .expect("a");
    let b = store
        .create(new_user("b@example.com", Role::Admin))
        .await
        .expect("b");
    let (first, second) = tokio::join!(
        store.set_role(change(&a, Role::Viewer, &b)),
        store.set_role(change(&b, Role::Viewer, &a)),
    );
    assert_one_demotion_won(&store, first, second).await;
}

/// Exactly one of two demotions succeeded, the other was the last admin's, and one admin is left.
async fn assert_one_demotion_won(
    store: &Store,
    first: driftguard_core::DomainResult<User>,
    second: driftguard_core::DomainResult<User>,
) {
    let refused = [&first, &second]
        .into_iter()
        .filter(|r| matches!(r, Err(DomainError::Conflict(_))))
        .count();
    let won = [&first, &second].into_iter().filter(|r| r.is_ok()).count();
    assert_eq!((won, refused), (1, 1), "{first:?} / {second:?}");
    let (users, _) = store
        .list(Page::new(0, 10).expect("page"))
        .await
        .expect("list");
    let admins = users.iter().filter(|u| u.role == Role::Admin).count();
    assert_eq!(admins, 1);
}

async fn ending_sessions_moves_forward_and_reports_missing(store: Store) {
    let user = store
        .create(new_user("s@example.com", Role::Viewer))
        .await
        .expect("create");
    assert_eq!(user.tokens_valid_after, None);
    let later = now();
    let earlier = later - chrono::Duration::seconds(30);
    store.end_sessions(user.id, later).await.expect("end");
    let read = |store: Store| async move {
        store
            .find_by_id(user.id)
            .await
            .expect("find")
            .expect("present")
            .tokens_valid_after
    };
    assert_eq!(read(store.clone()).await, Some(later));
    // A revocation stamped earlier (another replica's slower clock) does not move it back.
    store
        .end_sessions(user.id, earlier)
        .await
        .expect("end again");
    assert_eq!(read(store.clone()).await, Some(later));
    let err = store
        .end_sessions(UserId(user.id.0 + 99), later)
        .await
        .expect_err("missing");
    assert!(matches!(err, DomainError::NotFound(_)), "{err:?}");
}

driftguard_test_kit::per_backend!(
    driftguard_test_kit::with_store =>
    create_then_find,
    duplicate_email_conflicts_without_echoing_it,
    list_pages_and_counts,
    set_role_changes_records_and_reports_missing,
    the_last_admin_keeps_the_role,
    concurrent_demotions_leave_an_admin,
    ending_sessions_moves_forward_and_reports_missing
);

/// The concurrent case on PostgreSQL, made deterministic: a third connection holds the admin
/// rows' locks until both demotions are waiting on it, so that neither can read before the
/// other has started. Without the lock both would count two admins, and both would win.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_demotions_held_at_the_same_point_leave_an_admin() {
    let Some(db) = driftguard_test_kit::TestDatabase::postgres().await else {
        return;
    };
    let store = db.store();
    let a = store
        .create(new_user("a@example.com", Role::Admin))
        .await
        .expect("a");
    let b = store
        .create(new_user("b@example.com", Role::Admin))
        .await
        .expect("b");
    let (blocker, connection) = tokio_postgres::connect(&db.url, tokio_postgres::NoTls)
        .await
        .expect("a connection of the test's own");
    tokio::spawn(connection);
    blocker
        .batch_execute("BEGIN; SELECT id FROM users WHERE role = 'admin' FOR UPDATE")
        .await
        .expect("hold the admin rows");
    let first = tokio::spawn({
        let (store, change) = (store.clone(), change(&a, Role::Viewer, &b));
        async move { store.set_role(change).await }
    });
    let second = tokio::spawn({
        let (store, change) = (store.clone(), change(&b, Role::Viewer, &a));
        async move { store.set_role(change).await }
    });
    let mut waiting = 0;
    // Up to 20 s: on a loaded machine opening the pool's connections alone can take seconds.
    for _ in 0..800 {
        // The blocker is inside a transaction, which keeps the first pg_stat_activity it
        // read until it ends: without clearing, a first look at one waiter stays one.
        blocker
            .batch_execute("SELECT pg_stat_clear_snapshot()")
            .await
            .expect("a fresh look");
        waiting = blocker
            .query_one(
                "SELECT count(*) FROM pg_stat_activity \
                 WHERE datname = current_database() AND wait_event_type = 'Lock'",
                &[],
            )
            .await
            .expect("who waits")
            .get::<_, i64>(0);
        // A demotion that ended before it waited (it could not get a connection, say)
        // will never wait: say how it ended instead of waiting out the time.
        if waiting == 2 || first.is_finished() || second.is_finished() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    if waiting != 2 {
        blocker.batch_execute("ROLLBACK").await.expect("release");
        let ended = |task: tokio::task::JoinHandle<_>| async move {
            match tokio::time::timeout(std::time::Duration::from_secs(30), task).await {
                Ok(result) => format!("{result:?}"),
                Err(_) => "still running".to_owned(),
            }
        };
        panic!(
            "both demotions should be waiting on the held rows; {waiting} were; the first \
             ended {}, the second {}",
            ended(first).await,
            ended(second).await
        );
    }
    blocker.batch_execute("COMMIT").await.expect("release");
    let first = first.await.expect("first task");
    let second = second.await.expect("second task");
    assert_one_demotion_won(&store, first, second).await;
}
