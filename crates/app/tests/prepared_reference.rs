//! The reference prepared once (issue #17 part 2). An evaluation through the stored prepared
//! form gives the numbers of the old path (the stored bytes parsed again, each column
//! prepared as drift reaches it) bit for bit: every drift method, numeric and categorical
//! columns, missing values and NaN, kinds that differ between the sides, a Parquet-sourced
//! reference. Reference data stored before prepared forms is prepared on its first use, a
//! damaged prepared blob is a clear error, and references kept in memory between
//! evaluations give the same numbers, see a replacement made on another replica, and are
//! counted as found or not.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use driftguard_app::audit::Outcome;
use driftguard_app::data::default_limits;
use driftguard_app::prepared;
use driftguard_app::{
    Actor, DataFormat, EvaluateOptions, LoadedColumn, NewReference, NoUsageMetrics, Ordered,
    ReferenceProfile, ReferenceRepository, Services, Setup, StoredColumn, StoredEvaluation,
    UsageMetrics,
};
use driftguard_core::{DomainError, ModelId, PolicyId, RiskTier, Role, Task, now};
use driftguard_governance::{
    EvaluationInput, EvaluationOptions, EvaluationResult, MetricKind, PolicyDraft, RiskSettings,
    evaluate,
};
use driftguard_registry::{ModelColumns, ModelRepository, NewModel};
use driftguard_stats::drift::DriftMethod;
use driftguard_stats::testing::{read_reference as read, reference_roles};
use driftguard_stats::{
    ColumnKind, ColumnRoles, Dataset, Limits, ParseOptions, PreparedReference, Reference,
};
use driftguard_storage::Store;

#[path = "support/parquet.rs"]
mod parquet_support;

fn csv(bytes: &[u8], kinds: &[(&str, ColumnKind)]) -> Dataset {
    let options = ParseOptions {
        kinds: kinds.iter().map(|&(n, k)| (n.to_owned(), k)).collect(),
        ..ParseOptions::default()
    };
    Dataset::from_csv(bytes, &options).expect("parses")
}

/// `dataset` prepared, encoded, and read back as an evaluation reads it: the prediction,
/// label and score in row order.
fn through_storage(dataset: &Dataset) -> PreparedReference {
    let ordered = ["prediction", "label", "score"].map(String::from);
    let loaded = prepared::prepare(dataset.clone(), &ordered)
        .into_iter()
        .map(|c: StoredColumn| LoadedColumn {
            ordered: c.ordered,
            name: c.name,
            prepared: c.prepared,
        })
        .collect();
    prepared::load(loaded).expect("reads back")
}

fn run(
    reference: Reference<'_>,
    current: &Dataset,
    options: &EvaluationOptions,
) -> EvaluationResult {
    run_as(&reference_roles(), reference, current, options)
}

/// [`run`] with these roles.
fn run_as(
    roles: &ColumnRoles,
    reference: Reference<'_>,
    current: &Dataset,
    options: &EvaluationOptions,
) -> EvaluationResult {
    let policies = [PolicyDraft::default_policy().into_policy(PolicyId(1), None, now())];
    evaluate(&EvaluationInput {
        reference,
        current,
        roles,
        task: Task::BinaryClassification,
        risk_tier: RiskTier::High,
        options,
        policies: &policies,
        settings: &RiskSettings::default(),
        max_groups: Limits::default().max_groups,
    })
    .expect("evaluates")
}

/// Every drift method (and Evidently's default choice) on both paths: the results'
/// `Debug` text, which spells every double in its shortest round-trip form (and -0 as
/// such), must be the same.
fn assert_same_numbers(reference: &Dataset, current: &Dataset) {
    let prepared = through_storage(reference);
    let methods = std::iter::once(None).chain(DriftMethod::ALL.map(Some));
    for method in methods {
        let options = EvaluationOptions {
            drift_method: method,
            ..EvaluationOptions::default()
        };
        let old = run(Reference::Dataset(reference), current, &options);
        let new = run(Reference::Prepared(&prepared), current, &options);
        assert_eq!(format!("{old:?}"), format!("{new:?}"), "method {method:?}");
    }
}

