//! Throw-away redis-server processes on free ports, for the tests that take Redis away.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};

/// A local port with nothing listening on it (bound, then released).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port")
}

/// A throw-away redis-server on `port`, killed when dropped.
pub struct RedisServer(Child);

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts a redis-server without persistence on `port`; None (a skip) when there is no
/// redis-server binary, unless CI requires services.
pub fn start_redis(port: u16) -> Option<RedisServer> {
    let child = Command::new("redis-server")
        .args([
            "--port",
            &port.to_string(),
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    match child {
        Ok(child) => Some(RedisServer(child)),
        Err(e) => {
            assert!(
                std::env::var("DRIFTGUARD_TEST_REQUIRE_SERVICES").as_deref() != Ok("1"),
                "redis-server is required: {e}"
            );
            eprintln!("no redis-server binary ({e}): skipping a test that needs one");
            None
        }
    }
}
