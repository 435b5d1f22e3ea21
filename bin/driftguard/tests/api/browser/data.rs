//! Data from the browser: an engineer uploads a model's reference data and evaluates a file
//! of current data (the repository's reference pair), ending on the model page with the new
//! evaluation; a file of another kind is refused at its field; a viewer's forms are
//! disabled, and a forged upload is refused.

use driftguard_core::Role;
use driftguard_test_kit::per_backend;
use serde_json::Value;
use std::path::PathBuf;

use super::harness::Session;

/// A file of the repository's reference data, as the canonical path chromedriver wants.
fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/reference")
        .join(name);
    std::fs::canonicalize(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .to_string_lossy()
        .into_owned()
}

/// A new model of the engineer's, with the roles the fixtures have.
async fn new_model(s: &Session) -> (String, i64) {
    let engineer = s.app.token_for(Role::Engineer).await;
    let model = s
        .app
        .create_model(&engineer, "browser-upload", "1.0.0", "medium")
        .await;
    let id = model["id"].as_i64().expect("an id");
    (engineer, id)
}

async fn an_engineer_uploads_a_reference_and_evaluates_a_file(s: Session) {
    s.sign_in("demo-engineer@example.com").await;
    let (token, id) = new_model(&s).await;
    s.open(&format!("/ui/models/{id}")).await;
    s.click("#data-link").await;
    let roles = s
        .script("return [document.getElementById('evaluation-prediction').value, document.getElementById('evaluation-sensitive').value];")
        .await;
    assert_eq!(
        roles,
        serde_json::json!(["prediction", "group"]),
        "the model's roles are shown"
    );
    s.check_page("data-forms").await;
    s.type_into("#reference-file", &fixture("reference_10k.csv"))
        .await;
    s.click("#upload-reference").await;
    assert!(s.text("#notice").await.contains("Reference data uploaded"));
    let (status, profile) = s.app.get(&format!("/models/{id}/reference"), &token).await;
    assert_eq!(status, 200, "{profile}");
    assert_eq!(profile["rows"], 10_000);

    s.click("#data-link").await;
    s.type_into("#evaluation-file", &fixture("current_10k.csv"))
        .await;
    s.click("#run-evaluation").await;
    let notice = s.text("#notice").await;
    let (status, list) = s
        .app
        .get(&format!("/models/{id}/evaluations"), &token)
        .await;
    assert_eq!(status, 200, "{list}");
    let evaluation = &list["evaluations"][0];
    let status_word = evaluation["status"].as_str().expect("a status");
    assert!(
        notice.contains(&format!("Evaluation {} recorded", evaluation["id"]))
            && notice.contains(status_word),
        "{notice} / {evaluation}"
    );
    assert_eq!(
        s.find_all("#drift-table").await.len(),
        1,
        "the new evaluation is shown"
    );
    s.check_page("data-evaluated").await;
}

async fn a_file_of_another_kind_is_refused_at_its_field(s: Session) {
    s.sign_in("demo-engineer@example.com").await;
    let (_, id) = new_model(&s).await;
    s.open(&format!("/ui/models/{id}/data")).await;
    s.type_into("#evaluation-file", &fixture("README.md")).await;
    s.click_then_find("#run-evaluation", "#error-summary").await;
    s.find("#error-summary a[href='#evaluation-file']").await;
    assert!(
        s.text("#evaluation-file-error")
            .await
            .contains("CSV, JSON or Parquet")
    );
    s.check_page("data-error").await;
}

/// Builds a multipart form to `action` with the viewer's own CSRF token and a small file,
/// as a forged page would.
const FORGE: &str = "const token = document.querySelector(\"form[action$='/sign-out'] input[name=csrf_token]\").value;\
    const form = document.createElement('form'); form.method = 'post'; form.enctype = 'multipart/form-data';\
    form.action = arguments_action;\
    const csrf = document.createElement('input'); csrf.type = 'hidden'; csrf.name = 'csrf_token'; csrf.value = token;\
    form.appendChild(csrf);\
    const button = document.createElement('button'); button.id = 'forged'; button.type = 'submit'; form.appendChild(button);\
    document.body.appendChild(form); return true;";

async fn a_viewer_can_upload_nothing(s: Session) {
    let (token, id) = new_model(&s).await;
    s.sign_in("demo-viewer@example.com").await;
    s.open(&format!("/ui/models/{id}/data")).await;
    let disabled = s
        .script("return Array.from(document.querySelectorAll('fieldset')).every(f => f.disabled);")
        .await;
    assert_eq!(disabled, Value::Bool(true), "every form is disabled");
    assert!(s.text("#data-why").await.contains("signed in as viewer"));
    let forge = FORGE.replace("arguments_action", &format!("'/ui/models/{id}/reference'"));
    assert_eq!(s.script(&forge).await, Value::Bool(true));
    s.click("#forged").await;
    assert!(s.text("body").await.contains("Status 403"));
    let (status, _) = s.app.get(&format!("/models/{id}/reference"), &token).await;
    assert_eq!(status, 404, "nothing was stored");
}

per_backend!(
    crate::browser::harness::with_browser =>
    an_engineer_uploads_a_reference_and_evaluates_a_file,
    a_file_of_another_kind_is_refused_at_its_field,
    a_viewer_can_upload_nothing,
);