/// A deterministic table of `rows` rows with every case a column can hold.
fn edge_csv(rows: usize, seed: u64, shift: f64) -> Vec<u8> {
    let mut state = seed;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut out = String::from(
        "wide,few,gaps,nan,zeros,city,sparse,codes,empty,prediction,label,score,group\n",
    );
    for i in 0..rows {
        let r = next();
        let wide = (r % 100_000) as f64 / 37.0 - 1_000.0 + shift;
        let few = r % 4;
        let gaps = if i % 7 == 0 {
            String::new()
        } else {
            format!("{}", (r % 977) as f64 * 0.1)
        };
        let nan = match i % 11 {
            0 => "NaN".to_owned(),
            1 => "inf".to_owned(),
            2 => "NA".to_owned(),
            _ => format!("{}", (r >> 8) % 50),
        };
        let zeros = ["-0", "0", "0.0", "-0.0", "1e-320", "-1e-320", "2"][(r % 7) as usize];
        let city = ["Oslo", "Rome", "Lima", "Pune"][((r >> 3) % 4) as usize];
        let sparse = if r % 5 == 0 { "x" } else { "" };
        let codes = ["1", "2", "3", "10", "2.5", "7", "8"][((r >> 5) % 7) as usize];
        let prediction = (r >> 9) % 2;
        let label = if (r >> 11) % 5 == 0 {
            1 - prediction
        } else {
            prediction
        };
        let score = ((r >> 12) % 1000) as f64 / 1000.0;
        let group = ["a", "b"][((r >> 13) % 2) as usize];
        out.push_str(&format!(
            "{wide},{few},{gaps},{nan},{zeros},{city},{sparse},{codes},,{prediction},{label},{score},{group}\n"
        ));
    }
    out.into_bytes()
}

#[test]
fn every_method_on_the_reference_pair_is_bit_identical_through_the_stored_form() {
    let reference = csv(&read("reference_10k.csv"), &[]);
    let current = csv(&read("current_10k.csv"), &[]);
    assert_same_numbers(&reference, &current);
}

#[test]
fn every_method_on_every_kind_of_column_is_bit_identical_through_the_stored_form() {
    for rows in [40, 3_000] {
        let reference = edge_csv(rows, 0x2545_f491_4f6c_dd1d, 0.0);
        let current = edge_csv(rows + 17, 0x9e37_79b9_7f4a_7c15, 3.5);
        // As inferred on both sides, and with kinds that differ between them: `codes`
        // categorical in the reference (numbers as labels) but numeric in the current, and
        // `wide` numeric in the reference but categorical in the current.
        let forced = csv(&reference, &[("codes", ColumnKind::Categorical)]);
        let forced_current = csv(&current, &[("wide", ColumnKind::Categorical)]);
        assert_same_numbers(&csv(&reference, &[]), &csv(&current, &[]));
        assert_same_numbers(&forced, &csv(&current, &[("codes", ColumnKind::Numeric)]));
        assert_same_numbers(&csv(&reference, &[]), &forced_current);
    }
}

#[test]
fn a_parquet_reference_is_bit_identical_through_the_stored_form() {
    let bytes = parquet_support::parquet_of_csv(
        &read("reference_10k.csv"),
        parquet::basic::Compression::SNAPPY,
        true,
    );
    let reference = driftguard_app::parquet::read(bytes, &ParseOptions::default()).expect("reads");
    assert_same_numbers(&reference, &csv(&read("current_10k.csv"), &[]));
}

