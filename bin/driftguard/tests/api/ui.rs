//! The dashboard UI over real HTTP, on both backends: the redirect to it, signing in and
//! out (the cookie's attributes, the return to the page asked for, revocation), CSRF and
//! cross-site refusals, the security headers, the error pages, the admin page's refusal of a
//! viewer, and the model table's pages and filters; the overview's numbers against
//! `/dashboard/summary`. (What needs a real browser is the browser suite's.)

use crate::helpers::{Backend, TestApp, spawn_app_with};
use crate::ui_browser::Browser;
use driftguard_core::Role;
use driftguard_test_kit::per_backend;

async fn root_redirects_and_pages_need_a_session(app: TestApp) {
    let mut browser = Browser::new(&app);
    let root = browser.get("/").await;
    assert_eq!((root.status, root.header("location")), (303, "/ui"));
    let page = browser.get("/ui/models?status=deployed").await;
    assert_eq!(page.status, 303);
    assert_eq!(
        page.header("location"),
        "/ui/sign-in?next=%2Fui%2Fmodels%3Fstatus%3Ddeployed",
        "back to the page asked for after signing in"
    );
}

async fn sign_in_sets_a_strict_cookie_and_returns_to_the_page_asked_for(app: TestApp) {
    let mut browser = Browser::new(&app);
    app.services
        .auth
        .create_user(
            "ana@example.com",
            "correct horse battery staple",
            None,
            Role::Viewer,
        )
        .await
        .expect("user");
    let wrong = browser
        .sign_in(
            "ana@example.com",
            "not her password at all",
            "/ui/models?risk_tier=high",
        )
        .await;
    assert_eq!(wrong.status, 401);
    assert!(wrong.header("content-type").starts_with("text/html"));
    assert!(
        wrong.body.contains("Incorrect email or password"),
        "{}",
        wrong.body
    );
    let signed_in = browser
        .sign_in(
            "ana@example.com",
            "correct horse battery staple",
            "/ui/models?risk_tier=high",
        )
        .await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    assert_eq!(signed_in.header("location"), "/ui/models?risk_tier=high");
    let session = signed_in
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("driftguard_session="))
        .expect("a session cookie");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/ui", "Max-Age="] {
        assert!(session.contains(attribute), "{attribute} in {session}");
    }
    assert!(
        !session.contains("Secure"),
        "plain HTTP without the setting: {session}"
    );
    // The cookie carries the API's JWT: three base64url parts.
    let token = session["driftguard_session=".len()..]
        .split(';')
        .next()
        .expect("value");
    assert_eq!(token.split('.').count(), 3);
    assert_eq!(browser.get("/ui/models?risk_tier=high").await.status, 200);
    // Another site's address is never where a sign-in leads.
    let mut other = Browser::new(&app);
    let page = other
        .sign_in(
            "ana@example.com",
            "correct horse battery staple",
            "//evil.example/ui",
        )
        .await;
    assert_eq!(page.header("location"), "/ui");
}

#[tokio::test]
async fn the_secure_setting_marks_the_cookie_secure() {
    let app = spawn_app_with(Backend::Sqlite, |s| s.ui.secure_cookies = true)
        .await
        .expect("SQLite is always there");
    let mut browser = Browser::new(&app);
    app.services
        .auth
        .create_user(
            "sec@example.com",
            "correct horse battery staple",
            None,
            Role::Viewer,
        )
        .await
        .expect("user");
    let page = browser
        .sign_in("sec@example.com", "correct horse battery staple", "/ui")
        .await;
    let session = page
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("driftguard_session="))
        .expect("a session cookie");
    assert!(session.contains("Secure"), "{session}");
}

