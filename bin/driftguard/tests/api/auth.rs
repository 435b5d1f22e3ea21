//! Registration, sign-in, tokens and user administration.

use crate::helpers::{TestApp, replicas_sharing_redis};
use driftguard_core::{Role, UserId};
use driftguard_test_kit::per_backend;
use reqwest::Method;
use serde_json::json;

async fn register_creates_a_viewer(app: TestApp) {
    let (status, body) = app
        .post(
            "/auth/register",
            None,
            json!({"email": "New@Example.com", "password": "a long enough password", "full_name": "New"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["email"], "new@example.com");
    assert_eq!(body["role"], "viewer");
    assert!(body["id"].as_i64().is_some());
    assert!(body["created_at"].as_str().is_some());
    assert!(body.get("password_hash").is_none());

    let (status, body) = app
        .post(
            "/auth/register",
            None,
            json!({"email": "new@example.com", "password": "another long password"}),
        )
        .await;
    assert_eq!(status, 409, "{body}");
}

async fn a_taken_email_is_409_without_the_address(app: TestApp) {
    let register = json!({"email": "Taken@Example.com", "password": "a long enough password"});
    assert_eq!(
        app.post("/auth/register", None, register.clone()).await.0,
        201
    );
    let (status, body) = app.post("/auth/register", None, register).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["code"], "conflict");
    let text = body.to_string().to_lowercase();
    assert!(!text.contains("taken@example.com"), "{body}");
}

async fn register_rejects_bad_values_with_field_errors(app: TestApp) {
    let (status, body) = app
        .post(
            "/auth/register",
            None,
            json!({"email": "not-an-email", "password": "short"}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    let fields: Vec<_> = body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().expect("field"))
        .collect();
    assert_eq!(fields, ["email", "password"]);
    assert_eq!(body["code"], "validation_error");
}

async fn login_gives_a_token_and_one_message_for_every_failure(app: TestApp) {
    app.services
        .auth
        .create_user(
            "ada@example.com",
            "correct horse battery",
            None,
            Role::Engineer,
        )
        .await
        .expect("user");
    let (status, body) = app
        .post(
            "/auth/login",
            None,
            json!({"email": "ada@example.com", "password": "correct horse battery"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["user"]["role"], "engineer");
    let token = body["access_token"].as_str().expect("token");

    let (status, me) = app.get("/auth/me", token).await;
    assert_eq!(status, 200);
    assert_eq!(me["email"], "ada@example.com");

    let (s1, wrong_password) = app
        .post(
            "/auth/login",
            None,
            json!({"email": "ada@example.com", "password": "wrong password!"}),
        )
        .await;
    let (s2, wrong_email) = app
        .post(
            "/auth/login",
            None,
            json!({"email": "bob@example.com", "password": "correct horse battery"}),
        )
        .await;
    assert_eq!((s1, s2), (401, 401));
    assert_eq!(wrong_password["detail"], "Incorrect email or password");
    assert_eq!(wrong_password["detail"], wrong_email["detail"]);
}

async fn bad_tokens_are_401(app: TestApp) {
    let (status, body) = app.send(Method::GET, "/auth/me", None, None).await;
    assert_eq!(status, 401, "{body}");
    for token in ["garbage", "a.b.c", "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0."] {
        let (status, _) = app.get("/auth/me", token).await;
        assert_eq!(status, 401, "token {token}");
    }
    // Signed with another secret.
    let other = driftguard_auth::TokenService::new(
        &secrecy::SecretString::from("another-secret-".repeat(3)),
        "driftguard",
        std::time::Duration::from_secs(60),
    );
    let forged = other.issue(UserId(1), Role::Admin).expect("forged");
    assert_eq!(app.get("/auth/me", &forged).await.0, 401);
}

async fn admins_list_users_and_change_roles(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let viewer = app.token_for(Role::Viewer).await;
    let (status, body) = app.get("/users?limit=1", &admin).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["pagination"]["total"], 2);
    assert_eq!(body["pagination"]["pages"], 2);
    assert_eq!(body["users"].as_array().expect("users").len(), 1);

    let (_, me) = app.get("/auth/me", &viewer).await;
    let path = format!("/users/{}/role", me["id"]);
    let (status, body) = app
        .send(
            Method::PUT,
            &path,
            Some(&admin),
            Some(json!({"role": "approver"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["role"], "approver");
    // The role is read from the store, so the old token already carries the new rights.
    let (_, me) = app.get("/auth/me", &viewer).await;
    assert_eq!(me["role"], "approver");

    let (status, _) = app
        .send(
            Method::PUT,
            "/users/999999/role",
            Some(&admin),
            Some(json!({"role": "admin"})),
        )
        .await;
    assert_eq!(status, 404);
    let (status, body) = app
        .send(
            Method::PUT,
            &path,
            Some(&admin),
            Some(json!({"role": "superuser"})),
        )
        .await;
    assert_eq!(status, 422, "{body}");
}

async fn bootstrap_admin_only_on_an_empty_database(app: TestApp) {
    let auth = &app.services.auth;
    let admin = auth
        .bootstrap_admin("root@example.com", "a bootstrap password")
        .await
        .expect("bootstrap")
        .expect("created on an empty database");
    assert_eq!(admin.role, Role::Admin);
    let again = auth
        .bootstrap_admin("other@example.com", "a bootstrap password")
        .await
        .expect("bootstrap");
    assert!(again.is_none(), "users exist: nothing is created");
    let token = app.login("root@example.com", "a bootstrap password").await;
    assert_eq!(app.get("/users", &token).await.0, 200);
}

/// The id of the token's user.
/// The password of the users the tests below create.
const PASSWORD: &str = "correct horse battery staple";

/// Creates `email` with `role` and [`PASSWORD`], as the CLI would.
async fn create_user(app: &TestApp, email: &str, role: Role) {
    app.services
        .auth
        .create_user(email, PASSWORD, None, role)
        .await
        .expect("user");
}

async fn id_of(app: &TestApp, token: &str) -> i64 {
    let (status, me) = app.get("/auth/me", token).await;
    assert_eq!(status, 200, "{me}");
    me["id"].as_i64().expect("id")
}

async fn logout_ends_every_session_of_the_caller(app: TestApp) {
    let (email, password) = ("leaving@example.com", PASSWORD);
    create_user(&app, email, Role::Viewer).await;
    let here = app.login(email, password).await;
    let elsewhere = app.login(email, password).await;
    // Issued a moment before the sign-out, most likely in the same second: refused all the
    // same (`iat` counts whole seconds, and the comparison is `iat <= tokens_valid_after`).
    let (status, body) = app.post("/auth/logout", Some(&here), json!({})).await;
    assert_eq!(status, 204, "{body}");
    for token in [&here, &elsewhere] {
        let (status, body) = app.get("/auth/me", token).await;
        assert_eq!(status, 401, "{body}");
        assert_eq!(body["code"], "unauthorized");
    }
    assert_eq!(
        app.post("/auth/logout", Some(&here), json!({})).await.0,
        401
    );
    assert_eq!(
        app.send(Method::POST, "/auth/logout", None, None).await.0,
        401
    );
    // Signing in again right away gives a token that works.
    let fresh = app.login(email, password).await;
    assert_eq!(app.get("/auth/me", &fresh).await.0, 200);
}

async fn an_admin_ends_every_session_of_a_user(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let (email, password) = ("suspended@example.com", PASSWORD);
    create_user(&app, email, Role::Engineer).await;
    let token = app.login(email, password).await;
    let id = id_of(&app, &token).await;
    let path = format!("/users/{id}/sessions/revoke");
    assert_eq!(app.post(&path, Some(&token), json!({})).await.0, 403);
    let (status, body) = app.post(&path, Some(&admin), json!({})).await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(app.get("/auth/me", &token).await.0, 401);
    assert_eq!(app.get("/models", &token).await.0, 401);
    // The admin's own sessions go on.
    assert_eq!(app.get("/users", &admin).await.0, 200);
    let fresh = app.login(email, password).await;
    assert_eq!(app.get("/auth/me", &fresh).await.0, 200);
    let (status, body) = app
        .post("/users/999999/sessions/revoke", Some(&admin), json!({}))
        .await;
    assert_eq!(status, 404, "{body}");
}

async fn the_last_admin_cannot_be_demoted_and_role_changes_are_recorded(app: TestApp) {
    let first = app.token_for(Role::Admin).await;
    let first_id = id_of(&app, &first).await;
    let own_role = format!("/users/{first_id}/role");
    let (status, body) = app
        .send(
            Method::PUT,
            &own_role,
            Some(&first),
            Some(json!({"role": "approver"})),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["code"], "conflict");
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("last admin")),
        "{body}"
    );
    let (_, me) = app.get("/auth/me", &first).await;
    assert_eq!(me["role"], "admin");

    let second = app.token_for(Role::Viewer).await;
    let second_id = id_of(&app, &second).await;
    let (status, body) = app
        .send(
            Method::PUT,
            &format!("/users/{second_id}/role"),
            Some(&first),
            Some(json!({"role": "admin"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    // Two admins: the first may step down, and the second is then the last.
    let (status, body) = app
        .send(
            Method::PUT,
            &own_role,
            Some(&second),
            Some(json!({"role": "viewer"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = app
        .send(
            Method::PUT,
            &format!("/users/{second_id}/role"),
            Some(&second),
            Some(json!({"role": "engineer"})),
        )
        .await;
    assert_eq!(status, 409);

    let (status, history) = app
        .get(&format!("/users/{first_id}/role-changes"), &second)
        .await;
    assert_eq!(status, 200, "{history}");
    assert_eq!(
        history["pagination"]["total"], 1,
        "a refused change is not recorded"
    );
    let change = &history["role_changes"][0];
    assert_eq!(change["user_id"], first_id);
    assert_eq!(change["changed_by"], second_id);
    assert_eq!(change["from_role"], "admin");
    assert_eq!(change["to_role"], "viewer");
    assert!(change["changed_at"].as_str().is_some(), "{change}");
    let (status, history) = app
        .get(&format!("/users/{second_id}/role-changes"), &second)
        .await;
    assert_eq!(status, 200);
    assert_eq!(history["role_changes"][0]["changed_by"], first_id);
    // Only admins read it (the first is a viewer now); an unknown user is a 404.
    assert_eq!(
        app.get(&format!("/users/{second_id}/role-changes"), &first)
            .await
            .0,
        403
    );
    assert_eq!(app.get("/users/999999/role-changes", &second).await.0, 404);
}

per_backend!(
    crate::helpers::with_app =>
    bootstrap_admin_only_on_an_empty_database,
    register_creates_a_viewer,
    a_taken_email_is_409_without_the_address,
    logout_ends_every_session_of_the_caller,
    an_admin_ends_every_session_of_a_user,
    the_last_admin_cannot_be_demoted_and_role_changes_are_recorded,
    register_rejects_bad_values_with_field_errors,
    login_gives_a_token_and_one_message_for_every_failure,
    bad_tokens_are_401,
    admins_list_users_and_change_roles
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_registration_is_403() {
    let app = crate::helpers::spawn_app_with(crate::helpers::Backend::Sqlite, |s| {
        s.auth.open_registration = false;
    })
    .await
    .expect("app");
    let (status, body) = app
        .post(
            "/auth/register",
            None,
            json!({"email": "x@example.com", "password": "a long enough password"}),
        )
        .await;
    assert_eq!(status, 403, "{body}");
}

/// Two replicas on one database and one Redis, where each remembers the users that tokens
/// name: a role change and the end of a user's sessions through one replica take effect on
/// the next request through the other, which had the user remembered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn role_changes_and_ended_sessions_reach_every_replica_at_once() {
    let Some((a, b)) = replicas_sharing_redis("users").await else {
        return;
    };
    let admin = a.token_for(Role::Admin).await;
    let (email, password) = ("moved@example.com", PASSWORD);
    create_user(&a, email, Role::Viewer).await;
    let token = b.login(email, password).await;
    let id = id_of(&b, &token).await;
    // Remembered by now, on both replicas (they share Redis).
    assert_eq!(b.get("/users", &token).await.0, 403);
    assert_eq!(a.get("/users", &token).await.0, 403);

    let (status, body) = a
        .send(
            Method::PUT,
            &format!("/users/{id}/role"),
            Some(&admin),
            Some(json!({"role": "admin"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, me) = b.get("/auth/me", &token).await;
    assert_eq!((status, me["role"].as_str()), (200, Some("admin")), "{me}");
    assert_eq!(b.get("/users", &token).await.0, 200);

    let revoke = format!("/users/{id}/sessions/revoke");
    let (status, body) = a.post(&revoke, Some(&admin), json!({})).await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(b.get("/auth/me", &token).await.0, 401);
    assert_eq!(a.get("/auth/me", &token).await.0, 401);
}