/// The store, its services, an engineer and a model with the reference pair's roles.
async fn setup(db: &Store) -> (Services, Actor, ModelId) {
    let user = driftguard_test_kit::user(db, "engineer@example.com", Role::Engineer).await;
    let columns = ModelColumns {
        prediction: Some("prediction".into()),
        label: Some("label".into()),
        score: Some("score".into()),
        sensitive: vec!["group".into()],
        ignore: vec![],
    };
    let new = NewModel {
        columns,
        ..NewModel::new("credit", "1", Task::BinaryClassification, RiskTier::High)
    };
    let model = ModelRepository::create(db, new, user)
        .await
        .expect("a model");
    (replica(db, 0), Actor::new(user, Role::Engineer), model.id)
}

/// The services of one replica over `db`, keeping up to `kept_bytes` of prepared references
/// in memory.
fn replica(db: &Store, kept_bytes: u64) -> Services {
    counting(db, kept_bytes, Arc::new(NoUsageMetrics))
}

/// [`replica`], counting in `usage`.
fn counting(db: &Store, kept_bytes: u64, usage: Arc<dyn UsageMetrics>) -> Services {
    Services::new(
        Arc::new(db.clone()),
        Setup {
            limits: default_limits(),
            kept_reference_bytes: kept_bytes,
            usage,
            ..driftguard_test_kit::setup()
        },
    )
}

/// The kept-reference lookups the services report: hits and misses.
#[derive(Default)]
struct KeptLookups {
    hits: AtomicU64,
    misses: AtomicU64,
}

impl KeptLookups {
    fn counts(&self) -> (u64, u64) {
        (
            self.hits.load(Ordering::Acquire),
            self.misses.load(Ordering::Acquire),
        )
    }
}

impl UsageMetrics for KeptLookups {
    fn deployment(&self, _outcome: Outcome) {}

    fn violation(&self, _kind: MetricKind) {}

    fn kept_reference(&self, hit: bool) {
        let counter = if hit { &self.hits } else { &self.misses };
        counter.fetch_add(1, Ordering::AcqRel);
    }
}

/// The service's evaluation of the pair's current data against the model's reference.
async fn evaluation(
    services: &Services,
    engineer: &Actor,
    model: ModelId,
) -> Result<StoredEvaluation, DomainError> {
    services
        .evaluations
        .evaluate(
            model,
            read("current_10k.csv"),
            DataFormat::Csv,
            EvaluateOptions::default(),
            engineer,
        )
        .await
}

/// What the service stores for the pair's current data, as JSON.
async fn evaluated(services: &Services, engineer: &Actor, model: ModelId) -> serde_json::Value {
    let stored = evaluation(services, engineer, model)
        .await
        .expect("evaluates");
    serde_json::Value::Object(stored.body)
}

/// The old path's result for `reference`, as JSON (numbers spelled to round-trip).
fn expected(reference: &Dataset) -> serde_json::Value {
    let current = csv(&read("current_10k.csv"), &[]);
    let result = run(reference.into(), &current, &EvaluationOptions::default());
    serde_json::to_value(&result).expect("serialises")
}

async fn uploads_are_prepared_and_evaluate_as_before(db: Store) {
    let (services, engineer, model) = setup(&db).await;
    let upload = |bytes: Vec<u8>, format| {
        services
            .references
            .upload_reference(model, bytes, format, BTreeMap::new(), &engineer)
    };
    upload(read("reference_10k.csv"), DataFormat::Csv)
        .await
        .expect("upload");
    let columns = db.columns(model, Ordered::All).await.expect("columns");
    assert_eq!(columns.len(), 24);
    assert_eq!(
        evaluated(&services, &engineer, model).await,
        expected(&csv(&read("reference_10k.csv"), &[]))
    );
    let parquet = parquet_support::parquet_of_csv(
        &read("reference_10k.csv"),
        parquet::basic::Compression::ZSTD(Default::default()),
        true,
    );
    let dataset =
        driftguard_app::parquet::read(parquet.clone(), &ParseOptions::default()).expect("reads");
    upload(parquet, DataFormat::Parquet).await.expect("upload");
    assert_eq!(
        evaluated(&services, &engineer, model).await,
        expected(&dataset)
    );
}

