//! axe-core in the page: injected through WebDriver (the page's CSP does not apply to the
//! driver's scripts), run over the whole document, and any serious or critical violation
//! reported with the elements it names.

use serde_json::Value;

use super::webdriver::Browser;

/// Runs axe and answers the violations of the impacts that fail a page, summarised.
const RUN: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, { resultTypes: ["violations"] })
  .then(result => done(result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => ({ id: v.id, impact: v.impact, help: v.help,
                 nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " " + n.html.slice(0, 160)) }))))
  .catch(error => done({ error: String(error) }));
"#;

/// Asserts that axe finds no serious or critical violation on the page now shown.
pub async fn assert_accessible(browser: &Browser, axe_source: &str, page: &str) {
    let loaded = browser
        .execute("return typeof axe === 'object';", vec![])
        .await;
    if loaded.ok() != Some(Value::Bool(true)) {
        browser
            .execute(axe_source, vec![])
            .await
            .unwrap_or_else(|e| panic!("injecting axe into {page}: {e}"));
    }
    let found = browser
        .execute_async(RUN, vec![])
        .await
        .unwrap_or_else(|e| panic!("axe on {page}: {e}"));
    let violations = found
        .as_array()
        .unwrap_or_else(|| panic!("axe on {page} failed: {found}"));
    assert!(
        violations.is_empty(),
        "axe: serious or critical violations on {page}:\n{}",
        serde_json::to_string_pretty(violations).unwrap_or_default()
    );
}
