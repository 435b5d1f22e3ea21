//! `drill disk-full`: a replica keeps its SQLite database on a small filesystem the drill
//! mounts (tmpfs with `size=`; the drill must run as root). Under traffic, the filesystem
//! is filled to the last byte by a file beside the database while large reference uploads
//! keep asking for space; later the file is removed. Promised: writes are refused with a
//! clear 507 (the JSON error body, and a log line) and nothing else fails, reads go on,
//! writes work again once space returns without a restart, and nothing is corrupted
//! (SQLite's integrity check, the audit chain, every acknowledged write).

use super::ledger;
use super::report::Report;
use super::stage::{self, Backing, Names};
use super::table::{self, Phase};
use super::traffic::{Load, Mix, Op, Record, Traffic, exchange};
use crate::loadtest::api::Api;
use crate::loadtest::rng::SplitMix64;
use crate::loadtest::stats::Outcome;
use anyhow::{Context, bail};
use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// The filesystem's size: room for what the traffic writes before the filler comes (the full
/// drill's first 10 s wrote some 30 MB on 5 Dec 2026, with the faster writes of that day), so
/// that the filler, not the data, is what fills it and what is given back.
const SIZE: &str = "64m";
/// The traffic: writes of every kind, and reads.
const MIX: Mix = Mix {
    deploy: 2,
    evaluate: 3,
    edit_policy: 1,
    read: 3,
};
/// Rows of each large reference upload (random numbers: they compress badly).
const UPLOAD_ROWS: usize = 20_000;

/// Runs the drill; `short` for CI.
pub async fn run(binary: &Path, short: bool) -> anyhow::Result<Report> {
    let secs = Duration::from_secs;
    let (before, full, after) = if short {
        (secs(2), secs(5), secs(3))
    } else {
        (secs(10), secs(30), secs(15))
    };
    let disk = SmallDisk::mount()?;
    let database = disk.dir.join("driftguard.db");
    let backing = Backing {
        database_url: Some(format!("sqlite://{}", database.display())),
        redis_url: None,
        settings: Vec::new(),
    };
    let (mut servers, apis) = stage::replicas(binary, &backing, 1).await?;
    let api = apis[0].clone();
    let target = Arc::new(stage::prepare(&api, 4, Names::Distinct, false).await?);
    let load = Load {
        mix: MIX,
        workers: 4,
        failover: false,
    };

    let t0 = Instant::now();
    let traffic = Traffic::start(&apis, target.clone(), load, t0);
    tokio::time::sleep(before).await;
    let filled = t0.elapsed();
    let filler = disk.fill()?;
    println!(
        "filesystem filled at {:.1} s ({} MiB of filler)",
        filled.as_secs_f64(),
        filler >> 20
    );
    let uploads = uploads_until(api.clone(), target.models[0].id, t0, t0 + filled + full).await;
    let freed = t0.elapsed();
    disk.free()?;
    println!("space returned at {:.1} s", freed.as_secs_f64());
    tokio::time::sleep(after).await;
    let mut records = traffic.stop().await;
    records.extend(uploads);
    let end = t0.elapsed();
    let log = servers[0].output();

    let mut report = Report::default();
    report.table(table::render(
        &records,
        &[
            Phase::new("before", Duration::ZERO, filled),
            Phase::new("disk full", filled, freed),
            Phase::new("space returned", freed, end),
        ],
    ));
    let refused: Vec<&Record> = records.iter().filter(|r| !r.ok()).collect();
    let clear = refused
        .iter()
        .filter(|r| {
            r.outcome == Outcome::Status(507) && r.code.as_deref() == Some("insufficient_storage")
        })
        .count();
    report.promise(
        "writes refused with 507 insufficient_storage",
        clear > 0 && clear == refused.len(),
        format!(
            "{} refused, {clear} of them 507 with the JSON error body",
            refused.len()
        ),
    );
    let logged = log.contains("database.query_error") && log.contains("database or disk is full");
    report.promise(
        "each refusal logged",
        logged,
        if logged {
            "database.query_error lines with SQLite's \"database or disk is full\""
        } else {
            "no database.query_error line naming a full disk"
        },
    );
    let reads: Vec<&Record> = records
        .iter()
        .filter(|r| r.op == Op::Read && r.started >= filled && r.started < freed)
        .collect();
    let reads_ok = reads.iter().filter(|r| r.ok()).count();
    report.promise(
        "reads answered while full",
        reads_ok == reads.len() && !reads.is_empty(),
        format!("{reads_ok} of {} reads", reads.len()),
    );
    let recovered = records
        .iter()
        .filter(|r| r.started >= freed && r.ack.is_some())
        .map(|r| r.started + r.took - freed)
        .min();
    let exited = servers[0].exited();
    report.promise(
        "writes accepted again once space returns, no restart",
        recovered.is_some() && exited.is_none(),
        match recovered {
            Some(t) => format!(
                "first acknowledged write {:.0} ms after",
                t.as_secs_f64() * 1e3
            ),
            None => "no write acknowledged after".to_owned(),
        } + &exited.map_or(String::new(), |s| format!("; the server exited: {s}")),
    );
    let check = integrity_check(&database)?;
    report.promise("SQLite integrity check", check == "ok", check);
    ledger::check_writes(&mut report, &apis, &target, &records).await?;
    for (i, server) in servers.iter().enumerate() {
        report.server_errors(i, &server.output());
    }
    Ok(report)
}