async fn unsafe_requests_need_the_token_and_this_origin(app: TestApp) {
    let mut browser = Browser::signed_in(&app, Role::Viewer).await;
    let token = browser.csrf().await;
    let origin = browser.address().to_owned();
    let without = browser.post("/ui/sign-out", &[], Some(&origin)).await;
    assert_eq!(without.status, 403, "no token");
    assert!(without.header("content-type").starts_with("text/html"));
    let wrong = browser
        .post(
            "/ui/sign-out",
            &[("csrf_token", "0".repeat(64).as_str())],
            Some(&origin),
        )
        .await;
    assert_eq!(wrong.status, 403, "another token");
    let foreign = browser
        .post(
            "/ui/sign-out",
            &[("csrf_token", &token)],
            Some("https://evil.example"),
        )
        .await;
    assert_eq!(foreign.status, 403, "a foreign Origin");
    let cross_site = browser
        .post_with(
            "/ui/sign-out",
            &[("csrf_token", &token)],
            &[("Sec-Fetch-Site", "cross-site")],
        )
        .await;
    assert_eq!(cross_site.status, 403, "Sec-Fetch-Site: cross-site");
    let sign_in_without_token = Browser::new(&app)
        .post(
            "/ui/sign-in",
            &[("email", "a@example.com"), ("password", "x")],
            Some(&origin),
        )
        .await;
    assert_eq!(
        sign_in_without_token.status, 403,
        "the sign-in form has a token too"
    );
    assert_eq!(browser.get("/ui").await.status, 200, "still signed in");
    let signed_out = browser
        .post("/ui/sign-out", &[("csrf_token", &token)], Some(&origin))
        .await;
    assert_eq!(
        (signed_out.status, signed_out.header("location")),
        (303, "/ui/sign-in")
    );
    assert!(
        signed_out
            .set_cookies()
            .iter()
            .any(|c| c.starts_with("driftguard_session=;"))
    );
    assert_eq!(browser.get("/ui").await.status, 303, "the cookie is gone");
}

async fn sign_out_revokes_the_token_itself(app: TestApp) {
    let mut browser = Browser::signed_in(&app, Role::Viewer).await;
    let kept = browser.get("/ui").await;
    let token = kept.attribute_of_named("csrf_token");
    // A copy of the cookie taken before signing out is refused afterwards.
    let cookie = browser.session_cookie().expect("signed in");
    let mut copy = Browser::new(&app);
    let origin = browser.address().to_owned();
    browser
        .post("/ui/sign-out", &[("csrf_token", &token)], Some(&origin))
        .await;
    let page = copy.get_with_cookie("/ui", &cookie).await;
    assert_eq!(page.status, 303);
    assert!(page.header("location").starts_with("/ui/sign-in"));
}

