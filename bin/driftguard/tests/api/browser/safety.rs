//! What the UI refuses: a viewer sees no admin page, and a form sent without its CSRF token
//! changes nothing.

use driftguard_test_kit::per_backend;

use super::harness::Session;

/// Whether the page shown is the 403 error page.
async fn assert_forbidden(s: &Session) {
    let page = s.text("body").await;
    assert!(page.contains("Status 403"), "{page}");
}

/// A viewer's navigation has no Users link, and the admin page itself is a 403 page.
async fn a_viewer_sees_no_admin_pages(s: Session) {
    s.sign_in("demo-viewer@example.com").await;
    s.open("/ui").await;
    let links = s.find_all("nav a[href$='/ui/users']").await;
    assert!(links.is_empty(), "a viewer's navigation links to Users");
    s.open("/ui/users").await;
    assert_forbidden(&s).await;
    assert!(
        s.find_all("#users-table").await.is_empty(),
        "a viewer sees the user list"
    );
    s.check_page("forbidden").await;
}

/// Takes the CSRF field out of the sign-out form: whether it was there.
const DROP_CSRF_FIELD: &str = "const field = document.querySelector(\
    \"form[action$='/sign-out'] input[name=csrf_token]\");\
    if (field) { field.remove(); } return field !== null;";

/// Sign-out sent without its CSRF token is refused, and the session stays.
async fn a_form_without_its_csrf_token_is_refused(s: Session) {
    s.sign_in("demo-approver@example.com").await;
    s.open("/ui").await;
    let removed = s.script(DROP_CSRF_FIELD).await;
    assert_eq!(
        removed,
        serde_json::Value::Bool(true),
        "the sign-out form has a CSRF field"
    );
    s.click("form[action$='/sign-out'] button").await;
    assert_forbidden(&s).await;
    s.open("/ui/models").await;
    assert_eq!(
        s.path().await,
        "/ui/models",
        "the session survives a refused sign-out"
    );
}

per_backend!(
    crate::browser::harness::with_browser =>
    a_viewer_sees_no_admin_pages,
    a_form_without_its_csrf_token_is_refused,
);
