//! A throw-away redis-server of a chore's own (the load test's Redis outage, the drills): a
//! free port on loopback, no persistence, so a restart comes back empty, as after a crash.
//! It can be SIGKILLed and started again on the same port; the guard kills it on every exit
//! path, like the server under test.

use crate::server::free_port;
use anyhow::{Context, bail};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::time::Instant;

/// How long redis-server may take to accept connections.
const START_TIMEOUT: Duration = Duration::from_secs(10);

/// A redis-server child (none while it is killed); dropping the guard kills it.
pub struct Redis {
    child: Option<Child>,
    port: u16,
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.kill();
    }
}

impl Redis {
    /// Starts redis-server on a free port and waits until it accepts connections.
    pub async fn start() -> anyhow::Result<Self> {
        let mut redis = Self {
            child: None,
            port: free_port()?,
        };
        redis.restart().await?;
        Ok(redis)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The URL for the server under test.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// SIGKILL (what `Child::kill` sends on Unix): no shutdown, connections cut mid-request,
    /// as a crashed or OOM-killed Redis does.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            // Errors are moot: the process may already be gone.
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts redis-server on the guard's port (again) and waits until it accepts
    /// connections.
    pub async fn restart(&mut self) -> anyhow::Result<()> {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting redis-server (is it installed?)")?;
        let child = self.child.insert(child);
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", self.port)).await.is_err() {
            if let Some(status) = child.try_wait()? {
                bail!(
                    "redis-server exited at start-up ({status}); is port {} taken?",
                    self.port
                );
            }
            if started.elapsed() > START_TIMEOUT {
                bail!(
                    "redis-server did not accept connections within {} s",
                    START_TIMEOUT.as_secs()
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(())
    }
}