async fn roles_not_kept_in_row_order_are_read_from_the_original(db: Store) {
    let (services, engineer, model) = setup(&db).await;
    upload_pair_reference(&services, &engineer, model).await;
    // Only the model's prediction, label and score are kept in row order.
    let columns = db.columns(model, Ordered::All).await.expect("columns");
    let kept: Vec<&str> = columns
        .iter()
        .filter(|c| c.ordered.is_some())
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(kept, ["prediction", "label", "score"]);
    // A request naming other roles reads them from the original, with the same numbers.
    let swapped = ModelColumns {
        prediction: Some("label".into()),
        label: Some("prediction".into()),
        score: None,
        sensitive: vec!["group".into()],
        ignore: vec![],
    };
    let stored = services
        .evaluations
        .evaluate(
            model,
            read("current_10k.csv"),
            DataFormat::Csv,
            EvaluateOptions {
                columns: Some(swapped.clone()),
                ..EvaluateOptions::default()
            },
            &engineer,
        )
        .await
        .expect("evaluates");
    let reference = csv(&read("reference_10k.csv"), &[]);
    let current = csv(&read("current_10k.csv"), &[]);
    let old = run_as(
        &driftguard_app::evaluate::roles_of(&swapped),
        (&reference).into(),
        &current,
        &EvaluationOptions::default(),
    );
    assert_eq!(
        serde_json::Value::Object(stored.body),
        serde_json::to_value(&old).expect("serialises")
    );
}

/// Uploads the reference pair's reference as CSV.
async fn upload_pair_reference(
    services: &Services,
    engineer: &Actor,
    model: ModelId,
) -> ReferenceProfile {
    services
        .references
        .upload_reference(
            model,
            read("reference_10k.csv"),
            DataFormat::Csv,
            BTreeMap::new(),
            engineer,
        )
        .await
        .expect("upload")
}

/// Uploads the reference pair's reference, then stores it again as it is with `columns` in
/// place of its prepared ones.
async fn restore_with_columns(
    db: &Store,
    services: &Services,
    engineer: &Actor,
    model: ModelId,
    columns: Vec<StoredColumn>,
) {
    upload_pair_reference(services, engineer, model).await;
    store_again(db, model, columns).await;
}

/// Stores the model's reference data again as it is (the same upload, as its profile says)
/// with `columns` in place of its prepared ones.
async fn store_again(db: &Store, model: ModelId, columns: Vec<StoredColumn>) {
    let (profile, compressed) = db.data(model).await.expect("data").expect("stored");
    db.put(NewReference {
        profile,
        compressed,
        columns,
    })
    .await
    .expect("put");
}

async fn data_stored_before_prepared_forms_is_prepared_on_first_use(db: Store) {
    let (services, engineer, model) = setup(&db).await;
    // As a reference stored before this change: the original bytes and no columns.
    restore_with_columns(&db, &services, &engineer, model, vec![]).await;
    assert!(
        db.columns(model, Ordered::All)
            .await
            .expect("columns")
            .is_empty()
    );
    let reference = csv(&read("reference_10k.csv"), &[]);
    assert_eq!(
        evaluated(&services, &engineer, model).await,
        expected(&reference)
    );
    assert_eq!(
        db.columns(model, Ordered::All)
            .await
            .expect("columns")
            .len(),
        24
    );
    assert_eq!(
        evaluated(&services, &engineer, model).await,
        expected(&reference)
    );
}

async fn a_damaged_prepared_form_is_a_clear_error(db: Store) {
    let (services, engineer, model) = setup(&db).await;
    let mut columns = prepared::prepare(csv(&read("reference_10k.csv"), &[]), &[]);
    let cut = columns[3].prepared.len() / 2;
    columns[3].prepared.truncate(cut);
    let name = columns[3].name.clone();
    restore_with_columns(&db, &services, &engineer, model, columns).await;
    let failed = evaluation(&services, &engineer, model).await;
    let Err(DomainError::Internal { message, source }) = failed else {
        panic!("expected an internal error, got {failed:?}");
    };
    assert!(message.contains("corrupt"), "{message}");
    let cause = source.expect("a cause").to_string();
    assert!(
        cause.starts_with(&format!("column `{name}`: truncated")),
        "{cause}"
    );
}

