//! `spawn_app`: the server `driftguard serve` runs, on port 0 over a database of the test's
//! own, and a client with the calls the tests share.

use driftguard::serve;
use driftguard::settings::Settings;
use driftguard::wiring;
use driftguard_app::Services;
use driftguard_app::webhooks::worker::DeliveryWorker;
use driftguard_core::Role;
use driftguard_test_kit::TestDatabase;
use secrecy::SecretString;
use serde_json::{Value, json};
use std::net::TcpListener;
use std::sync::Arc;

/// Which database a test runs on.
pub use driftguard_test_kit::Backend;

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub services: Services,
    settings: Settings,
    server: actix_web::dev::ServerHandle,
    worker: tokio::sync::Mutex<Option<DeliveryWorker>>,
    _db: Arc<TestDatabase>,
    _data: Arc<tempfile::TempDir>,
}

/// The server on a fresh database, or `None` when the backend is not set up (skip). Rate
/// limits are off (tests sign in many times from one address); [`spawn_app_with`] changes
/// settings.
pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, |_| {}).await
}

/// Runs `test` against a fresh server on `backend`; skips it (returns) when the backend is
/// not set up. The constructor of the API tests' `per_backend!`.
pub async fn with_app(backend: Backend, test: impl AsyncFnOnce(TestApp)) {
    if let Some(app) = spawn_app(backend).await {
        test(app).await;
    }
}

/// Two replicas on one database (PostgreSQL when the tests have one, else SQLite) sharing
/// the test Redis, in a namespace of `name` and this run's own (the test Redis outlives the
/// test database); `None` (skip) without a test Redis.
pub async fn replicas_sharing_redis(name: &str) -> Option<(TestApp, TestApp)> {
    let url = driftguard_test_kit::redis_url()?;
    let backend = if std::env::var("DRIFTGUARD_TEST_DATABASE_URL").is_ok() {
        Backend::Postgres
    } else {
        Backend::Sqlite
    };
    let a = spawn_app_with(backend, |s| {
        s.redis.url = Some(url);
        s.redis.key_prefix = format!("driftguard-test-{name}:{}", std::process::id());
    })
    .await?;
    let b = a.replica().await;
    Some((a, b))
}

/// [`spawn_app`] with settings changed by `adjust` first.
pub async fn spawn_app_with(
    backend: Backend,
    adjust: impl FnOnce(&mut Settings),
) -> Option<TestApp> {
    let db = TestDatabase::on(backend).await?;
    let data = tempfile::tempdir().expect("data folder");
    let mut settings = Settings {
        data_dir: data.path().to_path_buf(),
        ..Settings::default()
    };
    settings.server.bind = "127.0.0.1:0".into();
    settings.server.max_json_bytes = 64 * 1024;
    settings.server.workers = 1;
    settings.database.url = Some(db.url.clone());
    settings.database.pool_size = 4;
    settings.database.max_connections = 8;
    settings.auth.jwt_secret = Some(SecretString::from("test-secret-".repeat(4)));
    settings.rate_limits.enabled = false;
    // Only the webhook tests deliver (they switch the worker on).
    settings.webhooks.enabled = false;
    adjust(&mut settings);
    Some(serve_on(settings, Arc::new(db), Arc::new(data)).await)
}

async fn serve_on(
    settings: Settings,
    db: Arc<TestDatabase>,
    data: Arc<tempfile::TempDir>,
) -> TestApp {
    let wired = wiring::wire(&settings, false).await.expect("wiring");
    let services = wired.services.clone();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind port 0");
    let port = listener.local_addr().expect("address").port();
    let worker = serve::deliver_webhooks(&settings, &wired);
    let server = serve::start(listener, &settings, wired).expect("server");
    let handle = server.handle();
    tokio::spawn(server);
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        client: reqwest::Client::new(),
        services,
        settings,
        server: handle,
        worker: tokio::sync::Mutex::new(worker),
        _db: db,
        _data: data,
    }
}

impl TestApp {
    /// A second server on the same database and settings: another replica.
    pub async fn replica(&self) -> TestApp {
        serve_on(self.settings.clone(), self._db.clone(), self._data.clone()).await
    }

    /// The same install (database and data folder) restarted with settings changed by
    /// `adjust`.
    pub async fn restarted_with(&self, adjust: impl FnOnce(&mut Settings)) -> TestApp {
        let mut settings = self.settings.clone();
        adjust(&mut settings);
        serve_on(settings, self._db.clone(), self._data.clone()).await
    }

