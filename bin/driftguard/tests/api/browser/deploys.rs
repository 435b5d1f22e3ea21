//! Deploy, override and retire in the browser, on the demo's models: an engineer deploys a
//! passing model (and an empty environment is refused at its field); a failing model's
//! deploy is blocked and shows each violation with its rule and observed value; an
//! approver's override is refused with a short justification, then confirmed and recorded,
//! in the audit log with the chain verified (and a critical model's becomes a request for a
//! second approver); retiring is confirmed first; a viewer has no enabled control and forged
//! posts are refused; and the whole override can be done with the keyboard alone.

use driftguard_test_kit::per_backend;
use serde_json::{Value, json};

use super::harness::{PASSWORD, Session};
use super::webdriver::{ENTER, SPACE};

const JUSTIFICATION: &str = "Drift is seasonal; the retrain ships on Monday (ticket RISK-88).";

/// The demo model with this name and version: its id.
async fn model_id(s: &Session, name: &str, version: &str) -> i64 {
    let token = s.app.login("demo-admin@example.com", PASSWORD).await;
    let (status, found) = s
        .app
        .get(&format!("/models?q={name}&limit=100"), &token)
        .await;
    assert_eq!(status, 200, "{found}");
    found["models"]
        .as_array()
        .and_then(|all| all.iter().find(|m| m["version"] == version))
        .and_then(|m| m["id"].as_i64())
        .unwrap_or_else(|| panic!("{name} {version} is a demo model: {found}"))
}

/// The model's history rows, newest first, as the API lists them.
async fn history(s: &Session, model: i64) -> Vec<Value> {
    let token = s.app.login("demo-admin@example.com", PASSWORD).await;
    let (status, rows) = s
        .app
        .get(&format!("/models/{model}/deployments?limit=100"), &token)
        .await;
    assert_eq!(status, 200, "{rows}");
    rows["deployments"].as_array().cloned().unwrap_or_default()
}

/// Replaces what a text field holds (the fields start with a value).
async fn replace(s: &Session, css: &str, text: &str) {
    s.script(&format!(
        "document.querySelector({css:?}).value = ''; return true;"
    ))
    .await;
    if !text.is_empty() {
        s.type_into(css, text).await;
    }
}

/// Whether the element matching `css` cannot be used (its own `disabled`, or a disabled
/// fieldset around it).
async fn disabled(s: &Session, css: &str) -> bool {
    s.script(&format!(
        "return document.querySelector({css:?}).matches(':disabled');"
    ))
    .await
        == Value::Bool(true)
}

/// The landed page's status message names row `id` of the history, and links to it in the
/// audit log.
async fn assert_row_shown(s: &Session, row: &Value) {
    let id = row["id"].as_i64().expect("a row id");
    let shown = s.text(&format!("#notice #audit-row-{id}")).await;
    assert!(
        shown.contains(row["outcome"].as_str().expect("an outcome")),
        "{shown} / {row}"
    );
    let link = s.find("#notice-audit-link").await;
    let href = s.browser.text(&link).await.expect("the link's text");
    assert!(href.contains(&format!("row {id}")), "{href}");
}

/// The model's newest row is the override with [`JUSTIFICATION`], and the page says so: the
/// row.
async fn assert_overridden(s: &Session, model: i64) -> Value {
    let row = history(s, model).await[0].clone();
    assert_eq!(
        (&row["outcome"], &row["override_reason"]),
        (&json!("overridden"), &json!(JUSTIFICATION)),
        "{row}"
    );
    let notice = s.text("#notice").await;
    assert!(
        notice.contains("overriding its failing governance result"),
        "{notice}"
    );
    row
}

async fn an_engineer_deploys_a_passing_model(s: Session) {
    let model = model_id(&s, "store-demand", "4.2.1").await;
    s.sign_in("demo-engineer@example.com").await;
    s.open(&format!("/ui/models/{model}")).await;
    let outlook = s.text("#deploy-outlook").await;
    assert!(outlook.contains("Deploying now is allowed"), "{outlook}");
    s.check_page("deploy-form").await;

    replace(&s, "#deploy-environment", "").await;
    s.click("#deploy-button").await;
    let summary = s.text("#error-summary").await;
    assert!(summary.contains("1 to 100 characters"), "{summary}");
    s.find("#error-summary a[href='#deploy-environment']").await;
    let at_field = s.text("#deploy-environment-error").await;
    assert!(at_field.contains("1 to 100 characters"), "{at_field}");
    s.check_page("deploy-error").await;

    replace(&s, "#deploy-environment", "staging").await;
    s.type_into("#deploy-notes", "Weekly refresh.").await;
    s.click("#deploy-button").await;
    let rows = history(&s, model).await;
    let row = &rows[0];
    assert_eq!(
        (&row["outcome"], &row["environment"], &row["notes"]),
        (
            &json!("deployed"),
            &json!("staging"),
            &json!("Weekly refresh.")
        ),
        "{row}"
    );
    assert_eq!(
        s.path().await,
        format!("/ui/models/{model}?done=history-{}", row["id"])
    );
    let notice = s.text("#notice").await;
    assert!(notice.contains("deployed to staging by you"), "{notice}");
    assert_row_shown(&s, row).await;
    s.check_page("deployed").await;
}

