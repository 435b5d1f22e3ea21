//! The cache contract, run against the in-process adapter always and against Redis whenever
//! `DRIFTGUARD_TEST_REDIS_URL` is set: the store itself, typed JSON, and the answer cache.
//! Each test runs once per adapter, in a test of its own (`in_process::…`, `redis::…`), so
//! that a Redis failure cannot hide the in-process result.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use driftguard_cache::{
    AnswerCache, Cache, CacheClass, CacheExt, CacheTtls, KEY_SCHEMA_VERSION, Lookup,
};
use driftguard_test_kit::{CacheAdapter, per_backend};
use serde::{Deserialize, Serialize};

const LONG: Duration = Duration::from_secs(60);

/// `cache.get(key)`, failing the test when the store does not answer: the contract is about
/// a store that works.
async fn read(cache: &Arc<dyn Cache>, key: &str) -> Option<Vec<u8>> {
    cache.get(key).await.expect("the store answers")
}

async fn get_returns_what_set_stored_and_nothing_for_unknown_keys(adapter: CacheAdapter) {
    let (name, cache) = (adapter.name, adapter.store);
    assert_eq!(read(&cache, "k").await, None, "{name}");
    cache.set("k", b"value".to_vec(), LONG).await;
    assert_eq!(
        read(&cache, "k").await.as_deref(),
        Some(&b"value"[..]),
        "{name}"
    );
    assert_eq!(read(&cache, "k2").await, None, "{name}");
}

async fn get_many_reads_each_key_in_order(adapter: CacheAdapter) {
    let (name, cache) = (adapter.name, adapter.store);
    cache.set("a", b"1".to_vec(), LONG).await;
    cache.fill("c", b"3".to_vec(), LONG).await;
    let values = cache
        .get_many(&["c", "b", "a"])
        .await
        .expect("the store answers");
    assert_eq!(
        values,
        [Some(b"3".to_vec()), None, Some(b"1".to_vec())],
        "{name}"
    );
    assert!(
        cache.get_many(&[]).await.expect("answers").is_empty(),
        "{name}"
    );
}

async fn set_overwrites_value_and_ttl(adapter: CacheAdapter) {
    let (name, cache) = (adapter.name, adapter.store);
    cache
        .set("k", b"old".to_vec(), Duration::from_millis(200))
        .await;
    cache.set("k", b"new".to_vec(), LONG).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        read(&cache, "k").await.as_deref(),
        Some(&b"new"[..]),
        "{name}: the new value keeps its own, longer TTL"
    );
}

