//! A database outage gives fast 503s, and the server recovers by itself when the database is
//! back — no restart. The outage is a TCP proxy in front of the test PostgreSQL that the test
//! cuts (dropping every connection and refusing new ones) and restores.

use crate::helpers::{Backend, spawn_app_with};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

/// A proxy to `upstream` that can be cut and restored.
struct Proxy {
    address: String,
    cut: Arc<AtomicBool>,
    links: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Proxy {
    async fn start(upstream: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("proxy port");
        let address = listener.local_addr().expect("address").to_string();
        let cut = Arc::new(AtomicBool::new(false));
        let links: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let (c, l) = (cut.clone(), links.clone());
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if c.load(Ordering::SeqCst) {
                    continue; // dropped: the client sees the connection close at once
                }
                let upstream = upstream.clone();
                l.lock().await.push(tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(&upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                }));
            }
        });
        Proxy {
            address,
            cut,
            links,
        }
    }

    async fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        for link in self.links.lock().await.drain(..) {
            link.abort();
        }
    }

    fn restore(&self) {
        self.cut.store(false, Ordering::SeqCst);
    }
}

/// `host:port` of a PostgreSQL URL.
fn host_port(url: &str) -> &str {
    let after_at = url.rsplit_once('@').map_or(url, |(_, rest)| rest);
    after_at.split('/').next().unwrap_or(after_at)
}

async fn ready_status(app: &crate::helpers::TestApp) -> (u16, Duration) {
    let started = Instant::now();
    let status = app
        .client
        .get(app.url("/health/ready"))
        .timeout(Duration::from_secs(30))
        .send()
        .await
        .map_or(0, |r| r.status().as_u16());
    (status, started.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_outage_gives_fast_503s_and_recovers() {
    let Some(probe) = driftguard_test_kit::TestDatabase::postgres().await else {
        return;
    };
    let upstream = host_port(&probe.url).to_owned();
    let proxy = Proxy::start(upstream.clone()).await;
    let through_proxy = probe.url.replacen(&upstream, &proxy.address, 1);
    let Some(app) = spawn_app_with(Backend::Sqlite, |s| {
        s.database.url = Some(through_proxy);
        s.database.connect_timeout_secs = 2;
    })
    .await
    else {
        return;
    };

    assert_eq!(ready_status(&app).await.0, 200);
    proxy.cut().await;
    for _ in 0..3 {
        let (status, took) = ready_status(&app).await;
        assert_eq!(status, 503, "database down");
        assert!(
            took < Duration::from_secs(5),
            "503 within the connect timeout, took {took:?}"
        );
    }
    let viewer_error = app
        .client
        .get(app.url("/models"))
        .bearer_auth("any")
        .send()
        .await
        .expect("request");
    assert!(matches!(viewer_error.status().as_u16(), 401 | 503));

    proxy.restore();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let (status, _) = ready_status(&app).await;
        if status == 200 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no recovery after the database came back"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    drop(probe);
}