async fn a_failing_deploy_shows_why_it_was_blocked(s: Session) {
    let model = model_id(&s, "credit-risk", "1.0.0").await;
    s.sign_in("demo-engineer@example.com").await;
    s.open(&format!("/ui/models/{model}")).await;
    let outlook = s.text("#deploy-outlook").await;
    assert!(outlook.contains("would be blocked"), "{outlook}");
    s.click("#deploy-button").await;

    let row = history(&s, model).await[0].clone();
    assert_eq!(row["outcome"], "blocked", "{row}");
    let notice = s.text("#notice").await;
    assert!(notice.contains("was blocked"), "{notice}");
    let role = s
        .script("return document.getElementById('notice').getAttribute('role');")
        .await;
    assert_eq!(role, json!("alert"));
    let violations = row["governance_result"]["violations"]
        .as_array()
        .expect("violations");
    assert!(!violations.is_empty(), "{row}");
    let rows = s.find_all("#blocked-violations tbody tr").await;
    assert_eq!(rows.len(), violations.len());
    for (tr, v) in rows.iter().zip(violations) {
        let text = s.browser.text(tr).await.expect("a row's text");
        let number = |x: &Value| format!("{:.4}", x.as_f64().expect("a number"));
        for part in [
            v["metric"].as_str().expect("metric").to_owned(),
            v["op"].as_str().expect("op").to_owned(),
            number(&v["threshold"]),
            v["severity"].as_str().expect("severity").to_owned(),
            number(&v["observed"]),
        ] {
            assert!(text.contains(&part), "{part} in {text} ({v})");
        }
    }
    assert_row_shown(&s, &row).await;
    assert!(
        s.find_all("#override-blocked").await.is_empty(),
        "an engineer is offered no override"
    );
    s.check_page("deploy-blocked").await;
}

async fn an_approver_overrides_after_confirming(s: Session) {
    let model = model_id(&s, "credit-risk", "1.0.0").await;
    s.sign_in("demo-approver@example.com").await;
    s.open(&format!("/ui/models/{model}")).await;
    s.click("#override-start").await;
    s.check_page("override-form").await;

    s.type_into("#override-justification", "too short").await;
    s.click("#override-review").await;
    let summary = s.text("#error-summary").await;
    assert!(summary.contains("at least 20 characters"), "{summary}");
    s.find("#error-summary a[href='#override-justification']")
        .await;
    let at_field = s.text("#override-justification-error").await;
    assert!(at_field.contains("at least 20 characters"), "{at_field}");
    s.check_page("override-error").await;

    replace(&s, "#override-justification", JUSTIFICATION).await;
    s.click("#override-review").await;
    let named = s.text("#override-summary").await;
    for part in ["credit-risk 1.0.0", "production", JUSTIFICATION] {
        assert!(named.contains(part), "{part} in {named}");
    }
    assert!(
        !s.find_all("#overridden-violations tbody tr")
            .await
            .is_empty()
    );
    let focus = s
        .script(
            "return [document.activeElement === document.body, \
             document.querySelectorAll('[autofocus]').length];",
        )
        .await;
    assert_eq!(
        focus,
        json!([true, 0]),
        "nothing takes the focus on its own"
    );
    s.check_page("override-confirmation").await;

    s.click("#override-confirm").await;
    let row = assert_overridden(&s, model).await;
    assert_row_shown(&s, &row).await;
    s.check_page("overridden").await;

    // A critical model needs a second approver: the override becomes a request.
    let fraud = model_id(&s, "card-fraud", "0.9.0").await;
    s.open(&format!("/ui/models/{fraud}/override")).await;
    s.type_into("#override-justification", JUSTIFICATION).await;
    s.click("#override-review").await;
    let effect = s.text("#override-effect").await;
    assert!(effect.contains("second, different approver"), "{effect}");
    s.click("#override-confirm").await;
    let notice = s.text("#notice").await;
    assert!(notice.contains("waiting for a second approver"), "{notice}");
    let request = history(&s, fraud).await[0]["override_request_id"].clone();
    s.click("#pending-request").await;
    s.find(&format!("#override-request-{request}")).await;
    s.check_page("override-requested").await;

    s.click("form[action$='/sign-out'] button").await;
    s.sign_in("demo-admin@example.com").await;
    s.open(&format!("/ui/audit?verify=1&model_id={model}"))
        .await;
    let chain = s.text("#chain").await;
    assert!(chain.contains("intact"), "{chain}");
    let audit_row = s.text(&format!("#audit-row-{}", row["id"])).await;
    assert!(
        audit_row.contains("overridden") && audit_row.contains(JUSTIFICATION),
        "{audit_row}"
    );
}