async fn expired_entries_are_never_returned(adapter: CacheAdapter) {
    let (name, cache) = (adapter.name, adapter.store);
    cache
        .set("short", b"v".to_vec(), Duration::from_millis(200))
        .await;
    cache.set("long", b"v".to_vec(), LONG).await;
    assert!(
        read(&cache, "short").await.is_some(),
        "{name}: not yet expired"
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(read(&cache, "short").await, None, "{name}");
    assert!(
        read(&cache, "long").await.is_some(),
        "{name}: per-entry TTL"
    );
}

async fn delete_removes_one_key(adapter: CacheAdapter) {
    let (name, cache) = (adapter.name, adapter.store);
    cache.set("a", b"1".to_vec(), LONG).await;
    cache.set("b", b"2".to_vec(), LONG).await;
    cache.delete("a").await;
    cache.delete("never-set").await;
    assert_eq!(read(&cache, "a").await, None, "{name}");
    assert!(read(&cache, "b").await.is_some(), "{name}");
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Summary {
    models: u32,
    labels: Vec<String>,
}

fn summary(models: u32) -> Summary {
    Summary {
        models,
        labels: vec!["a".to_owned(), "é\"quoted\"".to_owned()],
    }
}

async fn json_values_round_trip_and_undecodable_ones_count_as_absent(adapter: CacheAdapter) {
    let (name, cache) = (adapter.name, adapter.store);
    cache.set_json("s", &summary(3), LONG).await;
    assert_eq!(
        cache
            .get_json::<Summary>("s")
            .await
            .expect("the store answers"),
        Some(summary(3)),
        "{name}"
    );

    cache.set("bad", b"{not json".to_vec(), LONG).await;
    assert_eq!(
        cache
            .get_json::<Summary>("bad")
            .await
            .expect("the store answers"),
        None,
        "{name}"
    );
    assert_eq!(read(&cache, "bad").await, None, "{name}: deleted");

    // Valid JSON of another shape (an older release's) is undecodable too.
    cache.set_json("old", &vec![1, 2, 3], LONG).await;
    assert_eq!(
        cache
            .get_json::<Summary>("old")
            .await
            .expect("the store answers"),
        None,
        "{name}"
    );
    assert_eq!(read(&cache, "old").await, None, "{name}: deleted");
}

async fn large_values_are_stored_whole(adapter: CacheAdapter) {
    let (name, cache) = (adapter.name, adapter.store);
    let big: Vec<u8> = (0..4 * 1024 * 1024).map(|i| (i % 251) as u8).collect();
    cache.set("big", big.clone(), LONG).await;
    assert!(read(&cache, "big").await == Some(big), "{name}");
}

fn answers(store: Arc<dyn Cache>) -> AnswerCache {
    AnswerCache::new(store, CacheTtls::default())
}

/// A computation that counts its runs and answers `summary(runs)`.
async fn counted(runs: &AtomicU32) -> Result<Summary, String> {
    Ok(summary(runs.fetch_add(1, Ordering::SeqCst) + 1))
}

/// One lookup (no parameters) whose computation answers `summary(models)`.
async fn answering(
    answers: &AnswerCache,
    class: CacheClass,
    models: u32,
) -> Result<(Summary, Lookup), String> {
    answers
        .get_or_compute(class, "", || async move { Ok(summary(models)) })
        .await
}

/// One lookup whose computation counts itself in `runs`.
async fn lookup(
    answers: &AnswerCache,
    class: CacheClass,
    params: &str,
    runs: &AtomicU32,
) -> Result<(Summary, Lookup), String> {
    answers
        .get_or_compute(class, params, || counted(runs))
        .await
}

async fn an_answer_is_computed_once_then_served_from_the_cache(adapter: CacheAdapter) {
    let (name, answers) = (adapter.name, answers(adapter.store));
    let runs = AtomicU32::new(0);
    let first = lookup(&answers, CacheClass::DashboardSummary, "", &runs).await;
    assert_eq!(first, Ok((summary(1), Lookup::Miss)), "{name}");
    let second = lookup(&answers, CacheClass::DashboardSummary, "", &runs).await;
    assert_eq!(second, Ok((summary(1), Lookup::Hit)), "{name}");

    // Other parameters and other classes are other answers.
    let other = lookup(&answers, CacheClass::DashboardSummary, "days=7", &runs).await;
    assert_eq!(other, Ok((summary(2), Lookup::Miss)), "{name}");
    let class = lookup(&answers, CacheClass::RiskTrends, "", &runs).await;
    assert_eq!(class, Ok((summary(3), Lookup::Miss)), "{name}");
}

async fn a_failed_computation_is_returned_and_not_cached(adapter: CacheAdapter) {
    let (name, answers) = (adapter.name, answers(adapter.store));
    let failed: Result<(Summary, Lookup), String> = answers
        .get_or_compute(CacheClass::Policies, "", || async {
            Err("db down".to_owned())
        })
        .await;
    assert_eq!(failed, Err("db down".to_owned()), "{name}");
    let runs = AtomicU32::new(0);
    let next = lookup(&answers, CacheClass::Policies, "", &runs).await;
    assert_eq!(next, Ok((summary(1), Lookup::Miss)), "{name}");
}

async fn invalidate_makes_the_next_lookup_recompute_only_for_those_classes(adapter: CacheAdapter) {
    let (name, answers) = (adapter.name, answers(adapter.store));
    let runs = AtomicU32::new(0);
    for class in CacheClass::ALL {
        lookup(&answers, class, "p", &runs).await.expect("computes");
    }
    answers
        .invalidate(&[CacheClass::Policies, CacheClass::RiskTrends])
        .await;
    for (class, expected) in [
        (CacheClass::Policies, Lookup::Miss),
        (CacheClass::RiskTrends, Lookup::Miss),
        (CacheClass::DashboardSummary, Lookup::Hit),
        (CacheClass::ComplianceDistribution, Lookup::Hit),
        (CacheClass::ModelTotals, Lookup::Hit),
        (CacheClass::ModelPages, Lookup::Hit),
    ] {
        let (_, lookup) = lookup(&answers, class, "p", &runs).await.expect("computes");
        assert_eq!(lookup, expected, "{name}: {class:?}");
    }
    // Each class once, and the two invalidated again.
    let expected_runs = CacheClass::ALL.len() as u32 + 2;
    assert_eq!(runs.load(Ordering::SeqCst), expected_runs, "{name}");

    // Twice in a row works as well: the second invalidation gets a generation of its own.
    answers.invalidate(&[CacheClass::Policies]).await;
    answers.invalidate(&[CacheClass::Policies]).await;
    let (_, lookup) = lookup(&answers, CacheClass::Policies, "p", &runs)
        .await
        .expect("computes");
    assert_eq!(lookup, Lookup::Miss, "{name}");
}

/// A slow reader's answer, stamped with the generation before an invalidation, may overwrite
/// a fresher one stored meanwhile: that costs a miss, never the slow reader's stale answer.
async fn a_stale_answer_stored_over_a_fresh_one_is_a_miss(adapter: CacheAdapter) {
    let (name, answers) = (adapter.name, answers(adapter.store));
    let class = CacheClass::RiskTrends;
    let slow = answers
        .get_or_compute(class, "", || async {
            answers.invalidate(&[class]).await;
            // Another reader, after the write: computes and stores the fresh answer.
            let fresh = answering(&answers, class, 2).await;
            assert_eq!(fresh, Ok((summary(2), Lookup::Miss)));
            Ok::<_, String>(summary(1))
        })
        .await;
    assert_eq!(slow, Ok((summary(1), Lookup::Miss)), "{name}");
    // The slow reader's answer replaced the fresh one, and is not served.
    let next = answering(&answers, class, 3).await;
    assert_eq!(next, Ok((summary(3), Lookup::Miss)), "{name}");
    let again = answering(&answers, class, 4).await;
    assert_eq!(again, Ok((summary(3), Lookup::Hit)), "{name}");
}

async fn an_answer_computed_before_an_invalidation_is_never_served_after_it(adapter: CacheAdapter) {
    let (name, answers) = (adapter.name, answers(adapter.store));
    // The reader reads the database (the old state), then a write commits and
    // invalidates, then the reader stores what it read.
    let stale = answers
        .get_or_compute(CacheClass::ComplianceDistribution, "", || async {
            answers
                .invalidate(&[CacheClass::ComplianceDistribution])
                .await;
            Ok::<_, String>(summary(1))
        })
        .await;
    assert_eq!(stale, Ok((summary(1), Lookup::Miss)), "{name}");

    let fresh = answering(&answers, CacheClass::ComplianceDistribution, 2).await;
    assert_eq!(
        fresh,
        Ok((summary(2), Lookup::Miss)),
        "{name}: the stale answer is not served"
    );
    let again = answering(&answers, CacheClass::ComplianceDistribution, 3).await;
    assert_eq!(again, Ok((summary(2), Lookup::Hit)), "{name}");
}

/// Where `class`'s generation token is kept (see the `answers` module docs).
fn generation_key(class: CacheClass) -> String {
    format!("v{KEY_SCHEMA_VERSION}:{}:generation", class.label())
}

async fn an_answer_is_not_served_once_its_generation_is_gone(adapter: CacheAdapter) {
    let (name, store) = (adapter.name, adapter.store);
    let answers = answers(store.clone());
    let runs = AtomicU32::new(0);
    for expected in [Lookup::Miss, Lookup::Hit] {
        let lookup = lookup(&answers, CacheClass::RiskTrends, "", &runs).await;
        assert_eq!(lookup, Ok((summary(1), expected)), "{name}");
    }

    // Expired or evicted: the answers filed under it must go with it.
    store.delete(&generation_key(CacheClass::RiskTrends)).await;
    let after = lookup(&answers, CacheClass::RiskTrends, "", &runs).await;
    assert_eq!(after, Ok((summary(2), Lookup::Miss)), "{name}: recomputed");
    let again = lookup(&answers, CacheClass::RiskTrends, "", &runs).await;
    assert_eq!(
        again,
        Ok((summary(2), Lookup::Hit)),
        "{name}: the new generation is kept"
    );
}

async fn an_answer_computed_before_an_invalidation_stays_unreachable_when_generations_vanish(
    adapter: CacheAdapter,
) {
    let (name, store) = (adapter.name, adapter.store);
    let answers = answers(store.clone());
    // No generation yet. The reader reads the database (the old state), then a write
    // commits and invalidates, then the new generation is evicted, then the reader stores
    // what it read. A generation shared by every reader that finds none (a constant)
    // would make that answer the one the next reader finds.
    let stale = answers
        .get_or_compute(CacheClass::Policies, "", || async {
            answers.invalidate(&[CacheClass::Policies]).await;
            store.delete(&generation_key(CacheClass::Policies)).await;
            Ok::<_, String>(summary(1))
        })
        .await;
    assert_eq!(stale, Ok((summary(1), Lookup::Miss)), "{name}");

    let fresh = answering(&answers, CacheClass::Policies, 2).await;
    assert_eq!(
        fresh,
        Ok((summary(2), Lookup::Miss)),
        "{name}: the stale answer is not served"
    );
}

async fn an_invalidation_finishes_even_when_its_caller_is_dropped(adapter: CacheAdapter) {
    let (name, answers) = (adapter.name, answers(adapter.store));
    let runs = AtomicU32::new(0);
    lookup(&answers, CacheClass::RiskTrends, "", &runs)
        .await
        .expect("computes");
    // Polled once, then dropped: a request handler whose client hung up.
    let _ = tokio::time::timeout(
        Duration::ZERO,
        answers.invalidate(&[CacheClass::RiskTrends]),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (_, lookup) = lookup(&answers, CacheClass::RiskTrends, "", &runs)
        .await
        .expect("computes");
    assert_eq!(lookup, Lookup::Miss, "{name}");
}

async fn replicas_sharing_a_store_see_each_others_answers_and_invalidations(adapter: CacheAdapter) {
    let name = adapter.name;
    let one = answers(adapter.store);
    let two = answers((adapter.replica)());
    let runs = AtomicU32::new(0);
    let first = lookup(&one, CacheClass::Policies, "all", &runs).await;
    assert_eq!(first, Ok((summary(1), Lookup::Miss)), "{name}");
    let shared = lookup(&two, CacheClass::Policies, "all", &runs).await;
    assert_eq!(shared, Ok((summary(1), Lookup::Hit)), "{name}: one store");

    two.invalidate(&[CacheClass::Policies]).await;
    let after = lookup(&one, CacheClass::Policies, "all", &runs).await;
    assert_eq!(
        after,
        Ok((summary(2), Lookup::Miss)),
        "{name}: invalidated by the other"
    );
    let back = lookup(&two, CacheClass::Policies, "all", &runs).await;
    assert_eq!(back, Ok((summary(2), Lookup::Hit)), "{name}");
}

/// Runs one lookup per entry of `params`, all at once, on clones of `answers` (as the
/// server's request handlers do), each with a slow computation counted in `runs`.
async fn at_once(
    answers: &AnswerCache,
    params: &[&str],
    runs: &Arc<AtomicU32>,
) -> Vec<(String, Summary, Lookup)> {
    let mut lookups = tokio::task::JoinSet::new();
    for &params in params {
        let (answers, runs, params) = (answers.clone(), runs.clone(), params.to_owned());
        lookups.spawn(async move {
            let (answer, lookup) = answers
                .get_or_compute(CacheClass::RiskTrends, &params, || async move {
                    // A database read that takes a while: the others miss meanwhile.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    counted(&runs).await
                })
                .await
                .expect("computes");
            (params, answer, lookup)
        });
    }
    lookups.join_all().await
}

async fn concurrent_misses_of_one_answer_compute_it_once(adapter: CacheAdapter) {
    let (name, answers) = (adapter.name, answers(adapter.store));
    let runs = Arc::new(AtomicU32::new(0));
    // A cold cache: not even the class's generation exists yet.
    let lookups = at_once(&answers, &["days=30"; 50], &runs).await;
    assert_eq!(runs.load(Ordering::SeqCst), 1, "{name}: computed once");
    let misses = lookups.iter().filter(|l| l.2 == Lookup::Miss).count();
    assert_eq!(
        (misses, lookups.len()),
        (1, 50),
        "{name}: one miss, 49 hits"
    );
    assert!(
        lookups.iter().all(|(_, answer, _)| *answer == summary(1)),
        "{name}: everybody gets the one answer"
    );
    let next = lookup(&answers, CacheClass::RiskTrends, "days=30", &runs).await;
    assert_eq!(
        next,
        Ok((summary(1), Lookup::Hit)),
        "{name}: and it is stored"
    );
}

async fn concurrent_misses_of_different_answers_compute_each_once(adapter: CacheAdapter) {
    let (name, answers) = (adapter.name, answers(adapter.store));
    let runs = Arc::new(AtomicU32::new(0));
    let params: Vec<&str> = ["days=7", "days=30", "days=90"]
        .iter()
        .cycle()
        .take(30)
        .copied()
        .collect();
    let lookups = at_once(&answers, &params, &runs).await;
    assert_eq!(runs.load(Ordering::SeqCst), 3, "{name}: once per answer");
    let misses = lookups.iter().filter(|l| l.2 == Lookup::Miss).count();
    assert_eq!(misses, 3, "{name}");
    let mut answers: Vec<(String, u32)> = lookups
        .into_iter()
        .map(|(params, answer, _)| (params, answer.models))
        .collect();
    answers.sort();
    answers.dedup();
    assert_eq!(
        answers.len(),
        3,
        "{name}: one answer per parameters: {answers:?}"
    );
    let mut computed: Vec<u32> = answers.iter().map(|&(_, models)| models).collect();
    computed.sort_unstable();
    assert_eq!(computed, [1, 2, 3], "{name}: each its own computation");
}

#[test]
fn classes_have_stable_labels_and_default_ttls() {
    let labels: Vec<&str> = CacheClass::ALL.iter().map(|c| c.label()).collect();
    assert_eq!(
        labels,
        [
            "dashboard_summary",
            "compliance_distribution",
            "risk_trends",
            "policies",
            "model_totals",
            "model_pages",
            "users"
        ]
    );
    let ttls = CacheTtls::default();
    let secs: Vec<u64> = CacheClass::ALL
        .iter()
        .map(|&c| ttls.ttl(c).as_secs())
        .collect();
    assert_eq!(secs, [60, 300, 600, 1800, 300, 300, 10]);
    let partial: CacheTtls =
        serde_json::from_str(r#"{"policies_secs": 5}"#).expect("a partial TTL table");
    assert_eq!(partial.ttl(CacheClass::Policies), Duration::from_secs(5));
    assert_eq!(
        partial.ttl(CacheClass::RiskTrends),
        Duration::from_secs(600)
    );
    assert_eq!(Lookup::Hit.as_str(), "HIT");
    assert_eq!(Lookup::Miss.as_str(), "MISS");
}

per_backend!(
    driftguard_test_kit::with_cache,
    [
        in_process = driftguard_test_kit::CacheBackend::InProcess,
        redis = driftguard_test_kit::CacheBackend::Redis,
    ],
    [
        get_returns_what_set_stored_and_nothing_for_unknown_keys,
        get_many_reads_each_key_in_order,
        set_overwrites_value_and_ttl,
        expired_entries_are_never_returned,
        delete_removes_one_key,
        json_values_round_trip_and_undecodable_ones_count_as_absent,
        large_values_are_stored_whole,
        an_answer_is_computed_once_then_served_from_the_cache,
        a_failed_computation_is_returned_and_not_cached,
        invalidate_makes_the_next_lookup_recompute_only_for_those_classes,
        an_answer_computed_before_an_invalidation_is_never_served_after_it,
        a_stale_answer_stored_over_a_fresh_one_is_a_miss,
        an_answer_is_not_served_once_its_generation_is_gone,
        an_answer_computed_before_an_invalidation_stays_unreachable_when_generations_vanish,
        an_invalidation_finishes_even_when_its_caller_is_dropped,
        replicas_sharing_a_store_see_each_others_answers_and_invalidations,
        concurrent_misses_of_one_answer_compute_it_once,
        concurrent_misses_of_different_answers_compute_each_once,
    ]
);