    /// Stops the webhook worker and the server at once, as a killed process stops (the
    /// database stays, to restart on).
    pub async fn stop(&self) {
        if let Some(worker) = self.worker.lock().await.take() {
            worker.stop().await;
        }
        self.server.stop(false).await;
    }

    /// The settings the server runs with.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The app's settings pointed at another database (same data folder: same audit key).
    pub fn settings_on(&self, url: &str) -> Settings {
        let mut settings = self.settings.clone();
        settings.database.url = Some(url.to_owned());
        settings
    }

    /// A new database of this app's backend, with no tables or only `migrated` and empty:
    /// a target to restore into.
    pub async fn empty_database(&self, migrated: bool) -> TestDatabase {
        let postgres = match driftguard_storage::Backend::of_url(&self._db.url) {
            driftguard_storage::Backend::Sqlite if migrated => return TestDatabase::sqlite().await,
            driftguard_storage::Backend::Sqlite => return TestDatabase::unmigrated_sqlite(),
            driftguard_storage::Backend::Postgres if migrated => TestDatabase::postgres().await,
            driftguard_storage::Backend::Postgres => TestDatabase::unmigrated_postgres().await,
        };
        postgres.expect("PostgreSQL, as for this app")
    }

    /// A server with this app's settings (its JWT secret and audit key) over another
    /// database: the server an operator starts on a restored copy.
    pub async fn serving(&self, db: TestDatabase) -> TestApp {
        let settings = self.settings_on(&db.url);
        serve_on(settings, Arc::new(db), self._data.clone()).await
    }

    /// The test's database, for what only someone with access to it could do.
    pub fn database(&self) -> &TestDatabase {
        &self._db
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// A user with this role, signed in: their bearer token.
    pub async fn token_for(&self, role: Role) -> String {
        let email = format!("{role}-{}@example.com", uuid_like());
        let password = "correct horse battery staple";
        self.services
            .auth
            .create_user(&email, password, None, role)
            .await
            .expect("create user");
        self.login(&email, password).await
    }

    pub async fn login(&self, email: &str, password: &str) -> String {
        let response = self
            .client
            .post(self.url("/auth/login"))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .expect("login request");
        assert_eq!(response.status(), 200, "login of {email}");
        let body: Value = response.json().await.expect("login body");
        body["access_token"].as_str().expect("token").to_owned()
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
        };
        (status, value)
    }

    pub async fn get(&self, path: &str, token: &str) -> (u16, Value) {
        self.send(reqwest::Method::GET, path, Some(token), None)
            .await
    }

    /// Sends a CSV body (reference or current data).
    pub async fn upload(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        csv: Vec<u8>,
    ) -> (u16, Value) {
        let response = self
            .client
            .request(method, self.url(path))
            .bearer_auth(token)
            .header("Content-Type", "text/csv")
            .body(csv)
            .send()
            .await
            .expect("upload");
        let status = response.status().as_u16();
        (status, response.json().await.expect("json"))
    }

    /// The Prometheus text of `/metrics`, with this bearer token when one is given.
    pub async fn metrics_text(&self, token: Option<&str>) -> String {
        let mut request = self.client.get(self.url("/metrics"));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("metrics request");
        assert_eq!(response.status(), 200, "/metrics");
        response.text().await.expect("metrics text")
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, path, token, Some(body))
            .await
    }

    /// Registers a model as a fresh engineer; returns its JSON.
    pub async fn create_model(&self, token: &str, name: &str, version: &str, tier: &str) -> Value {
        let (status, body) = self
            .post(
                "/models",
                Some(token),
                json!({
                    "name": name, "version": version, "task": "binary_classification",
                    "risk_tier": tier, "framework": "sklearn", "tags": ["credit"],
                    "columns": {"prediction": "prediction", "label": "label", "sensitive": ["group"]}
                }),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body
    }
}

fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!(
        "{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// Sends `body` as is with this content type; answers the status, the JSON body and the
/// `X-Request-ID`.
pub async fn raw(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
    token: Option<&str>,
) -> (u16, serde_json::Value, Option<String>) {
    let mut request = app
        .client
        .request(method, app.url(path))
        .header(reqwest::header::CONTENT_TYPE, content_type)
        .body(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let request_id = response
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let text = response.text().await.expect("body");
    let body =
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("{status} is not JSON: {text:?}"));
    (status, body, request_id)
}

/// The JSON error body of SPEC §3 with this code.
#[track_caller]
pub fn assert_error_body(body: &serde_json::Value, status: u16, code: &str) {
    assert!(
        body["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{status}: {body}"
    );
    assert_eq!(body["code"], code, "{status}: {body}");
    assert!(body.get("request_id").is_some(), "{status}: {body}");
}
