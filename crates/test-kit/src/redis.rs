//! The test Redis URL, and throw-away redis-server processes for the tests that take Redis
//! away.

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::services::{REQUIRE_SERVICES_VAR, services_required};

/// The test Redis URL (`DRIFTGUARD_TEST_REDIS_URL`), or None to skip Redis; panics when CI
/// requires services and none is set.
pub fn redis_url() -> Option<String> {
    match std::env::var("DRIFTGUARD_TEST_REDIS_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                !services_required(),
                "{REQUIRE_SERVICES_VAR} is set but DRIFTGUARD_TEST_REDIS_URL is not"
            );
            eprintln!("DRIFTGUARD_TEST_REDIS_URL is not set: skipping the Redis adapter");
            None
        }
    }
}

/// A local port with nothing listening on it (bound, then released).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port")
}

/// A throw-away redis-server, killed when dropped.
#[derive(Debug)]
pub struct RedisServer {
    child: Child,
    port: u16,
    tls: bool,
}

impl RedisServer {
    /// Its URL (`rediss://` when it speaks TLS).
    pub fn url(&self) -> String {
        let scheme = if self.tls { "rediss" } else { "redis" };
        format!("{scheme}://127.0.0.1:{}", self.port)
    }

    /// Waits (up to 5 s) until it accepts connections.
    pub fn wait_until_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts a redis-server without persistence on `port`; None (a skip) when there is no
/// redis-server binary, unless CI requires services.
pub fn start_redis(port: u16) -> Option<RedisServer> {
    spawn_redis(&["--port", &port.to_string()], port, false)
}

/// Spawns redis-server with `args` and no persistence, listening on `port` (over TLS when
/// `tls`); None (a skip) when there is no redis-server binary, unless CI requires services.
pub(crate) fn spawn_redis(args: &[&str], port: u16, tls: bool) -> Option<RedisServer> {
    let child = Command::new("redis-server")
        .args(args)
        .args(["--save", "", "--appendonly", "no"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    match child {
        Ok(child) => Some(RedisServer { child, port, tls }),
        Err(e) => {
            assert!(!services_required(), "redis-server is required: {e}");
            eprintln!("no redis-server binary ({e}): skipping a test that needs one");
            None
        }
    }
}
