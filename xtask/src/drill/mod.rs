//! `cargo xtask drill <name> [--short]`: the faults of issue #16, rehearsed against the
//! release binary. Each drill starts what it needs on loopback and of its own (a PostgreSQL
//! cluster, a redis-server, the replicas, a small filesystem), never the machine's services,
//! drives traffic through a fault, then reads back what the service holds and prints its
//! tables and promises; a broken promise fails it (non-zero exit). Each is bounded in time;
//! `--short` runs it in seconds for CI. See docs/operations.md, "Drills".

mod disk_full;
mod ledger;
mod pg_restart;
mod postgres;
mod redis_kill;
mod replica_storm;
mod report;
mod rolling_restart;
mod stage;
mod table;
mod traffic;

use anyhow::{Context, bail};
use report::Report;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Usage, printed in xtask's help and on a bad option.
pub const USAGE: &str = "\
cargo xtask drill <pg-restart | redis-kill | replica-storm | rolling-restart | disk-full | all>
                  [--short] [--binary PATH]";

/// The drills, by name.
const DRILLS: [&str; 5] = [
    "pg-restart",
    "redis-kill",
    "replica-storm",
    "rolling-restart",
    "disk-full",
];

/// Runs the drill the command line names (after `drill`).
pub fn run(args: &[String]) -> anyhow::Result<()> {
    let mut name = None;
    let mut short = false;
    let mut binary = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--short" => short = true,
            "--binary" => {
                binary = Some(PathBuf::from(args.next().context("--binary needs a path")?));
            }
            other if name.is_none() && !other.starts_with('-') => name = Some(other.to_owned()),
            other => bail!("unexpected `{other}`\n\n{USAGE}"),
        }
    }
    let name = name.with_context(|| format!("which drill?\n\n{USAGE}"))?;
    let names: Vec<&str> = match name.as_str() {
        "all" => DRILLS.to_vec(),
        one if DRILLS.contains(&one) => vec![one],
        other => bail!("unknown drill `{other}`\n\n{USAGE}"),
    };
    let binary = match binary {
        // Absolute: the servers run in folders of their own.
        Some(path) => path
            .canonicalize()
            .with_context(|| format!("--binary {}", path.display()))?,
        None => crate::server::build()?,
    };
    // Two workers, as the load test: the traffic shares the two cores with the replicas.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let mut failed = Vec::new();
    for name in names {
        let started = Instant::now();
        println!(
            "\n=== drill {name}{} ===",
            if short { " (short)" } else { "" }
        );
        let report = runtime.block_on(async {
            tokio::select! {
                report = bounded(name, &binary, short) => report,
                // Returning drops the guards, which stop everything the drill started.
                _ = tokio::signal::ctrl_c() => bail!("interrupted"),
            }
        })?;
        print!("\n{}", report.render());
        let broken = report.broken();
        println!(
            "drill {name}: {} in {:.1} s",
            if broken.is_empty() {
                "every promise held".to_owned()
            } else {
                format!("{} promise(s) BROKEN", broken.len())
            },
            started.elapsed().as_secs_f64()
        );
        if !broken.is_empty() {
            failed.push(name);
        }
    }
    if !failed.is_empty() {
        bail!("broken promises in: {}", failed.join(", "));
    }
    Ok(())
}

/// Runs drill `name` within its time bound.
async fn bounded(name: &str, binary: &Path, short: bool) -> anyhow::Result<Report> {
    let limit = if short {
        Duration::from_secs(120)
    } else {
        Duration::from_secs(900)
    };
    let drill = async {
        match name {
            "pg-restart" => pg_restart::run(binary, short).await,
            "redis-kill" => redis_kill::run(binary, short).await,
            "replica-storm" => replica_storm::run(binary, short).await,
            "rolling-restart" => rolling_restart::run(binary, short).await,
            _ => disk_full::run(binary, short).await,
        }
    };
    tokio::time::timeout(limit, drill)
        .await
        .with_context(|| format!("drill {name} took longer than {} s", limit.as_secs()))?
}
