//! Webhooks over real HTTP: the admin registers endpoints on the running server, governance
//! events reach a local receiver (an actix server on port 0, allowed by the settings) signed,
//! each endpoint gets only its events, a failing receiver gets the retry, a retry survives a
//! restart of DriftGuard, and an address the settings do not allow is refused at
//! registration and never sent to.

use crate::helpers::{Backend, TestApp, spawn_app_with};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use driftguard::settings::Settings;
use driftguard_core::Role;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    signature: String,
    event: String,
    event_id: String,
    body: Vec<u8>,
}

/// What the receiver shares with its handler: what it got, and how many requests it still
/// fails (with 500).
#[derive(Default)]
struct Inbox {
    got: Mutex<Vec<Received>>,
    failures_left: AtomicUsize,
}

/// A local webhook receiver on port 0.
struct Receiver {
    url: String,
    inbox: Arc<Inbox>,
}

fn header(req: &HttpRequest, name: &str) -> String {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

async fn receive(req: HttpRequest, body: web::Bytes, inbox: web::Data<Inbox>) -> HttpResponse {
    if let Ok(mut got) = inbox.got.lock() {
        got.push(Received {
            signature: header(&req, "x-driftguard-signature"),
            event: header(&req, "x-driftguard-event"),
            event_id: header(&req, "x-driftguard-event-id"),
            body: body.to_vec(),
        });
    }
    let failing = inbox
        .failures_left
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    if failing {
        HttpResponse::InternalServerError().finish()
    } else {
        HttpResponse::Ok().finish()
    }
}

impl Receiver {
    /// A receiver that answers 500 to its first `failures` requests and 200 after.
    fn start(failures: usize) -> Receiver {
        let inbox = Arc::new(Inbox::default());
        inbox.failures_left.store(failures, Ordering::SeqCst);
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind port 0");
        let port = listener.local_addr().expect("address").port();
        let data = web::Data::from(inbox.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .default_service(web::to(receive))
        })
        .workers(1)
        .listen(listener)
        .expect("listen")
        .run();
        tokio::spawn(server);
        Receiver {
            url: format!("http://127.0.0.1:{port}/hook"),
            inbox,
        }
    }

    fn got(&self) -> Vec<Received> {
        self.inbox.got.lock().map(|g| g.clone()).unwrap_or_default()
    }

    /// Waits (up to 20 s) until `count` requests arrived.
    async fn wait_for(&self, count: usize) -> Vec<Received> {
        for _ in 0..400 {
            let got = self.got();
            if got.len() >= count {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{count} deliveries expected, {} arrived", self.got().len());
    }
}

/// The worker on, quick retries, and the receivers' address allowed.
fn local_delivery(settings: &mut Settings) {
    let w = &mut settings.webhooks;
    w.enabled = true;
    w.allowed_hosts = vec!["127.0.0.1".into()];
    w.poll_interval_ms = 50;
    w.backoff_base_ms = 400;
    w.timeout_secs = 5;
}

async fn with_delivery(backend: Backend, test: impl AsyncFnOnce(TestApp)) {
    if let Some(app) = spawn_app_with(backend, local_delivery).await {
        test(app).await;
    }
}

/// Registers an endpoint; answers its id and secret.
async fn register(
    app: &TestApp,
    admin: &str,
    url: &str,
    events: Value,
    format: &str,
) -> (i64, String) {
    let (status, body) = app
        .post(
            "/webhooks",
            Some(admin),
            json!({"url": url, "events": events, "format": format, "description": "test"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let secret = body["secret"]
        .as_str()
        .expect("the secret, once")
        .to_owned();
    (body["id"].as_i64().expect("id"), secret)
}

/// Checks the signature header as a receiver would, with an HMAC of its own.
fn verify(secret: &str, received: &Received) {
    let (t, v1) = received
        .signature
        .split_once(",v1=")
        .and_then(|(t, v1)| Some((t.strip_prefix("t=")?, v1)))
        .unwrap_or_else(|| panic!("signature header: {:?}", received.signature));
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("a key");
    mac.update(t.as_bytes());
    mac.update(b".");
    mac.update(&received.body);
    let expected = hex::encode(mac.finalize().into_bytes());
    assert_eq!(v1, expected, "the signature verifies");
    let sent: i64 = t.parse().expect("unix seconds");
    assert!(
        (chrono::Utc::now().timestamp() - sent).abs() < 60,
        "a current time"
    );
}

fn body_of(received: &Received) -> Value {
    serde_json::from_slice(&received.body).expect("JSON")
}

/// The endpoint's delivery log.
async fn deliveries(app: &TestApp, admin: &str, id: i64) -> Vec<Value> {
    let (status, body) = app.get(&format!("/webhooks/{id}/deliveries"), admin).await;
    assert_eq!(status, 200, "{body}");
    body["deliveries"].as_array().cloned().unwrap_or_default()
}

/// Waits (up to 20 s) until the endpoint's newest delivery is as `wanted` says.
async fn wait_for_line(
    app: &TestApp,
    admin: &str,
    id: i64,
    wanted: impl Fn(&Value) -> bool,
) -> Value {
    for _ in 0..400 {
        if let Some(line) = deliveries(app, admin, id).await.first()
            && wanted(line)
        {
            return line.clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "no delivery as expected: {:?}",
        deliveries(app, admin, id).await
    );
}

async fn wait_for_state(app: &TestApp, admin: &str, id: i64, state: &str) -> Value {
    wait_for_line(app, admin, id, |line| line["state"] == state).await
}

async fn blocked_deploy(app: &TestApp) -> Value {
    let engineer = app.token_for(Role::Engineer).await;
    let model = app.create_model(&engineer, "fraud", "1.2", "high").await;
    let (status, body) = app
        .post(
            &format!("/models/{}/deploy", model["id"]),
            Some(&engineer),
            json!({}),
        )
        .await;
    assert_eq!(status, 409, "never evaluated, so blocked: {body}");
    model
}

async fn deliveries_arrive_signed_and_only_for_their_events(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let policies = Receiver::start(0);
    let deploys = Receiver::start(0);
    let (policy_hook, policy_secret) = register(
        &app,
        &admin,
        &policies.url,
        json!(["policy.changed"]),
        "json",
    )
    .await;
    let (deploy_hook, deploy_secret) = register(
        &app,
        &admin,
        &deploys.url,
        json!(["deployment.blocked"]),
        "slack",
    )
    .await;
    assert_ne!(policy_secret, deploy_secret);

    let (status, policy) = app
        .post(
            "/policies",
            Some(&admin),
            json!({"name": "strict fairness", "rules": [{"metric": "fairness.disparate_impact",
                   "op": ">=", "threshold": 0.9, "severity": "block"}]}),
        )
        .await;
    assert_eq!(status, 201, "{policy}");
    let got = policies.wait_for(1).await;
    verify(&policy_secret, &got[0]);
    let event = body_of(&got[0]);
    assert_eq!(got[0].event, "policy.changed");
    assert_eq!(event["type"], "policy.changed");
    assert_eq!(event["id"], got[0].event_id.as_str());
    assert_eq!(event["data"]["policy_id"], policy["id"]);
    assert_eq!(event["data"]["version"], 1);

    blocked_deploy(&app).await;
    let got = deploys.wait_for(1).await;
    verify(&deploy_secret, &got[0]);
    assert_eq!(got[0].event, "deployment.blocked");
    let text = body_of(&got[0])["text"]
        .as_str()
        .expect("a Slack text")
        .to_owned();
    assert!(
        text.contains("fraud 1.2") && text.contains("blocked"),
        "{text}"
    );

    let line = wait_for_state(&app, &admin, policy_hook, "delivered").await;
    assert_eq!(
        (line["attempts"].clone(), line["last_status"].clone()),
        (json!(1), json!(200))
    );
    wait_for_state(&app, &admin, deploy_hook, "delivered").await;
    // Each endpoint got its own event and nothing else.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(policies.got().len(), 1);
    assert_eq!(deploys.got().len(), 1);

    // The secret is never shown again; the endpoints are the admin's alone.
    let (status, listed) = app.get("/webhooks", &admin).await;
    assert_eq!(status, 200);
    assert_eq!(listed["pagination"]["total"], 2);
    assert!(!listed.to_string().contains(&policy_secret));
    let (_, one) = app.get(&format!("/webhooks/{policy_hook}"), &admin).await;
    assert!(one.get("secret").is_none(), "{one}");
    let approver = app.token_for(Role::Approver).await;
    assert_eq!(app.get("/webhooks", &approver).await.0, 403);

    let path = format!("/webhooks/{policy_hook}");
    let change = json!({"active": false, "events": ["policy.changed", "evaluation.failed"]});
    let (status, changed) = app
        .send(reqwest::Method::PATCH, &path, Some(&admin), Some(change))
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(
        (changed["active"].clone(), changed["events"].clone()),
        (json!(false), json!(["evaluation.failed", "policy.changed"]))
    );
    let path = format!("/webhooks/{deploy_hook}");
    assert_eq!(
        app.send(reqwest::Method::DELETE, &path, Some(&admin), None)
            .await
            .0,
        204
    );
    assert_eq!(app.get(&path, &admin).await.0, 404);
    assert_eq!(app.get(&format!("{path}/deliveries"), &admin).await.0, 404);
}

async fn a_failing_receiver_gets_the_retry(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let receiver = Receiver::start(1);
    let (hook, secret) = register(
        &app,
        &admin,
        &receiver.url,
        json!(["deployment.blocked"]),
        "teams",
    )
    .await;
    blocked_deploy(&app).await;
    let got = receiver.wait_for(2).await;
    assert_eq!(got[0].event_id, got[1].event_id, "the same event again");
    for received in &got {
        verify(&secret, received);
    }
    let card = body_of(&got[1]);
    assert_eq!(card["@type"], "MessageCard");
    let line = wait_for_state(&app, &admin, hook, "delivered").await;
    assert_eq!(
        (line["attempts"].clone(), line["last_status"].clone()),
        (json!(2), json!(200))
    );
}

async fn a_retry_survives_a_restart(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let receiver = Receiver::start(1);
    let (hook, secret) = register(
        &app,
        &admin,
        &receiver.url,
        json!(["deployment.blocked"]),
        "json",
    )
    .await;
    // The first attempt fails; its retry is due seconds later, after the restart.
    app.stop().await;
    let first = app
        .restarted_with(|s| s.webhooks.backoff_base_ms = 4_000)
        .await;
    blocked_deploy(&first).await;
    receiver.wait_for(1).await;
    let line = wait_for_line(&first, &admin, hook, |l| l["last_status"] == 500).await;
    assert_eq!(
        (line["state"].clone(), line["attempts"].clone()),
        (json!("pending"), json!(1))
    );
    first.stop().await;
    assert_eq!(
        receiver.got().len(),
        1,
        "nothing sent while DriftGuard was down"
    );
    let restarted = first.restarted_with(|_| {}).await;
    let got = receiver.wait_for(2).await;
    assert_eq!(got[0].event_id, got[1].event_id);
    verify(&secret, &got[1]);
    let line = wait_for_state(&restarted, &admin, hook, "delivered").await;
    assert_eq!(line["attempts"], 2);
}

async fn a_disallowed_address_is_refused_and_never_sent_to(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let receiver = Receiver::start(0);
    // Registered while the settings allowed it; then the allowance goes.
    let (hook, _) = register(
        &app,
        &admin,
        &receiver.url,
        json!(["deployment.blocked"]),
        "json",
    )
    .await;
    app.stop().await;
    let strict = app
        .restarted_with(|s| {
            s.webhooks.allowed_hosts.clear();
            s.webhooks.max_attempts = 2;
            s.webhooks.backoff_base_ms = 50;
        })
        .await;
    for url in [
        receiver.url.as_str(),
        "http://10.1.2.3/hook",
        "http://[::1]:9/hook",
        "http://169.254.169.254/latest",
    ] {
        let (status, body) = strict
            .post(
                "/webhooks",
                Some(&admin),
                json!({"url": url, "events": ["policy.changed"]}),
            )
            .await;
        assert_eq!(status, 422, "{url}: {body}");
        assert_eq!(body["errors"][0]["field"], "url", "{body}");
    }
    let (_, refused) = strict
        .post(
            "/webhooks",
            Some(&admin),
            json!({"url": receiver.url, "events": ["policy.changed"]}),
        )
        .await;
    assert!(
        refused["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("loopback")),
        "{refused}"
    );
    blocked_deploy(&strict).await;
    let line = wait_for_state(&strict, &admin, hook, "failed").await;
    assert_eq!(line["attempts"], 2);
    assert!(
        line["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("loopback")),
        "{line}"
    );
    assert!(
        receiver.got().is_empty(),
        "nothing was sent to the refused address"
    );
}

/// A critical model's override asked by one approver is announced as `override.requested`
/// (from the request's own transaction); the second approver's approval as
/// `deployment.overridden`.
async fn an_override_request_and_its_approval_are_announced(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let receiver = Receiver::start(0);
    let (_, secret) = register(
        &app,
        &admin,
        &receiver.url,
        json!(["override.requested", "deployment.overridden"]),
        "json",
    )
    .await;
    let engineer = app.token_for(Role::Engineer).await;
    let model = app
        .create_model(&engineer, "card-fraud", "3.0", "critical")
        .await;
    let first = app.token_for(Role::Approver).await;
    let justification = "accepted by the risk board, ticket RISK-77";
    let (status, asked) = app
        .post(
            &format!("/models/{}/deploy", model["id"]),
            Some(&first),
            json!({"override": true, "justification": justification}),
        )
        .await;
    assert_eq!(status, 202, "{asked}");
    let request = &asked["override_request"];
    let got = receiver.wait_for(1).await;
    verify(&secret, &got[0]);
    assert_eq!(got[0].event, "override.requested");
    let event = body_of(&got[0]);
    assert_eq!(event["data"]["request_id"], request["id"]);
    assert_eq!(event["data"]["justification"], justification);

    let second = app.token_for(Role::Approver).await;
    let (status, approved) = app
        .post(
            &format!("/override-requests/{}/approve", request["id"]),
            Some(&second),
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{approved}");
    let got = receiver.wait_for(2).await;
    assert_eq!(got[1].event, "deployment.overridden");
    assert_eq!(body_of(&got[1])["data"]["outcome"], "overridden");
}

driftguard_test_kit::per_backend!(
    crate::webhooks::with_delivery =>
    deliveries_arrive_signed_and_only_for_their_events,
    a_failing_receiver_gets_the_retry,
    a_retry_survives_a_restart,
    a_disallowed_address_is_refused_and_never_sent_to,
    an_override_request_and_its_approval_are_announced,
);
