//! The server under test of the chores that drive the real binary (load test, contract run,
//! drills): built in release, started as a child process on a free port with its data in a
//! temporary folder of its own (several replicas may run at once), and killed when the guard
//! is dropped — on success, on an error and on Ctrl-C alike.

use anyhow::{Context, bail};
use std::fs::{self, File};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// The bootstrap admin the chores sign in as. Fixed, so that reused data signs in too.
pub const ADMIN_EMAIL: &str = "loadtest@example.com";
/// Its password (the server wants at least 12 characters).
pub const ADMIN_PASSWORD: &str = "loadtest-password-1";

/// How long migrations and start-up may take.
const START_TIMEOUT: Duration = Duration::from_secs(120);

/// A running server; dropping it kills the process and removes temporary data.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// The server's process id, for its CPU time.
    pub pid: u32,
    /// The port it listens on.
    pub port: u16,
    dir: PathBuf,
    temporary: bool,
}

impl Server {
    /// Whether the process has exited, and how (a crash shows here).
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Copies what the server printed to `to`, before its folder goes with it.
    pub fn keep_output(&self, to: &Path) -> std::io::Result<u64> {
        fs::copy(self.dir.join("server.out"), to)
    }

    /// Everything the server printed so far (its JSON log lines among them).
    pub fn output(&self) -> String {
        fs::read_to_string(self.dir.join("server.out")).unwrap_or_default()
    }

    /// Sends SIGTERM, as an orchestrator does to stop a replica gracefully.
    pub fn terminate(&self) -> anyhow::Result<()> {
        let status = Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status()
            .context("running kill")?;
        if !status.success() {
            bail!("kill -TERM {} failed ({status})", self.pid);
        }
        Ok(())
    }

    /// Waits up to `timeout` for the process to exit; how it exited, or `None` if it still runs.
    pub async fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let started = Instant::now();
        loop {
            if let Some(status) = self.exited() {
                return Some(status);
            }
            if started.elapsed() > timeout {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Errors are moot here: the process may already be gone.
        let _ = self.child.kill();
        let _ = self.child.wait();
        if self.temporary {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// `cargo build --release -p driftguard`; the binary's path.
pub fn build() -> anyhow::Result<PathBuf> {
    crate::ci::cargo(&["build", "--release", "-p", "driftguard"])?;
    // Cargo resolves a relative CARGO_TARGET_DIR against its working directory, which
    // `ci::cargo` sets to the workspace root.
    let root = crate::ci::root();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| root.join("target"), |dir| root.join(dir));
    let binary = target.join("release/driftguard");
    if !binary.is_file() {
        bail!("the build succeeded but {} is missing", binary.display());
    }
    Ok(binary)
}

/// How to start the server.
#[derive(Debug, Default)]
pub struct Launch<'a> {
    /// Keep the data (SQLite) there and reuse it next time; else a temporary folder.
    pub reuse_data: Option<&'a Path>,
    /// An empty PostgreSQL database instead of SQLite.
    pub database_url: Option<&'a str>,
    /// Cache in this Redis (under a key prefix of the run's own).
    pub redis_url: Option<&'a str>,
    /// More `DRIFTGUARD_*` settings.
    pub settings: Vec<(&'a str, String)>,
    /// Listen on this port (a replica restarted where the load balancer expects it); else a
    /// free one.
    pub port: Option<u16>,
}

/// Starts `binary serve` as `launch` says and waits until `/health/ready` answers 200.
pub async fn start(binary: &Path, launch: &Launch<'_>) -> anyhow::Result<Server> {
    let (dir, temporary) = match launch.reuse_data {
        Some(dir) => (dir.to_path_buf(), false),
        None => {
            // One folder per server this process starts: replicas run side by side.
            static STARTED: AtomicU32 = AtomicU32::new(0);
            let n = STARTED.fetch_add(1, Ordering::Relaxed);
            let dir =
                std::env::temp_dir().join(format!("driftguard-xtask-{}-{n}", std::process::id()));
            // A leftover of a killed earlier run with the same pid.
            let _ = fs::remove_dir_all(&dir);
            (dir, true)
        }
    };
    fs::create_dir_all(dir.join("logs")).with_context(|| format!("creating {}", dir.display()))?;
    let dir = dir.canonicalize()?;
    let port = match launch.port {
        Some(port) => port,
        None => free_port()?,
    };
    let output = File::create(dir.join("server.out"))?;
    let mut command = Command::new(binary);
    command
        .arg("serve")
        // Away from the repository, so that no driftguard.toml there is read.
        .current_dir(&dir)
        .env("DRIFTGUARD_BIND", format!("127.0.0.1:{port}"))
        .env("DRIFTGUARD_DATA_DIR", &dir)
        .env("DRIFTGUARD_LOG_DIR", dir.join("logs"))
        .env("DRIFTGUARD_LOG_LEVEL", "warn")
        // One generator from one IP would otherwise be throttled to 60 dashboards a minute.
        .env("DRIFTGUARD_RATE_LIMITS__ENABLED", "false")
        .env("DRIFTGUARD_BOOTSTRAP_ADMIN_EMAIL", ADMIN_EMAIL)
        .env("DRIFTGUARD_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env_remove("DRIFTGUARD_DATABASE_URL")
        .env_remove("DRIFTGUARD_REDIS_URL")
        .env_remove("DRIFTGUARD_REDIS_KEY_PREFIX")
        .env_remove("DRIFTGUARD_CONFIG")
        .stdin(Stdio::null())
        .stdout(output.try_clone()?)
        .stderr(output);
    if let Some(url) = launch.database_url {
        command.env("DRIFTGUARD_DATABASE_URL", url);
    }
    for (key, value) in &launch.settings {
        command.env(key, value);
    }
    if let Some(url) = launch.redis_url {
        // A prefix of its own: no answer cached by an earlier run (over other data) or by
        // another user of the same Redis is served; the keys expire with their TTLs.
        command.env("DRIFTGUARD_REDIS_URL", url).env(
            "DRIFTGUARD_REDIS_KEY_PREFIX",
            format!("driftguard-loadtest-{}", std::process::id()),
        );
    }
    let child = command
        .spawn()
        .with_context(|| format!("starting {}", binary.display()))?;
    let mut server = Server {
        pid: child.id(),
        port,
        child,
        base: format!("http://127.0.0.1:{port}"),
        dir,
        temporary,
    };
    server.wait_ready().await?;
    Ok(server)
}

impl Server {
    async fn wait_ready(&mut self) -> anyhow::Result<()> {
        let client = reqwest::Client::new();
        let url = format!("{}/health/ready", self.base);
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "the server exited during start-up ({status}); its output:\n{}",
                    self.output_tail()
                );
            }
            if let Ok(r) = client.get(&url).send().await
                && r.status().is_success()
            {
                return Ok(());
            }
            if started.elapsed() > START_TIMEOUT {
                bail!(
                    "the server did not get ready within {} s; its output:\n{}",
                    START_TIMEOUT.as_secs(),
                    self.output_tail()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The last lines the server printed, for error messages.
    fn output_tail(&self) -> String {
        let text = fs::read_to_string(self.dir.join("server.out")).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }
}

/// A port nobody listens on now. Another process could take it before the server binds it;
/// the server then fails to start and says so.
pub fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}