/// Damages a prepared column of the model's reference data in place (the same upload):
/// what an evaluation that reads the store meets as corrupt.
async fn damage_in_place(db: &Store, model: ModelId) {
    let mut columns = prepared::prepare(csv(&read("reference_10k.csv"), &[]), &[]);
    columns[3].prepared.truncate(1);
    store_again(db, model, columns).await;
}

/// Two replicas keep prepared references: an evaluation against a reference kept gives the
/// store's numbers without reading the store (damage there goes unseen), and a replacement
/// uploaded through the other replica is seen at the next evaluation.
async fn kept_references_evaluate_as_stored_and_see_replacements(db: Store) {
    let (_, engineer, model) = setup(&db).await;
    let (one, other) = (replica(&db, 256 << 20), replica(&db, 256 << 20));
    upload_pair_reference(&one, &engineer, model).await;
    let reference = csv(&read("reference_10k.csv"), &[]);
    assert!(evaluated(&one, &engineer, model).await == expected(&reference));
    damage_in_place(&db, model).await;
    assert!(
        evaluation(&replica(&db, 0), &engineer, model)
            .await
            .is_err()
    );
    assert!(evaluated(&one, &engineer, model).await == expected(&reference));

    // The pair's current data as the new reference: other numbers than the old one's.
    other
        .references
        .upload_reference(
            model,
            read("current_10k.csv"),
            DataFormat::Csv,
            BTreeMap::new(),
            &engineer,
        )
        .await
        .expect("upload");
    let replacement = expected(&csv(&read("current_10k.csv"), &[]));
    assert!(replacement != expected(&reference));
    assert!(evaluated(&one, &engineer, model).await == replacement);
}

/// A reference larger than the budget is not kept: each evaluation reads the store.
async fn references_over_the_budget_are_not_kept(db: Store) {
    let (_, engineer, model) = setup(&db).await;
    let small = replica(&db, 1 << 10);
    upload_pair_reference(&small, &engineer, model).await;
    let reference = csv(&read("reference_10k.csv"), &[]);
    assert!(evaluated(&small, &engineer, model).await == expected(&reference));
    damage_in_place(&db, model).await;
    assert!(evaluation(&small, &engineer, model).await.is_err());
}

/// Each evaluation counts whether it found its reference kept: on a replica that has not
/// read it yet, the first reads it (a miss) and the second finds it (a hit); over the budget
/// every one misses; with no budget nothing is looked up, so nothing is counted.
async fn evaluations_count_whether_their_reference_was_kept(db: Store) {
    let (_, engineer, model) = setup(&db).await;
    upload_pair_reference(&replica(&db, 0), &engineer, model).await;
    for (kept_bytes, expected) in [(256 << 20, (1, 1)), (1 << 10, (0, 2)), (0, (0, 0))] {
        let lookups = Arc::new(KeptLookups::default());
        let services = counting(&db, kept_bytes, lookups.clone());
        for _ in 0..2 {
            evaluation(&services, &engineer, model)
                .await
                .expect("evaluates");
        }
        assert_eq!(lookups.counts(), expected, "budget {kept_bytes} B");
    }
}

driftguard_test_kit::per_backend!(
    driftguard_test_kit::with_store =>
    uploads_are_prepared_and_evaluate_as_before,
    roles_not_kept_in_row_order_are_read_from_the_original,
    data_stored_before_prepared_forms_is_prepared_on_first_use,
    a_damaged_prepared_form_is_a_clear_error,
    kept_references_evaluate_as_stored_and_see_replacements,
    references_over_the_budget_are_not_kept,
    evaluations_count_whether_their_reference_was_kept
);
