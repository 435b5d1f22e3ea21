//! Writing policies in the browser (admins): a row that cannot be read is shown at its
//! field, the impact preview is what `POST /simulation/policy` answers, saving writes a
//! version, and the switch writes the next; a viewer is offered none of it.

use driftguard_core::Role;
use driftguard_test_kit::per_backend;
use serde_json::{Value, json};

use super::harness::Session;

/// A rule every demo model with a drift share above a tenth breaks.
const METRIC: &str = "drift.share";
const THRESHOLD: &str = "0.1";

/// Fills the first rule row, with this threshold.
async fn fill_rule(s: &Session, threshold: &str) {
    let set = s
        .script(
            "document.getElementById('rule-0-op').value = '<='; \
             document.getElementById('rule-0-severity').value = 'block'; \
             document.getElementById('rule-0-metric').value = ''; \
             document.getElementById('rule-0-threshold').value = ''; return true;",
        )
        .await;
    assert_eq!(set, Value::Bool(true));
    s.type_into("#rule-0-metric", METRIC).await;
    s.type_into("#rule-0-threshold", threshold).await;
}

/// An admin writes a policy: a threshold that is not a number is refused at its field; the
/// preview equals the API's simulation of the same draft; saving shows version 1, and
/// deactivating writes version 2.
async fn an_admin_previews_then_saves_a_policy(s: Session) {
    s.sign_in("demo-admin@example.com").await;
    s.open("/ui/policies").await;
    s.click("#new-policy").await;
    s.type_into("#policy-name", "Browser drift gate").await;
    fill_rule(&s, "a lot").await;
    s.click("#save").await;
    let summary = s.text("#error-summary").await;
    assert!(
        summary.contains("rules[0].threshold: must be a number"),
        "{summary}"
    );
    s.find("#error-summary a[href='#rule-0-threshold']").await;
    assert!(
        s.text("#rule-0-threshold-error")
            .await
            .contains("must be a number")
    );
    s.check_page("policy-form-errors").await;

    fill_rule(&s, THRESHOLD).await;
    s.click("#preview").await;
    let shown = s.text("#impact-summary").await;
    let admin = s.app.token_for(Role::Admin).await;
    let draft = json!({
        "policy": {
            "name": "Browser drift gate",
            "rules": [{"metric": METRIC, "op": "<=", "threshold": 0.1, "severity": "block"}],
        }
    });
    let (status, simulated) = s.app.post("/simulation/policy", Some(&admin), draft).await;
    assert_eq!(status, 200, "{simulated}");
    let expected = format!(
        "{} of {} evaluated models would change status.",
        simulated["changed"], simulated["models_evaluated"]
    );
    assert_eq!(shown, expected);
    for (transition, count) in simulated["by_transition"].as_object().expect("transitions") {
        let row = s
            .text(&format!(
                "#impact-transitions tbody tr:nth-child({})",
                1 + position(&simulated, transition)
            ))
            .await;
        assert!(row.contains(&transition.replace("->", " → ")), "{row}");
        assert!(row.ends_with(&count.to_string()), "{row}");
    }
    assert!(
        simulated["changed"].as_u64().expect("a count") > 0,
        "the demo has models this rule changes: {simulated}"
    );
    s.check_page("policy-preview").await;

    s.click("#save").await;
    let saved = s.text("#notice").await;
    assert!(saved.contains("Version 1 saved: active"), "{saved}");
    s.click("#toggle-active").await;
    let saved = s.text("#notice").await;
    assert!(saved.contains("Version 2 saved: inactive"), "{saved}");
    s.check_page("policy-saved").await;
}

/// Where `transition` comes in the simulation's (sorted) transitions.
fn position(simulated: &Value, transition: &str) -> usize {
    simulated["by_transition"]
        .as_object()
        .and_then(|t| t.keys().position(|k| k == transition))
        .expect("a transition of the answer")
}

/// A viewer sees no way into the editor, and the editor itself is the 403 page.
async fn a_viewer_cannot_write_policies(s: Session) {
    s.sign_in("demo-viewer@example.com").await;
    s.open("/ui/policies").await;
    assert!(s.find_all("#new-policy").await.is_empty());
    s.open("/ui/policies/1").await;
    assert!(s.find_all("#edit-policy, #toggle-active").await.is_empty());
    s.open("/ui/policies/new").await;
    let page = s.text("body").await;
    assert!(page.contains("Status 403"), "{page}");
}

per_backend!(
    crate::browser::harness::with_browser =>
    an_admin_previews_then_saves_a_policy,
    a_viewer_cannot_write_policies,
);
