//! The `RememberedUsers` contract of the answer cache, on the in-process adapter always and on
//! Redis whenever `DRIFTGUARD_TEST_REDIS_URL` is set: a user found is read once and then
//! remembered whole, an absent user or a failed read never is, and `forget` makes every
//! replica sharing the store read its users again.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use driftguard_auth::{RememberedUsers, User};
use driftguard_cache::{AnswerCache, CacheTtls};
use driftguard_core::{DomainError, DomainResult, Role, UserId};
use driftguard_test_kit::{CacheAdapter, per_backend};

/// User `id`, with timestamps to the nanosecond (`tokens_valid_after` is compared with a
/// token's issue time, so it must come back exact). No password hash: none is remembered.
fn user(id: i64, role: Role) -> User {
    let at = chrono::DateTime::from_timestamp(1_764_900_000, 123_456_789).expect("a time");
    User {
        id: UserId(id),
        email: format!("user{id}@example.com"),
        full_name: Some("Ada \"A\" Lovelace".into()),
        role,
        password_hash: String::new(),
        created_at: at,
        tokens_valid_after: Some(at + chrono::Duration::nanoseconds(1)),
    }
}

/// Asks `remembered` for user `id`; a read answers `answer` and counts itself in `reads`.
async fn try_ask(
    remembered: &dyn RememberedUsers,
    id: i64,
    answer: DomainResult<Option<User>>,
    reads: &AtomicU32,
) -> DomainResult<Option<User>> {
    let read = async move {
        reads.fetch_add(1, Ordering::SeqCst);
        answer
    };
    remembered.user(UserId(id), Box::pin(read)).await
}

/// [`try_ask`], which must answer.
async fn ask(
    remembered: &dyn RememberedUsers,
    id: i64,
    answer: Option<User>,
    reads: &AtomicU32,
) -> Option<User> {
    try_ask(remembered, id, Ok(answer), reads)
        .await
        .expect("an answer")
}

fn remembering(adapter: &CacheAdapter) -> AnswerCache {
    AnswerCache::new(adapter.store.clone(), CacheTtls::default())
}

async fn a_user_found_is_read_once_then_remembered_whole(adapter: CacheAdapter) {
    let (name, users) = (adapter.name, remembering(&adapter));
    let reads = AtomicU32::new(0);
    let first = ask(&users, 1, Some(user(1, Role::Admin)), &reads).await;
    assert_eq!(first, Some(user(1, Role::Admin)), "{name}");
    // What a second read would answer is not asked for.
    let second = ask(&users, 1, Some(user(1, Role::Viewer)), &reads).await;
    assert_eq!(second, Some(user(1, Role::Admin)), "{name}");
    assert_eq!(reads.load(Ordering::SeqCst), 1, "{name}");
    // Another user is another entry.
    let other = ask(&users, 2, Some(user(2, Role::Viewer)), &reads).await;
    assert_eq!(other, Some(user(2, Role::Viewer)), "{name}");
    assert_eq!(reads.load(Ordering::SeqCst), 2, "{name}");
}

async fn an_absent_user_or_a_failed_read_is_never_remembered(adapter: CacheAdapter) {
    let (name, users) = (adapter.name, remembering(&adapter));
    let reads = AtomicU32::new(0);
    assert_eq!(ask(&users, 3, None, &reads).await, None, "{name}");
    let failed = Err(DomainError::internal("database down"));
    let answer = try_ask(&users, 3, failed, &reads).await;
    assert!(
        answer.is_err_and(|e| e.to_string().contains("database down")),
        "{name}"
    );
    let found = ask(&users, 3, Some(user(3, Role::Engineer)), &reads).await;
    assert_eq!(found, Some(user(3, Role::Engineer)), "{name}");
    assert_eq!(
        reads.load(Ordering::SeqCst),
        3,
        "{name}: each asked the store"
    );
}

async fn forget_makes_every_replica_read_its_users_again(adapter: CacheAdapter) {
    let name = adapter.name;
    let a = remembering(&adapter);
    let b = AnswerCache::new((adapter.replica)(), CacheTtls::default());
    let reads = AtomicU32::new(0);
    ask(&a, 4, Some(user(4, Role::Admin)), &reads).await;
    // The other replica finds what the first one remembered.
    let seen = ask(&b, 4, Some(user(4, Role::Viewer)), &reads).await;
    assert_eq!(seen, Some(user(4, Role::Admin)), "{name}");
    assert_eq!(reads.load(Ordering::SeqCst), 1, "{name}");

    RememberedUsers::forget(&a).await;
    let after = ask(&b, 4, Some(user(4, Role::Viewer)), &reads).await;
    assert_eq!(after, Some(user(4, Role::Viewer)), "{name}");
    let again = ask(&a, 4, Some(user(4, Role::Engineer)), &reads).await;
    assert_eq!(
        again,
        Some(user(4, Role::Viewer)),
        "{name}: read once since"
    );
    assert_eq!(reads.load(Ordering::SeqCst), 2, "{name}");
}

/// One user asked for by many requests at once is read once.
async fn many_requests_for_one_user_read_it_once(adapter: CacheAdapter) {
    let (name, users) = (adapter.name, Arc::new(remembering(&adapter)));
    let reads = Arc::new(AtomicU32::new(0));
    let asks: Vec<_> = (0..8)
        .map(|_| {
            let (users, reads) = (users.clone(), reads.clone());
            tokio::spawn(async move {
                let read = async move {
                    reads.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    Ok(Some(user(5, Role::Engineer)))
                };
                users.user(UserId(5), Box::pin(read)).await
            })
        })
        .collect();
    for ask in asks {
        assert_eq!(
            ask.await.expect("a task").expect("an answer"),
            Some(user(5, Role::Engineer)),
            "{name}"
        );
    }
    assert_eq!(reads.load(Ordering::SeqCst), 1, "{name}");
}

per_backend!(
    driftguard_test_kit::with_cache,
    [
        in_process = driftguard_test_kit::CacheBackend::InProcess,
        redis = driftguard_test_kit::CacheBackend::Redis,
    ],
    [
        a_user_found_is_read_once_then_remembered_whole,
        an_absent_user_or_a_failed_read_is_never_remembered,
        forget_makes_every_replica_read_its_users_again,
        many_requests_for_one_user_read_it_once,
    ]
);
