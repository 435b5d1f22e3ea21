//! Reading the UI: every page is accessible (axe) and screenshotted, the overview's numbers
//! are the API's, the model table pages and filters, and a model page draws one histogram
//! per drift column.

use driftguard_test_kit::per_backend;
use serde_json::{Value, json};

use super::harness::Session;

/// The id of the demo's model version `name` `version`, read over the API.
pub(super) async fn model_id(s: &Session, token: &str, name: &str, version: &str) -> i64 {
    let (status, body) = s
        .app
        .get(&format!("/models?q={name}&limit=100"), token)
        .await;
    assert_eq!(status, 200, "{body}");
    body["models"]
        .as_array()
        .and_then(|models| {
            models
                .iter()
                .find(|m| m["name"] == name && m["version"] == version)
        })
        .and_then(|m| m["id"].as_i64())
        .unwrap_or_else(|| panic!("{name} {version} in {body}"))
}

/// The page has exactly one `h1`.
async fn assert_one_h1(s: &Session) {
    let count = s.find_all("h1").await.len();
    assert_eq!(count, 1, "{} has {count} h1", s.path().await);
}

/// An admin signs in, reads every page (each accessible, each screenshotted), signs out; the
/// session is then gone: a page asked for leads back to the sign-in form.
async fn every_page_reads_accessibly_until_sign_out(s: Session) {
    s.open("/ui/sign-in").await;
    s.check_page("sign-in").await;
    s.sign_in("demo-admin@example.com").await;
    let admin = s
        .app
        .login("demo-admin@example.com", super::harness::PASSWORD)
        .await;
    let model = model_id(&s, &admin, "credit-risk", "1.0.0").await;
    let (_, policies) = s.app.get("/policies", &admin).await;
    let policy = policies["policies"][0]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("a policy in {policies}"));
    let pages = [
        ("overview", "/ui".to_owned()),
        ("models", "/ui/models".to_owned()),
        ("model", format!("/ui/models/{model}")),
        ("policies", "/ui/policies".to_owned()),
        ("policy", format!("/ui/policies/{policy}")),
        ("audit", "/ui/audit".to_owned()),
        ("users", "/ui/users".to_owned()),
        ("not-found", "/ui/models/999999999".to_owned()),
    ];
    for (name, path) in &pages {
        s.open(path).await;
        assert_one_h1(&s).await;
        s.check_page(name).await;
    }

    s.open("/ui").await;
    s.click("form[action$='/sign-out'] button").await;
    assert!(
        s.path().await.starts_with("/ui/sign-in"),
        "signed out to {}",
        s.path().await
    );
    s.open("/ui/models").await;
    let path = s.path().await;
    assert!(
        path.starts_with("/ui/sign-in"),
        "after sign-out /ui/models shows {path}"
    );
}

/// Every summary card shows the number `/dashboard/summary` answers.
async fn the_overviews_numbers_equal_the_summary(s: Session) {
    s.sign_in("demo-viewer@example.com").await;
    let viewer = s
        .app
        .login("demo-viewer@example.com", super::harness::PASSWORD)
        .await;
    let (status, summary) = s.app.get("/dashboard/summary", &viewer).await;
    assert_eq!(status, 200, "{summary}");
    s.open("/ui").await;
    let mut cards: Vec<(String, String)> = ["registered", "deployed", "superseded", "retired"]
        .iter()
        .map(|status| {
            (
                format!("card-status-{status}"),
                format!("/models/by_status/{status}"),
            )
        })
        .collect();
    for (card, pointer) in [
        ("card-pass", "/compliance/pass"),
        ("card-warn", "/compliance/warn"),
        ("card-fail", "/compliance/fail"),
        ("card-unevaluated", "/compliance/unevaluated"),
        ("card-deployments-30d", "/deployments/last_30d"),
        ("card-overrides", "/deployments/overrides"),
        ("card-blocked", "/deployments/blocked"),
    ] {
        cards.push((card.to_owned(), pointer.to_owned()));
    }
    for (card, pointer) in &cards {
        let shown = s.text(&format!("#{card} .card-value")).await;
        let expected = summary.pointer(pointer).and_then(Value::as_u64);
        assert_eq!(
            shown.trim().parse::<u64>().ok(),
            expected,
            "#{card} against {pointer} of {summary}"
        );
    }
    assert!(
        summary["compliance"]["fail"].as_u64() > Some(0),
        "the demo has failing models: {summary}"
    );
}

