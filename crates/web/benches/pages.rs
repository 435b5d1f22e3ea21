//! Server-side rendering time and weight of every page with 10,000 models on a real store
//! (SQLite; PostgreSQL too when `DRIFTGUARD_TEST_DATABASE_URL` is set): the page's use-case
//! calls and its HTML, as the handler serves it. `cargo bench -p driftguard-web`.
//! Targets (issue #14): ≤ 50 ms and ≤ 150 KB a page.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use driftguard_app::{Actor, DataFormat, EvaluateOptions, Services};
use driftguard_cache::{AnswerCache, CacheTtls, InProcessCache};
use driftguard_core::{ModelId, RiskTier, Role, Task};
use driftguard_observability::Metrics;
use driftguard_registry::{ModelColumns, ModelRepository, NewModel};
use driftguard_storage::Store;
use driftguard_test_kit::TestDatabase;
use driftguard_web::pages::{audit, model, models, overview, policies};
use driftguard_web::{Ui, UiSettings, Viewer};

const MODELS: usize = 10_000;

/// Renders one page to its HTML.
type Render<'a> = Box<dyn Fn() -> String + 'a>;
const ROWS: usize = 2_000;
const EVALUATIONS: usize = 12;

/// A CSV of `ROWS` rows: eight numeric features (shifted by `shift`), a categorical one,
/// the sensitive group, the label and the prediction.
fn data(shift: f64) -> Vec<u8> {
    let mut csv = String::from("f0,f1,f2,f3,f4,f5,f6,f7,region,group,label,prediction\n");
    for i in 0..ROWS {
        let x = (i * 7919 % ROWS) as f64 / ROWS as f64;
        for f in 0..8 {
            let _ = write!(csv, "{:.4},", x * (f + 1) as f64 + shift * f as f64 / 8.0);
        }
        let label = u8::from(x > 0.5);
        let prediction = u8::from(x + shift / 10.0 > 0.45);
        let _ = writeln!(
            csv,
            "r{},{},{label},{prediction}",
            i % 5,
            if i % 3 == 0 { "a" } else { "b" }
        );
    }
    csv.into_bytes()
}

/// 10,000 models; the first one with reference data and a history of evaluations. Returns
/// the engineer and the evaluated model's id.
async fn seeded(store: &Store, services: &Services) -> (Actor, ModelId) {
    let user = services
        .auth
        .create_user(
            "bench@example.com",
            "correct horse battery staple",
            None,
            Role::Engineer,
        )
        .await
        .expect("a user");
    let actor = Actor::new(user.id, Role::Engineer);
    let mut evaluated = NewModel::new("credit", "1", Task::BinaryClassification, RiskTier::High);
    evaluated.columns = ModelColumns {
        prediction: Some("prediction".into()),
        label: Some("label".into()),
        sensitive: vec!["group".into()],
        ..ModelColumns::default()
    };
    let evaluated = ModelRepository::create(store, evaluated, user.id)
        .await
        .expect("a model");
    for i in 1..MODELS {
        let tier = RiskTier::ALL[i % RiskTier::ALL.len()];
        let model = NewModel::new(format!("model-{i}"), "1", Task::Regression, tier);
        ModelRepository::create(store, model, user.id)
            .await
            .expect("a model");
    }
    services
        .references
        .upload_reference(
            evaluated.id,
            data(0.0),
            DataFormat::Csv,
            BTreeMap::new(),
            &actor,
        )
        .await
        .expect("reference data");
    for i in 0..EVALUATIONS {
        services
            .evaluations
            .evaluate(
                evaluated.id,
                data(i as f64 / 4.0),
                DataFormat::Csv,
                EvaluateOptions::default(),
                &actor,
            )
            .await
            .expect("an evaluation");
    }
    (actor, evaluated.id)
}

fn bench_backend(
    c: &mut Criterion,
    name: &str,
    db: Option<TestDatabase>,
    rt: &tokio::runtime::Runtime,
) {
    let Some(db) = db else { return };
    let store = db.store();
    let services = Services::new(Arc::new(store.clone()), driftguard_test_kit::setup());
    let (actor, model_id) = rt.block_on(seeded(&store, &services));
    let ui = Ui {
        services: services.clone(),
        cache: AnswerCache::new(
            Arc::new(InProcessCache::new(64 << 20)),
            CacheTtls::default(),
        ),
        metrics: Metrics::new().expect("metrics"),
        settings: UiSettings::default(),
    };
    let user = rt
        .block_on(services.auth.user_by_email("bench@example.com"))
        .expect("read")
        .expect("the user");
    assert_eq!(user.id, actor.id);
    let viewer = Viewer::new(user, "0".repeat(64));
    let models_query = models::ModelsQuery {
        sort: "name".into(),
        skip: 5_000,
        ..models::ModelsQuery::default()
    };
    let filtered = models::ModelsQuery {
        q: "model-99".into(),
        risk_tier: "high".into(),
        ..models::ModelsQuery::default()
    };
    let pages: Vec<(&str, Render)> = vec![
        (
            "overview",
            Box::new(|| {
                rt.block_on(overview::render(&ui, &viewer))
                    .expect("page")
                    .into_string()
            }),
        ),
        (
            "models, page 501 by name",
            Box::new(|| {
                rt.block_on(models::render(&ui, &viewer, &models_query))
                    .expect("page")
                    .into_string()
            }),
        ),
        (
            "models, filtered",
            Box::new(|| {
                rt.block_on(models::render(&ui, &viewer, &filtered))
                    .expect("page")
                    .into_string()
            }),
        ),
        (
            "model page",
            Box::new(|| {
                rt.block_on(model::render(
                    &ui,
                    &viewer,
                    model_id,
                    &model::ModelPageQuery::default(),
                ))
                .expect("page")
                .into_string()
            }),
        ),
        (
            "policies",
            Box::new(|| {
                rt.block_on(policies::render(
                    &ui,
                    &viewer,
                    &policies::PoliciesQuery::default(),
                ))
                .expect("page")
                .into_string()
            }),
        ),
        (
            "audit log",
            Box::new(|| {
                rt.block_on(audit::render(&ui, &viewer, &audit::AuditQuery::default()))
                    .expect("page")
                    .into_string()
            }),
        ),
    ];
    for (page, render) in &pages {
        let bytes = render().len();
        println!("{page} ({name}): {bytes} bytes");
        assert!(bytes <= 150 * 1024, "{page} weighs {bytes} bytes");
        c.bench_function(&format!("{page}, {MODELS} models, {name}"), |b| {
            b.iter(render)
        });
    }
}

fn pages(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("a runtime");
    let sqlite = rt.block_on(TestDatabase::sqlite());
    bench_backend(c, "SQLite", Some(sqlite), &rt);
    let postgres = rt.block_on(TestDatabase::postgres());
    bench_backend(c, "PostgreSQL", postgres, &rt);
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = pages
}
criterion_main!(benches);