/// A tmpfs of `SIZE` mounted on a temporary folder; dropping it unmounts it.
struct SmallDisk {
    dir: PathBuf,
}

impl SmallDisk {
    fn mount() -> anyhow::Result<Self> {
        let dir =
            std::env::temp_dir().join(format!("driftguard-drill-disk-{}", std::process::id()));
        fs::create_dir_all(&dir)?;
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={SIZE}"), "tmpfs"])
            .arg(&dir)
            .status()
            .context("running mount")?;
        if !status.success() {
            bail!(
                "mounting a {SIZE} tmpfs on {} failed ({status}): the disk-full drill must run \
                 as root (or with CAP_SYS_ADMIN)",
                dir.display()
            );
        }
        Ok(Self { dir })
    }

    fn filler(&self) -> PathBuf {
        self.dir.join("filler")
    }

    /// Writes the filler until the filesystem has no byte left; its size.
    fn fill(&self) -> anyhow::Result<u64> {
        let mut file = fs::File::create(self.filler())?;
        let block = vec![0x5a_u8; 64 << 10];
        let mut written = 0_u64;
        // Whole blocks, then smaller and smaller pieces: every byte taken.
        let mut size = block.len();
        while size > 0 {
            match file.write(&block[..size]) {
                Ok(0) | Err(_) => size /= 2,
                Ok(n) => written += n as u64,
            }
        }
        Ok(written)
    }

    fn free(&self) -> anyhow::Result<()> {
        fs::remove_file(self.filler()).context("removing the filler")
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        // Lazily: a server still holding files there is killed by its own guard after this.
        let _ = Command::new("umount").arg("-l").arg(&self.dir).status();
        let _ = fs::remove_dir(&self.dir);
    }
}

/// Large reference uploads to `model`, one after the other, until `until`.
async fn uploads_until(api: Arc<Api>, model: i64, t0: Instant, until: Instant) -> Vec<Record> {
    let mut rng = SplitMix64::new(0xF111);
    let mut records = Vec::new();
    while Instant::now() < until {
        let csv = random_reference(&mut rng);
        let started = t0.elapsed();
        let request = api.send_csv(true, &format!("/models/{model}/reference"), csv);
        let (outcome, body) = exchange(request).await;
        records.push(Record {
            op: Op::Upload,
            replica: 0,
            started,
            took: t0.elapsed().saturating_sub(started),
            outcome,
            code: body
                .as_ref()
                .and_then(|b| b.get("code"))
                .and_then(|c| c.as_str())
                .map(str::to_owned),
            ack: None,
            note: None,
            failovers: 0,
        });
    }
    records
}

/// A reference data set of random numbers in the model's columns.
fn random_reference(rng: &mut SplitMix64) -> String {
    let mut csv = String::from("income,age,region,plan,group,label,prediction,score\n");
    for _ in 0..UPLOAD_ROWS {
        // Writing into a String cannot fail.
        let _ = writeln!(
            csv,
            "{:.6},{:.4},r{},p{},{},{},{},{:.6}",
            rng.unit() * 1e5,
            rng.unit() * 80.0,
            rng.below(4),
            rng.below(3),
            if rng.chance(0.5) { "A" } else { "B" },
            u8::from(rng.chance(0.5)),
            u8::from(rng.chance(0.5)),
            rng.unit()
        );
    }
    csv
}

/// `PRAGMA integrity_check` of the database file (through Python's sqlite3, which CI has).
fn integrity_check(database: &Path) -> anyhow::Result<String> {
    let out = Command::new("python3")
        .args([
            "-c",
            "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA integrity_check').fetchone()[0])",
        ])
        .arg(database)
        .output()
        .context("running python3 for SQLite's integrity check")?;
    if !out.status.success() {
        bail!(
            "the integrity check did not run: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}