async fn pages_carry_the_security_headers_and_assets_are_cached(app: TestApp) {
    let mut browser = Browser::signed_in(&app, Role::Viewer).await;
    for path in ["/ui", "/ui/sign-in", "/ui/nowhere"] {
        let page = browser.get(path).await;
        let csp = page.header("content-security-policy");
        assert!(
            csp.contains("default-src 'none'") && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert_eq!(page.header("x-frame-options"), "DENY", "{path}");
        assert_eq!(page.header("referrer-policy"), "same-origin", "{path}");
        assert!(!page.body.contains("<script"), "no script on {path}");
        assert!(
            !page.body.contains(" style=\""),
            "no inline style on {path}"
        );
    }
    let page = browser.get("/ui").await;
    let href = page
        .body
        .split("rel=\"stylesheet\" href=\"")
        .nth(1)
        .expect("stylesheet");
    let href = &href[..href.find('"').expect("end")];
    assert!(
        href.starts_with("/ui/static/style.") && href.ends_with(".css"),
        "{href}"
    );
    let css = browser.get(href).await;
    assert_eq!(css.status, 200);
    assert!(css.header("cache-control").contains("immutable"));
    assert!(css.header("content-type").starts_with("text/css"));
    assert_eq!(
        browser
            .get("/ui/static/style.0000000000000000.css")
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn static_assets_are_not_rate_limited_but_pages_are() {
    let app = spawn_app_with(Backend::Sqlite, |s| s.rate_limits.enabled = true)
        .await
        .expect("SQLite is always there");
    let mut browser = Browser::new(&app);
    let page = browser.get("/ui/sign-in").await;
    assert_eq!(page.header("x-ratelimit-limit"), "100", "a page counts");
    let css = browser.get(driftguard_web::stylesheet_path()).await;
    assert_eq!(css.status, 200);
    assert_eq!(css.header("x-ratelimit-limit"), "", "an asset does not");
}

#[tokio::test]
async fn a_rate_limited_page_is_an_html_page_with_retry_after() {
    let app = spawn_app_with(Backend::Sqlite, |s| s.rate_limits.enabled = true)
        .await
        .expect("SQLite is always there");
    let mut browser = Browser::new(&app);
    // The sign-in form's POST counts in the login class: 5 a minute per client.
    for _ in 0..5 {
        let wrong = browser
            .sign_in("nobody@example.com", "not a password of anyone", "/ui")
            .await;
        assert_eq!(wrong.status, 401, "{}", wrong.body);
    }
    let refused = browser
        .sign_in("nobody@example.com", "not a password of anyone", "/ui")
        .await;
    assert_eq!(refused.status, 429);
    assert!(
        refused.header("content-type").starts_with("text/html"),
        "{}",
        refused.header("content-type")
    );
    assert!(
        refused
            .header("retry-after")
            .parse::<u64>()
            .expect("seconds")
            >= 1
    );
    let id = refused.header("x-request-id").to_owned();
    assert!(!id.is_empty());
    assert!(
        refused
            .body
            .contains(&format!("<code id=\"request-id\">{id}</code>")),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("Too many requests"));
    assert_eq!(refused.count("<h1"), 1);
    // The API's sign-in still answers its clients in JSON.
    let mut api = Browser::new(&app);
    for _ in 0..6 {
        let answer = api
            .post_with("/auth/login", &[("email", "a@b.c")], &[])
            .await;
        if answer.status == 429 {
            assert!(
                answer
                    .header("content-type")
                    .starts_with("application/json")
            );
            return;
        }
    }
    panic!("the API's sign-in is limited too");
}

/// The UI's sign-in calls the use case the API's does, so it shares its bound on password
/// hashes: with one slot, taken by a sign-in in flight, the form gets a 503 page at once.
#[tokio::test]
async fn a_sign_in_past_the_password_hash_bound_is_a_503_page() {
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.limits.max_concurrent_password_hashes = 1;
    })
    .await
    .expect("SQLite is always there");
    let (email, password) = ("busy@example.com", "correct horse battery staple");
    app.services
        .auth
        .create_user(email, password, None, Role::Viewer)
        .await
        .expect("user");
    // The in-flight sign-in holds the slot for its whole hash; the form's post needs one
    // round trip. A few tries make a slow machine's scheduling harmless.
    for _ in 0..5 {
        let mut browser = Browser::new(&app);
        let form = browser.get("/ui/sign-in?next=/ui").await;
        let token = form.attribute_of_named("csrf_token");
        let origin = app.address.clone();
        let fields = [
            ("email", email),
            ("password", password),
            ("csrf_token", token.as_str()),
            ("next", "/ui"),
        ];
        let (held, page) = tokio::join!(
            app.services.auth.login(email, password),
            browser.post("/ui/sign-in", &fields, Some(&origin)),
        );
        assert!(held.is_ok(), "the sign-in holding the slot: {held:?}");
        if page.status == 303 {
            continue;
        }
        assert_eq!(page.status, 503, "{}", page.body);
        assert!(page.header("content-type").starts_with("text/html"));
        assert_eq!(page.header("retry-after"), "1");
        assert!(
            page.body.contains("Too many sign-ins at once"),
            "{}",
            page.body
        );
        assert!(page.body.contains("id=\"request-id\""));
        return;
    }
    panic!("the form's sign-in never met the held slot");
}

async fn errors_are_html_pages_with_the_request_id(app: TestApp) {
    let mut browser = Browser::signed_in(&app, Role::Viewer).await;
    for path in [
        "/ui/nowhere",
        "/ui/models/987654",
        "/ui/models/not-a-number",
        "/ui/policies/987654",
    ] {
        let page = browser.get(path).await;
        assert_eq!(page.status, 404, "{path}");
        assert!(
            page.header("content-type").starts_with("text/html"),
            "{path}"
        );
        let id = page.header("x-request-id").to_owned();
        assert!(!id.is_empty());
        assert!(
            page.body
                .contains(&format!("<code id=\"request-id\">{id}</code>")),
            "{path}: {}",
            page.body
        );
        assert_eq!(page.count("<h1"), 1);
    }
    let bad = browser.get("/ui/models?status=flying").await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.body.contains("status"),
        "says what is wrong: {}",
        bad.body
    );
}

async fn a_viewer_gets_a_403_page_on_admin_pages(app: TestApp) {
    let mut viewer = Browser::signed_in(&app, Role::Viewer).await;
    let page = viewer.get("/ui/users").await;
    assert_eq!(page.status, 403);
    assert!(page.header("content-type").starts_with("text/html"));
    assert!(
        !viewer.get("/ui").await.body.contains("href=\"/ui/users\""),
        "no link to it"
    );
    assert!(
        !viewer
            .get("/ui/audit?verify=1")
            .await
            .body
            .contains("Chain status")
    );
    let mut admin = Browser::signed_in(&app, Role::Admin).await;
    let users = admin.get("/ui/users").await;
    assert_eq!(users.status, 200);
    assert!(users.body.contains("ui-viewer-"), "lists the users");
    let audit = admin.get("/ui/audit?verify=1").await;
    assert!(audit.body.contains("✓ intact"), "{}", audit.body);
}

