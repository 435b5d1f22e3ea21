//! What-if in the browser: an engineer sweeps a shift of a credit model's income and sees
//! the tipping point `POST /simulation/drift` finds; a value that is not a number is shown
//! at its field; a viewer's form is disabled with the reason and the page is refused.

use driftguard_core::Role;
use driftguard_test_kit::per_backend;
use serde_json::{Value, json};

use super::harness::Session;
use super::reading::model_id;

const VALUES: [f64; 5] = [0.0, 1.0, 2.0, 3.0, 4.0];

/// The engineer's sweep on the page equals the API's: the same tipping point, from and to.
async fn an_engineer_sweeps_and_sees_the_tipping_point(s: Session) {
    s.sign_in("demo-engineer@example.com").await;
    let engineer = s.app.token_for(Role::Engineer).await;
    let id = model_id(&s, &engineer, "credit-risk", "1.0.0").await;
    s.open(&format!("/ui/models/{id}")).await;
    s.type_into("#whatif-column", "income").await;
    s.type_into("#whatif-values", "0, 1, 2, 3, 4").await;
    s.type_into("#whatif-rows", "2000").await;
    s.click("#run-what-if").await;
    let request = json!({
        "model_id": id,
        "rows": 2000,
        "scenarios": [{"column": "income", "shift": VALUES}],
    });
    let (status, answer) = s
        .app
        .post("/simulation/drift", Some(&engineer), request)
        .await;
    assert_eq!(status, 200, "{answer}");
    let shown = s.text("#tipping-point").await;
    match &answer["tipping_point"] {
        Value::Null => assert!(shown.contains("does not change"), "{shown}"),
        tip => {
            let expected = format!(
                "The status tips from {} to {} at shift = {:.3}.",
                tip["from"].as_str().expect("from"),
                tip["to"].as_str().expect("to"),
                tip["value"].as_f64().expect("value")
            );
            // The badges carry a sign before each status word.
            let words: String = shown
                .replace(['✓', '!', '✕'], "")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            assert_eq!(words, expected);
            let chart = s.text("#what-if-sweep-data").await;
            assert!(chart.contains("(tipping point)"), "{chart}");
        }
    }
    assert_eq!(
        s.find_all("#what-if-sweep-data tbody tr").await.len(),
        VALUES.len()
    );
    s.check_page("what-if-sweep").await;
}

/// A value that is not a number: the summary links to the field, which says why.
async fn a_bad_value_is_shown_at_its_field(s: Session) {
    s.sign_in("demo-engineer@example.com").await;
    let engineer = s.app.token_for(Role::Engineer).await;
    let id = model_id(&s, &engineer, "credit-risk", "1.0.0").await;
    s.open(&format!(
        "/ui/models/{id}/what-if?column=income&operation=shift&values=lots"
    ))
    .await;
    s.find("#error-summary a[href='#whatif-values']").await;
    assert!(s.text("#whatif-values-error").await.contains("a number"));
    s.check_page("what-if-error").await;
}

/// A viewer's form is disabled with the reason, and the what-if page is the 403 page.
async fn a_viewer_cannot_simulate(s: Session) {
    s.sign_in("demo-viewer@example.com").await;
    let viewer = s.app.token_for(Role::Viewer).await;
    let id = model_id(&s, &viewer, "credit-risk", "1.0.0").await;
    s.open(&format!("/ui/models/{id}")).await;
    let disabled = s
        .script("return document.querySelector('#what-if fieldset').disabled;")
        .await;
    assert_eq!(disabled, Value::Bool(true));
    assert!(s.text("#whatif-why").await.contains("signed in as viewer"));
    s.open(&format!("/ui/models/{id}/what-if?column=income&values=1"))
        .await;
    let page = s.text("body").await;
    assert!(page.contains("Status 403"), "{page}");
}

per_backend!(
    crate::browser::harness::with_browser =>
    an_engineer_sweeps_and_sees_the_tipping_point,
    a_bad_value_is_shown_at_its_field,
    a_viewer_cannot_simulate,
);
