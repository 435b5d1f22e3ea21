//! Changing roles in the browser (admins): the change is made and recorded, the last admin
//! keeps the role and the page says why, and a viewer's forged form changes nothing.

use driftguard_core::{Role, UserId};
use driftguard_test_kit::per_backend;
use serde_json::Value;

use super::harness::Session;

/// The demo account with this email, as stored.
async fn user(s: &Session, email: &str) -> driftguard_auth::User {
    s.app
        .services
        .auth
        .user_by_email(email)
        .await
        .expect("the store answers")
        .unwrap_or_else(|| panic!("{email} is a demo account"))
}

/// Chooses `role` in the select of the user with this id.
async fn choose(s: &Session, id: UserId, role: Role) {
    let chosen = s
        .script(&format!(
            "const select = document.getElementById('role-{}'); select.value = '{}'; \
             return select.value;",
            id.0,
            role.as_str()
        ))
        .await;
    assert_eq!(chosen, Value::String(role.as_str().to_owned()));
}

/// An admin makes the viewer an engineer: the page says so with the recorded change, the
/// list shows the new role, and the store has it.
async fn an_admin_changes_a_role_and_sees_it_recorded(s: Session) {
    s.sign_in("demo-admin@example.com").await;
    let viewer = user(&s, "demo-viewer@example.com").await;
    s.open("/ui/users").await;
    choose(&s, viewer.id, Role::Engineer).await;
    s.click(&format!(
        "form[action$='/users/{}/role'] button",
        viewer.id.0
    ))
    .await;
    let status = s.text("#notice").await;
    assert!(
        status.contains("demo-viewer@example.com is now engineer (was viewer)"),
        "{status}"
    );
    assert!(status.contains("Recorded as role change"), "{status}");
    assert_eq!(
        user(&s, "demo-viewer@example.com").await.role,
        Role::Engineer
    );
    let selected = s
        .script(&format!(
            "return document.getElementById('role-{}').value;",
            viewer.id.0
        ))
        .await;
    assert_eq!(selected, Value::String("engineer".into()));
    s.check_page("users-role-changed").await;
}

/// The last admin demoting themselves is refused: a 409 page with the reason at the top,
/// linking to the field, and at the field; the role stays.
async fn the_last_admin_is_told_why_they_stay_admin(s: Session) {
    s.sign_in("demo-admin@example.com").await;
    let admin = user(&s, "demo-admin@example.com").await;
    s.open("/ui/users").await;
    choose(&s, admin.id, Role::Viewer).await;
    s.click(&format!(
        "form[action$='/users/{}/role'] button",
        admin.id.0
    ))
    .await;
    let summary = s.text("#error-summary").await;
    assert!(summary.contains("last admin"), "{summary}");
    s.find(&format!("#error-summary a[href='#role-{}']", admin.id.0))
        .await;
    let at_field = s.text(&format!("#role-error-{}", admin.id.0)).await;
    assert!(at_field.contains("last admin"), "{at_field}");
    assert_eq!(user(&s, "demo-admin@example.com").await.role, Role::Admin);
    s.check_page("users-last-admin").await;
}

/// A viewer posting the role form with their own session's CSRF token (a forged form) gets
/// the 403 page, and nobody's role changes.
async fn a_viewers_forged_role_change_is_refused(s: Session) {
    s.sign_in("demo-viewer@example.com").await;
    let viewer = user(&s, "demo-viewer@example.com").await;
    s.open("/ui").await;
    let forged = format!(
        "const token = document.querySelector(\"form[action$='/sign-out'] input[name=csrf_token]\").value;\
         const form = document.createElement('form');\
         form.method = 'post'; form.action = '/ui/users/{}/role';\
         for (const [name, value] of [['csrf_token', token], ['role', 'admin']]) {{\
           const input = document.createElement('input');\
           input.type = 'hidden'; input.name = name; input.value = value; form.appendChild(input);\
         }}\
         const button = document.createElement('button'); button.id = 'forged'; button.type = 'submit';\
         form.appendChild(button); document.body.appendChild(form); return true;",
        viewer.id.0
    );
    assert_eq!(s.script(&forged).await, Value::Bool(true));
    s.click("#forged").await;
    let page = s.text("body").await;
    assert!(page.contains("Status 403"), "{page}");
    assert_eq!(user(&s, "demo-viewer@example.com").await.role, Role::Viewer);
}

per_backend!(
    crate::browser::harness::with_browser =>
    an_admin_changes_a_role_and_sees_it_recorded,
    the_last_admin_is_told_why_they_stay_admin,
    a_viewers_forged_role_change_is_refused,
);