async fn the_model_table_pages_filters_and_sorts(app: TestApp) {
    let engineer = app.token_for(Role::Engineer).await;
    for i in 0..12 {
        let tier = if i < 3 { "high" } else { "low" };
        app.create_model(&engineer, &format!("model-{i:02}"), "1.0", tier)
            .await;
    }
    app.create_model(&engineer, "alpha-scorer", "2.0", "medium")
        .await;
    let mut browser = Browser::signed_in(&app, Role::Viewer).await;
    let first = browser.get("/ui/models?sort=name").await;
    assert_eq!(first.status, 200);
    assert_eq!(first.count("<tr><th scope=\"row\">"), 10, "10 a page");
    assert!(first.body.contains("alpha-scorer") && first.body.contains("model-08"));
    assert!(!first.body.contains("model-09"));
    let next = first
        .attribute_of("page-next", "href")
        .expect("a next link");
    assert_eq!(next, "/ui/models?sort=name&skip=10");
    let second = browser.get(&next).await;
    assert_eq!(second.count("<tr><th scope=\"row\">"), 3);
    assert!(second.body.contains("model-09") && second.body.contains("model-11"));
    assert!(second.attribute_of("page-next", "href").is_none());
    assert_eq!(
        second.attribute_of("page-prev", "href").as_deref(),
        Some("/ui/models?sort=name")
    );
    assert!(
        first.body.contains("aria-sort=\"ascending\""),
        "the sorted header says so"
    );
    let high = browser.get("/ui/models?risk_tier=high").await;
    assert_eq!(high.count("<tr><th scope=\"row\">"), 3);
    let text = browser.get("/ui/models?q=ALPHA").await;
    assert_eq!(text.count("<tr><th scope=\"row\">"), 1);
    assert!(text.body.contains("alpha-scorer"));
    let none = browser.get("/ui/models?q=nothing-like-this").await;
    assert!(none.body.contains("id=\"empty-state\""));
    assert!(none.body.contains("Clear the filters"));
}

async fn the_overview_shows_the_summary_s_numbers(app: TestApp) {
    let engineer = app.token_for(Role::Engineer).await;
    app.create_model(&engineer, "one", "1", "high").await;
    app.create_model(&engineer, "two", "1", "low").await;
    let mut browser = Browser::signed_in(&app, Role::Viewer).await;
    let page = browser.get("/ui").await;
    let (status, summary) = app.get("/dashboard/summary", &engineer).await;
    assert_eq!(status, 200);
    assert_eq!(page.count("<h1"), 1);
    for (card, value) in [
        (
            "card-status-registered",
            &summary["models"]["by_status"]["registered"],
        ),
        ("card-pass", &summary["compliance"]["pass"]),
        ("card-fail", &summary["compliance"]["fail"]),
        ("card-unevaluated", &summary["compliance"]["unevaluated"]),
        ("card-deployments-30d", &summary["deployments"]["last_30d"]),
        ("card-overrides", &summary["deployments"]["overrides"]),
        ("card-blocked", &summary["deployments"]["blocked"]),
    ] {
        assert_eq!(page.card(card), value.as_u64().unwrap_or(0), "{card}");
    }
    assert_eq!(page.card("card-unevaluated"), 2);
    // Every card links to the list it counts: the list's total is the card's number.
    for card in [
        "card-status-registered",
        "card-status-deployed",
        "card-pass",
        "card-warn",
        "card-fail",
        "card-unevaluated",
        "card-deployments-30d",
        "card-overrides",
        "card-blocked",
    ] {
        let href = page.attribute_of(card, "href").expect(card);
        let list = browser.get(&href).await;
        assert_eq!(list.status, 200, "{card}: {href}");
        assert_eq!(list.listed(), page.card(card), "{card}: {href}");
    }
    assert_eq!(
        page.attribute_of("card-unevaluated", "href").as_deref(),
        Some("/ui/models?compliance=unevaluated")
    );
    let recent = page
        .attribute_of("card-deployments-30d", "href")
        .expect("a link");
    assert!(
        recent.starts_with("/ui/audit?outcome=deployed%2Coverridden&since=20"),
        "{recent}"
    );
}