/// With 12 model versions the table shows 10, its second page the other 2; a filter in the
/// form narrows the table and stays in the address, so the view can be shared.
async fn the_model_table_pages_and_filters(s: Session) {
    let engineer = s.app.token_for(driftguard_core::Role::Engineer).await;
    for n in 0..6 {
        s.app
            .create_model(&engineer, &format!("extra-{n}"), "1.0.0", "low")
            .await;
    }
    let (_, all) = s.app.get("/models?limit=1", &engineer).await;
    assert_eq!(all["pagination"]["total"], json!(12), "{all}");

    s.sign_in("demo-viewer@example.com").await;
    s.open("/ui/models").await;
    assert_eq!(s.find_all("#models-table tbody tr").await.len(), 10);
    s.click("#page-next").await;
    assert_eq!(
        s.find_all("#models-table tbody tr").await.len(),
        2,
        "page 2 of {}",
        s.path().await
    );
    s.check_page("models-page-2").await;

    s.open("/ui/models").await;
    s.type_into("#q", "credit").await;
    s.click("#apply-filters").await;
    let path = s.path().await;
    assert!(
        path.contains("q=credit"),
        "the filter is in the address: {path}"
    );
    let rows = s.find_all("#models-table tbody tr th a").await;
    assert_eq!(rows.len(), 2, "credit-risk 1.0.0 and 1.1.0 at {path}");
    for row in &rows {
        let name = s.browser.text(row).await.unwrap_or_default();
        assert_eq!(name, "credit-risk", "at {path}");
    }
}

/// Rows of the drift table (not of the tables nested in them) that hold a histogram.
const ROWS_WITH_A_HISTOGRAM: &str = "return [...document.querySelectorAll('#drift-table > tbody > tr')]\
    .filter(row => row.querySelector('svg[role=img]') !== null).length;";

/// The model page of an evaluated model has a drift table row per drift column, and each
/// column with values has its histogram.
async fn a_model_page_shows_one_histogram_per_drift_column(s: Session) {
    s.sign_in("demo-viewer@example.com").await;
    let viewer = s
        .app
        .login("demo-viewer@example.com", super::harness::PASSWORD)
        .await;
    let id = model_id(&s, &viewer, "credit-risk", "1.0.0").await;
    let (_, model) = s.app.get(&format!("/models/{id}"), &viewer).await;
    let evaluation = model["latest_evaluation"]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("evaluated: {model}"));
    let (_, evaluation) = s
        .app
        .get(&format!("/evaluations/{evaluation}"), &viewer)
        .await;
    let columns = evaluation["drift"]["columns"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let with_values = columns.iter().filter(|c| !c["bins"].is_null()).count();
    assert!(with_values > 1, "{evaluation}");

    s.open(&format!("/ui/models/{id}")).await;
    let rows = s.find_all("#drift-table > tbody > tr").await.len();
    assert_eq!(rows, columns.len(), "one drift row per column");
    let drawn = s.script(ROWS_WITH_A_HISTOGRAM).await;
    assert_eq!(
        drawn.as_u64(),
        Some(with_values as u64),
        "rows with a histogram"
    );
    // The most drifted column opened, so that axe and the screenshot see its histograms.
    s.script("document.querySelector('#drift-table details').open = true;")
        .await;
    s.check_page("model-drift").await;
}

per_backend!(
    crate::browser::harness::with_browser =>
    every_page_reads_accessibly_until_sign_out,
    the_overviews_numbers_equal_the_summary,
    the_model_table_pages_and_filters,
    a_model_page_shows_one_histogram_per_drift_column,
);
