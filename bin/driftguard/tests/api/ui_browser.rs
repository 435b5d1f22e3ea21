//! A minimal browser for the UI tests: keeps cookies, does not follow redirects (the tests
//! look at them), and signs in through the sign-in form as a person would.

use crate::helpers::TestApp;
use driftguard_core::Role;
use reqwest::header::{HeaderMap, SET_COOKIE};
use std::collections::BTreeMap;

/// What a request got.
pub struct Page {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// Every `Set-Cookie` line.
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect()
    }

    /// The value of `name="…"` on the first element with this id.
    pub fn attribute_of(&self, id: &str, name: &str) -> Option<String> {
        let at = self.body.find(&format!("id=\"{id}\""))?;
        let start = self.body[..at].rfind('<')?;
        let end = at + self.body[at..].find('>')?;
        let tag = &self.body[start..end];
        let key = format!("{name}=\"");
        let from = tag.find(&key)? + key.len();
        Some(tag[from..from + tag[from..].find('"')?].replace("&amp;", "&"))
    }

    /// The number in the `card-value` of the overview card with this id.
    pub fn card(&self, id: &str) -> u64 {
        let at = self.body.find(&format!("id=\"{id}\"")).expect(id);
        let rest = &self.body[at..];
        let from = rest.find("card-value\">").expect("card value") + "card-value\">".len();
        rest[from..from + rest[from..].find('<').expect("end")]
            .parse()
            .expect("a number")
    }

    /// How many rows the model table or the audit log lists in all (its caption's number),
    /// 0 for its empty state.
    pub fn listed(&self) -> u64 {
        if self.body.contains("id=\"empty-state\"") {
            return 0;
        }
        let from = self.body.find("<caption>").expect("a table") + "<caption>".len();
        let caption = &self.body[from..];
        caption[..caption.find(' ').expect("a number")]
            .parse()
            .expect("a number")
    }

    /// How many times `needle` occurs in the body.
    pub fn count(&self, needle: &str) -> usize {
        self.body.matches(needle).count()
    }
}

pub struct Browser<'a> {
    app: &'a TestApp,
    client: reqwest::Client,
    cookies: BTreeMap<String, String>,
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Self {
            app,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            cookies: BTreeMap::new(),
        }
    }

    /// A browser signed in through the form as a new user with `role`.
    pub async fn signed_in(app: &'a TestApp, role: Role) -> Self {
        let mut browser = Self::new(app);
        let email = format!("ui-{role}-{}@example.com", std::process::id());
        let password = "correct horse battery staple";
        app.services
            .auth
            .create_user(&email, password, None, role)
            .await
            .expect("create user");
        let page = browser.sign_in(&email, password, "/ui").await;
        assert_eq!(page.status, 303, "{}", page.body);
        browser
    }

    /// Fills in and sends the sign-in form (asked for with `next`).
    pub async fn sign_in(&mut self, email: &str, password: &str, next: &str) -> Page {
        let form = self.get(&format!("/ui/sign-in?next={next}")).await;
        assert_eq!(form.status, 200);
        let token = form.attribute_of_named("csrf_token");
        let next = form.attribute_of_named("next");
        let origin = self.app.address.clone();
        self.post(
            "/ui/sign-in",
            &[
                ("email", email),
                ("password", password),
                ("csrf_token", &token),
                ("next", &next),
            ],
            Some(&origin),
        )
        .await
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn finish(&mut self, request: reqwest::RequestBuilder) -> Page {
        let response = request
            .header("Cookie", self.cookie_header())
            .send()
            .await
            .expect("request");
        let page = Page {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            body: response.text().await.expect("body"),
        };
        for line in page.set_cookies() {
            let pair = line.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                if value.is_empty() {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_owned(), value.to_owned());
                }
            }
        }
        page
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let request = self.client.get(self.app.url(path));
        self.finish(request).await
    }

    /// Posts a form, with `Origin` when given (as browsers send it).
    pub async fn post(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        origin: Option<&str>,
    ) -> Page {
        let mut request = self.client.post(self.app.url(path)).form(fields);
        if let Some(origin) = origin {
            request = request.header("Origin", origin);
        }
        self.finish(request).await
    }

    /// Posts a form with these extra headers.
    pub async fn post_with(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Page {
        let mut request = self.client.post(self.app.url(path)).form(fields);
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        self.finish(request).await
    }

    /// The CSRF token the pages carry.
    pub async fn csrf(&mut self) -> String {
        self.get("/ui").await.attribute_of_named("csrf_token")
    }

    /// The session cookie's value, if signed in.
    pub fn session_cookie(&self) -> Option<String> {
        self.cookies.get("driftguard_session").cloned()
    }

    /// A GET with this session cookie (another browser holding a copy of it).
    pub async fn get_with_cookie(&mut self, path: &str, session: &str) -> Page {
        self.cookies
            .insert("driftguard_session".to_owned(), session.to_owned());
        self.get(path).await
    }

    pub fn address(&self) -> &str {
        &self.app.address
    }
}

impl Page {
    /// The `value` of the first input named `name`.
    pub fn attribute_of_named(&self, name: &str) -> String {
        let key = format!("name=\"{name}\" value=\"");
        let from = self
            .body
            .find(&key)
            .unwrap_or_else(|| panic!("no {name} in {}", self.body))
            + key.len();
        self.body[from..from + self.body[from..].find('"').expect("end")].to_owned()
    }
}