async fn the_model_table_filters_by_compliance(app: TestApp) {
    let engineer = app.token_for(Role::Engineer).await;
    app.create_model(&engineer, "never-evaluated", "1", "high")
        .await;
    let mut browser = Browser::signed_in(&app, Role::Viewer).await;
    let none = browser.get("/ui/models?compliance=unevaluated").await;
    assert_eq!(none.listed(), 1);
    assert!(
        none.body
            .contains("<option value=\"unevaluated\" selected>not evaluated</option>"),
        "the filter shows its value: {}",
        none.body
    );
    let passing = browser
        .get("/ui/models?compliance=pass&risk_tier=high")
        .await;
    assert_eq!(passing.listed(), 0);
    assert!(passing.body.contains("id=\"empty-state\""));
    let bad = browser.get("/ui/models?compliance=great").await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("compliance"), "{}", bad.body);
    let audit = browser.get("/ui/audit?since=yesterday").await;
    assert_eq!(audit.status, 422, "{}", audit.body);
    let audit = browser
        .get("/ui/audit?outcome=deployed,overridden&since=2026-01-01")
        .await;
    assert_eq!(audit.status, 200, "{}", audit.body);
    assert!(audit.body.contains("value=\"2026-01-01\""));
}

/// `rows` rows of CSV: numeric columns whose names differ only in characters element ids
/// cannot keep, a sensitive column `sex`, a prediction that selects `bias` in 5 of group f
/// and 2 in 5 of group m, and a label.
fn colliding_csv(rows: usize, shift: f64, bias: usize) -> Vec<u8> {
    let mut csv = String::from("a b,ab,é,ü,sex,pred,y\n");
    for i in 0..rows {
        let x = (i % 50) as f64 + shift;
        let (sex, selected) = if i % 2 == 0 {
            ("f", i % 10 < 2 * bias)
        } else {
            ("m", i % 10 < 5)
        };
        let (pred, y) = (u8::from(selected), u8::from(i % 3 == 0));
        csv.push_str(&format!(
            "{x},{},{},{},{sex},{pred},{y}\n",
            x * 2.0,
            x + 1.0,
            x * 3.0
        ));
    }
    csv.into_bytes()
}

async fn a_model_page_s_element_ids_are_unique_and_fairness_is_charted(app: TestApp) {
    let engineer = app.token_for(Role::Engineer).await;
    let (status, model) = app
        .post(
            "/models",
            Some(&engineer),
            serde_json::json!({"name": "ids", "version": "1", "task": "binary_classification",
                "risk_tier": "low", "columns": {"prediction": "pred", "label": "y", "sensitive": ["sex"]}}),
        )
        .await;
    assert_eq!(status, 201, "{model}");
    let id = model["id"].as_i64().expect("id");
    let (status, body) = app
        .upload(
            reqwest::Method::PUT,
            &format!("/models/{id}/reference"),
            &engineer,
            colliding_csv(400, 0.0, 2),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = app
        .upload(
            reqwest::Method::POST,
            &format!("/models/{id}/evaluations"),
            &engineer,
            colliding_csv(400, 20.0, 1),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let mut browser = Browser::signed_in(&app, Role::Viewer).await;
    let page = browser.get(&format!("/ui/models/{id}")).await;
    assert_eq!(page.status, 200);
    assert_eq!(page.count("class=\"drift-row\""), 4, "one a feature");
    let mut ids: Vec<&str> = page
        .body
        .split(" id=\"")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').expect("end")])
        .collect();
    let all = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), all, "every element id once: {ids:?}");
    // The fairness chart: f's rate (20%) is below 0.8 × m's (40%).
    assert!(page.body.contains("id=\"fairness-0\""), "a fairness chart");
    assert!(page.body.contains("four-fifths line 32%"));
    assert!(page.body.contains("1 of 2 groups are below it: f."));
}

per_backend!(
    crate::helpers::with_app =>
    root_redirects_and_pages_need_a_session,
    sign_in_sets_a_strict_cookie_and_returns_to_the_page_asked_for,
    unsafe_requests_need_the_token_and_this_origin,
    sign_out_revokes_the_token_itself,
    pages_carry_the_security_headers_and_assets_are_cached,
    errors_are_html_pages_with_the_request_id,
    a_viewer_gets_a_403_page_on_admin_pages,
    the_model_table_pages_filters_and_sorts,
    the_overview_shows_the_summary_s_numbers,
    the_model_table_filters_by_compliance,
    a_model_page_s_element_ids_are_unique_and_fairness_is_charted,
);
