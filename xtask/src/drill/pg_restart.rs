//! `drill pg-restart`: two replicas on one PostgreSQL (and one Redis) take deploys,
//! evaluations, policy edits and reads while PostgreSQL is stopped with `-m immediate` (a
//! crash: no checkpoint, every connection cut) and started again. Promised: no acknowledged
//! write lost or recorded twice, none half-applied, the chain verifies, failures are fast
//! 503s and only while PostgreSQL is down, and each replica serves again soon after the
//! start, without a restart of its own.

use super::ledger;
use super::postgres::Postgres;
use super::report::Report;
use super::stage::{self, Backing, Names};
use super::table::{self, Phase};
use super::traffic::{Load, Mix, Record, Traffic};
use crate::loadtest::stats::{Latencies, Outcome};
use crate::redis_server::Redis;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// The traffic: mostly writes, a third of them deploys.
const MIX: Mix = Mix {
    deploy: 3,
    evaluate: 2,
    edit_policy: 1,
    read: 4,
};
/// How long the replicas wait for a database connection (then 503).
const CONNECT_TIMEOUT_SECS: u64 = 2;
/// How long after PostgreSQL accepts connections again a replica may still fail requests
/// (its pool replaces the cut connections as requests check them out).
const RECOVERY: Duration = Duration::from_secs(2);

/// Runs the drill; `short` for CI.
pub async fn run(binary: &Path, short: bool) -> anyhow::Result<Report> {
    let (models, workers, before, down, after) = if short {
        (6, 6, secs(3), secs(3), secs(4))
    } else {
        (20, 12, secs(20), secs(15), secs(25))
    };
    let postgres = Postgres::start()?;
    let redis = Redis::start().await?;
    let backing = Backing {
        database_url: Some(postgres.url()),
        redis_url: Some(redis.url()),
        settings: vec![(
            "DRIFTGUARD_DATABASE_CONNECT_TIMEOUT_SECS",
            CONNECT_TIMEOUT_SECS.to_string(),
        )],
    };
    let (mut servers, apis) = stage::replicas(binary, &backing, 2).await?;
    let target = Arc::new(stage::prepare(&apis[0], models, Names::Distinct, false).await?);
    let load = Load {
        mix: MIX,
        workers,
        failover: false,
    };

    let t0 = Instant::now();
    let traffic = Traffic::start(&apis, target.clone(), load, t0);
    tokio::time::sleep(before).await;
    let stopping = t0.elapsed();
    tokio::task::block_in_place(|| postgres.stop_immediately())?;
    println!(
        "PostgreSQL stopped (-m immediate) at {:.1} s",
        stopping.as_secs_f64()
    );
    tokio::time::sleep(down).await;
    tokio::task::block_in_place(|| postgres.start_again())?;
    let started = t0.elapsed();
    println!(
        "PostgreSQL accepting connections again at {:.1} s (down {:.1} s)",
        started.as_secs_f64(),
        (started - stopping).as_secs_f64()
    );
    tokio::time::sleep(after).await;
    let records = traffic.stop().await;
    let end = t0.elapsed();

    let mut report = Report::default();
    report.table(table::render(
        &records,
        &[
            Phase::new("before", Duration::ZERO, stopping),
            Phase::new("PostgreSQL down", stopping, started),
            Phase::new("after the start", started, end),
        ],
    ));
    ledger::check_writes(&mut report, &apis, &target, &records).await?;

    let outage = stopping..started + RECOVERY;
    let (held, seen) = failures_only_503_in(&records, &outage);
    report.promise("failures are 503s while PostgreSQL is down", held, seen);
    let (held, seen) = fast_503s(&records);
    report.promise(
        format!("503s within the connect timeout ({CONNECT_TIMEOUT_SECS} s)"),
        held,
        seen,
    );
    let (held, seen) = writes_in_each_phase(&records, stopping, started);
    report.promise("writes acknowledged before and after", held, seen);
    let (held, seen) = recovered(&records, started, servers.len());
    report.promise(
        format!(
            "every replica serves within {} s of the start",
            RECOVERY.as_secs()
        ),
        held,
        seen,
    );
    let restarted = servers.iter_mut().filter_map(|s| s.exited()).count();
    report.promise(
        "no replica restarted",
        restarted == 0,
        format!("{restarted} of {} replicas exited", servers.len()),
    );
    for (i, server) in servers.iter().enumerate() {
        report.server_errors(i, &server.output());
    }
    Ok(report)
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// Every unexpected answer is a 503 of a request that overlapped `outage`.
fn failures_only_503_in(records: &[Record], outage: &std::ops::Range<Duration>) -> (bool, String) {
    let failed: Vec<&Record> = records.iter().filter(|r| !r.ok()).collect();
    let misplaced = failed
        .iter()
        .filter(|r| {
            let overlaps = r.started < outage.end && r.started + r.took >= outage.start;
            r.outcome != Outcome::Status(503) || !overlaps
        })
        .count();
    (
        misplaced == 0,
        format!(
            "{} of {} requests failed, {misplaced} of them other than a 503 during the outage",
            failed.len(),
            records.len()
        ),
    )
}

/// Every 503 came back within the connect timeout (and a bit).
fn fast_503s(records: &[Record]) -> (bool, String) {
    let took: Vec<Duration> = records
        .iter()
        .filter(|r| r.outcome == Outcome::Status(503))
        .map(|r| r.took)
        .collect();
    let count = took.len();
    match Latencies::of(took) {
        Some(l) => (
            l.max <= Duration::from_millis(CONNECT_TIMEOUT_SECS * 1000 + 500),
            format!(
                "{count} 503s: p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms",
                l.p50.as_secs_f64() * 1e3,
                l.p95.as_secs_f64() * 1e3,
                l.max.as_secs_f64() * 1e3
            ),
        ),
        None => (
            false,
            "no 503 at all: was PostgreSQL really down?".to_owned(),
        ),
    }
}

/// Writes were acknowledged both before the stop and after the start (the drill ran under
/// load, and writing came back).
fn writes_in_each_phase(
    records: &[Record],
    stopping: Duration,
    started: Duration,
) -> (bool, String) {
    let acked = |r: &&Record| r.ack.is_some();
    let before = records
        .iter()
        .filter(acked)
        .filter(|r| r.started < stopping)
        .count();
    let after = records
        .iter()
        .filter(acked)
        .filter(|r| r.started >= started)
        .count();
    (
        before > 0 && after > 0,
        format!("{before} before the stop, {after} after the start"),
    )
}

/// Each replica answered a request as expected within `RECOVERY` of the start.
fn recovered(records: &[Record], started: Duration, replicas: usize) -> (bool, String) {
    let first_ok: Vec<Option<Duration>> = (0..replicas)
        .map(|replica| {
            records
                .iter()
                .filter(|r| r.replica == replica && r.started >= started && r.ok())
                .map(|r| r.started + r.took - started)
                .min()
        })
        .collect();
    let held = first_ok.iter().all(|t| t.is_some_and(|t| t <= RECOVERY));
    let seen: Vec<String> = first_ok
        .iter()
        .enumerate()
        .map(|(i, t)| match t {
            Some(t) => format!("replica {i} after {:.0} ms", t.as_secs_f64() * 1e3),
            None => format!("replica {i} never"),
        })
        .collect();
    (held, seen.join(", "))
}
