//! A PostgreSQL cluster of the drill's own: `initdb` into a temporary folder, `pg_ctl` on a
//! free loopback port with trust authentication, never the machine's PostgreSQL (other tests
//! use it). It can be stopped the hard way (`-m immediate`: no checkpoint, connections cut,
//! crash recovery at the next start) and started again; the guard stops it and removes the
//! folder on every exit path. PostgreSQL refuses to run as root, so as root the tools run as
//! the `postgres` user.

use crate::server::free_port;
use anyhow::{Context, bail};
use std::fs;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

/// Where Debian and Ubuntu install the server's tools, one folder per major version.
const INSTALLS: &str = "/usr/lib/postgresql";
/// The account the tools run as when the drill runs as root.
const OS_USER: &str = "postgres";

/// A running (or stopped) private cluster; dropping it stops it and removes its folder.
pub struct Postgres {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    as_postgres: bool,
}

impl Drop for Postgres {
    fn drop(&mut self) {
        // Errors are moot here: the cluster may already be down.
        let _ = self.pg_ctl(&["stop", "-m", "immediate"]);
        let _ = fs::remove_dir_all(&self.dir);
    }
}

impl Postgres {
    /// Makes a cluster in a temporary folder and starts it.
    pub fn start() -> anyhow::Result<Self> {
        static MADE: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "driftguard-drill-pg-{}-{}",
            std::process::id(),
            MADE.fetch_add(1, Ordering::Relaxed)
        ));
        // A leftover of a killed earlier run with the same pid.
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let cluster = Self {
            bin: newest_install()?,
            dir,
            port: free_port()?,
            as_postgres: is_root()?,
        };
        if cluster.as_postgres {
            run(Command::new("chown").args([OS_USER, &cluster.dir.to_string_lossy()]))?;
        }
        let data = cluster.data();
        run(cluster
            .tool("initdb")
            .args(["--auth=trust", "--username=postgres", "--no-sync", "-D"])
            .arg(&data))?;
        cluster.start_again()?;
        Ok(cluster)
    }

    /// The URL of its `postgres` database, for the servers.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// `pg_ctl stop -m immediate`: every server process is killed at once, as in a crash.
    pub fn stop_immediately(&self) -> anyhow::Result<()> {
        self.pg_ctl(&["stop", "-m", "immediate"])
    }

    /// `pg_ctl start`, waiting until it accepts connections (after crash recovery).
    pub fn start_again(&self) -> anyhow::Result<()> {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {}",
            self.port,
            self.dir.display()
        );
        let log = self.dir.join("postgres.log");
        self.pg_ctl(&["start", "-o", &options, "-l", &log.to_string_lossy()])
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn pg_ctl(&self, args: &[&str]) -> anyhow::Result<()> {
        run(self
            .tool("pg_ctl")
            .args(["-w", "-t", "60", "-D"])
            .arg(self.data())
            .args(args))
    }

    fn tool(&self, name: &str) -> Command {
        let path = self.bin.join(name);
        let mut command = if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", OS_USER, "--"]).arg(path);
            command
        } else {
            Command::new(path)
        };
        // A folder the tools' user may enter (the repository may not be one).
        command.current_dir(&self.dir);
        command
    }
}

/// The `bin` folder of the newest PostgreSQL installed.
fn newest_install() -> anyhow::Result<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir(INSTALLS)
        .with_context(|| format!("reading {INSTALLS} (is the PostgreSQL server installed?)"))?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions
        .pop()
        .map(|(_, bin)| bin)
        .with_context(|| format!("no initdb under {INSTALLS}/*/bin"))
}

fn is_root() -> anyhow::Result<bool> {
    let out = Command::new("id")
        .arg("-u")
        .output()
        .context("running id")?;
    Ok(String::from_utf8_lossy(&out.stdout).trim() == "0")
}

/// Runs `command` quietly; an error with its output when it fails.
fn run(command: &mut Command) -> anyhow::Result<()> {
    let out = command
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("running {command:?}"))?;
    if !out.status.success() {
        bail!(
            "{command:?} failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}