async fn retiring_is_confirmed_first(s: Session) {
    let model = model_id(&s, "customer-churn", "2.3.0").await;
    s.sign_in("demo-approver@example.com").await;
    s.open(&format!("/ui/models/{model}")).await;
    s.click("#retire-start").await;
    let effect = s.text("#retire-effect").await;
    assert!(effect.contains("out of service"), "{effect}");
    assert_eq!(
        history(&s, model).await[0]["outcome"],
        "deployed",
        "nothing happens before confirming"
    );
    s.check_page("retire-confirmation").await;
    s.type_into("#retire-notes", "Replaced by the new churn model.")
        .await;
    s.click("#retire-confirm").await;
    let row = history(&s, model).await[0].clone();
    assert_eq!(row["outcome"], "retired", "{row}");
    let notice = s.text("#notice").await;
    assert!(notice.contains("retired by you"), "{notice}");
    assert_row_shown(&s, &row).await;
    assert!(
        disabled(&s, "#deploy-button").await,
        "a retired model cannot be deployed"
    );
    s.check_page("retired").await;
}

/// Builds and sends a form to `action` with `fields`, as another page could.
async fn forge(s: &Session, action: &str, fields: &[(&str, &str)]) {
    let fields = serde_json::to_string(fields).expect("fields");
    let forged = format!(
        "const form = document.createElement('form');\
         form.method = 'post'; form.action = {action:?};\
         for (const [name, value] of {fields}) {{\
           const input = document.createElement('input');\
           input.type = 'hidden'; input.name = name; input.value = value; form.appendChild(input);\
         }}\
         const button = document.createElement('button'); button.id = 'forged'; button.type = 'submit';\
         form.appendChild(button); document.body.appendChild(form); return true;"
    );
    assert_eq!(s.script(&forged).await, Value::Bool(true));
    s.click("#forged").await;
    let page = s.text("body").await;
    assert!(page.contains("Status 403"), "{action}: {page}");
}

async fn a_viewer_can_neither_deploy_nor_override_nor_retire(s: Session) {
    let model = model_id(&s, "credit-risk", "1.0.0").await;
    let before = history(&s, model).await.len();
    s.sign_in("demo-viewer@example.com").await;
    s.open(&format!("/ui/models/{model}")).await;
    let enabled = s
        .script(
            "return [...document.querySelectorAll('#deploy button, #deploy input:not([type=hidden]), #deploy textarea')]\
             .filter(c => !c.matches(':disabled')).map(c => c.id);",
        )
        .await;
    assert_eq!(
        enabled,
        json!([]),
        "a viewer's deploy section has no enabled control"
    );
    for why in ["#deploy-why", "#override-start-why", "#retire-start-why"] {
        let text = s.text(why).await;
        assert!(
            text.contains("you are signed in as viewer"),
            "{why}: {text}"
        );
    }
    s.check_page("deploy-viewer").await;

    let token = s
        .script("return document.querySelector(\"form[action$='/sign-out'] input[name=csrf_token]\").value;")
        .await;
    let token = token.as_str().expect("the session's token");
    let deploy = format!("/ui/models/{model}/deploy");
    forge(&s, &deploy, &[("environment", "production")]).await;
    forge(
        &s,
        &deploy,
        &[("csrf_token", token), ("environment", "production")],
    )
    .await;
    let over = format!("/ui/models/{model}/override");
    forge(
        &s,
        &over,
        &[
            ("csrf_token", token),
            ("step", "confirm"),
            ("justification", JUSTIFICATION),
        ],
    )
    .await;
    forge(
        &s,
        &format!("/ui/models/{model}/retire"),
        &[("csrf_token", token)],
    )
    .await;
    for page in ["override", "retire"] {
        s.open(&format!("/ui/models/{model}/{page}")).await;
        assert!(s.text("body").await.contains("Status 403"), "{page}");
    }
    assert_eq!(history(&s, model).await.len(), before, "nothing recorded");
}

async fn the_override_can_be_done_with_the_keyboard_alone(s: Session) {
    let model = model_id(&s, "credit-risk", "1.0.0").await;
    s.sign_in("demo-approver@example.com").await;
    s.open(&format!("/ui/models/{model}")).await;
    s.tab_to("#override-start").await;
    s.press_to_load(ENTER).await;
    let path = s.path().await;
    assert!(
        path.starts_with(&format!("/ui/models/{model}/override")),
        "{path}"
    );
    s.tab_to("#override-justification").await;
    s.press(JUSTIFICATION).await;
    s.tab_to("#override-review").await;
    s.press_to_load(ENTER).await;
    let named = s.text("#override-summary").await;
    assert!(named.contains(JUSTIFICATION), "{named}");
    let focused = s
        .script("return document.activeElement === document.body;")
        .await;
    assert_eq!(
        focused,
        Value::Bool(true),
        "no default focus on the confirmation"
    );
    s.tab_to("#override-confirm").await;
    s.press_to_load(SPACE).await;
    assert_overridden(&s, model).await;
}

per_backend!(
    crate::browser::harness::with_browser =>
    an_engineer_deploys_a_passing_model,
    a_failing_deploy_shows_why_it_was_blocked,
    an_approver_overrides_after_confirming,
    retiring_is_confirmed_first,
    a_viewer_can_neither_deploy_nor_override_nor_retire,
    the_override_can_be_done_with_the_keyboard_alone,
);
