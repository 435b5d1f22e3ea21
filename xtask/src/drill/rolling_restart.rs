//! `drill rolling-restart`: two replicas on one PostgreSQL and one Redis behind the drill's
//! own load balancer (a client that retries a refused connection on the other replica, and
//! nothing else). Under load, one replica gets SIGTERM while a slow evaluation is in flight
//! on it, then is started again on the same port. Promised: it refuses new connections at
//! once, finishes what it holds, exits within its grace period (`shutdown_grace_secs`), no
//! request fails but by a refused connection the balancer retried, and it serves again
//! after its restart.

use super::postgres::Postgres;
use super::report::Report;
use super::stage::{self, Backing, Names};
use super::table::{self, Phase};
use super::traffic::{Load, Mix, Record, Traffic, exchange};
use crate::loadtest::api::Api;
use crate::loadtest::stats::Outcome;
use crate::redis_server::Redis;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::time::Instant;

/// The traffic: reads and evaluations (the longest requests), a few deploys and edits.
const MIX: Mix = Mix {
    deploy: 1,
    evaluate: 3,
    edit_policy: 1,
    read: 5,
};
/// The replica stopped.
const STOPPED: usize = 0;
/// After SIGTERM, connections attempted later than this must be refused.
const CLOSE_WITHIN: Duration = Duration::from_millis(200);
/// Rows of the slow evaluation held at SIGTERM.
const SLOW_ROWS: usize = 1_000_000;

/// Runs the drill; `short` for CI.
pub async fn run(binary: &Path, short: bool) -> anyhow::Result<Report> {
    let secs = Duration::from_secs;
    let (workers, before, after, grace) = if short {
        (6, secs(3), secs(3), 5)
    } else {
        (12, secs(15), secs(15), 20)
    };
    let postgres = Postgres::start()?;
    let redis = Redis::start().await?;
    let backing = Backing {
        database_url: Some(postgres.url()),
        redis_url: Some(redis.url()),
        settings: vec![
            ("DRIFTGUARD_SHUTDOWN_GRACE_SECS", grace.to_string()),
            // `application.shutdown` is an INFO line of the binary's own.
            ("DRIFTGUARD_LOG_LEVEL", "warn,driftguard=info".to_owned()),
        ],
    };
    let (mut servers, apis) = stage::replicas(binary, &backing, 2).await?;
    let target = Arc::new(stage::prepare(&apis[1], 6, Names::Distinct, false).await?);
    let load = Load {
        mix: MIX,
        workers,
        failover: true,
    };

    let t0 = Instant::now();
    let traffic = Traffic::start(&apis, target.clone(), load, t0);
    tokio::time::sleep(before).await;
    let slow_csv = slow_data(&target.models[0].current_csv);
    let slow = tokio::spawn(slow_evaluation(
        apis[STOPPED].clone(),
        target.models[0].id,
        slow_csv,
        t0,
    ));
    // Let the slow evaluation start (its upload alone takes longer than this).
    tokio::time::sleep(Duration::from_millis(150)).await;
    let sigterm = t0.elapsed();
    servers[STOPPED].terminate()?;
    let port = servers[STOPPED].port;
    let probing = tokio::spawn(probe_connections(port, t0, sigterm + CLOSE_WITHIN));
    let exit = servers[STOPPED]
        .wait_exit(Duration::from_secs(grace + 10))
        .await;
    let exited = t0.elapsed();
    let (attempts, accepted) = probing.await??;
    let slow = slow.await?;
    let said_goodbye = servers[STOPPED].output().contains("application.shutdown");
    let restarted = stage::replica(binary, &backing, Some(port)).await?;
    let serving_again = t0.elapsed();
    servers[STOPPED] = restarted;
    println!(
        "SIGTERM at {:.1} s, exited at {:.1} s, serving again at {:.1} s",
        sigterm.as_secs_f64(),
        exited.as_secs_f64(),
        serving_again.as_secs_f64()
    );
    tokio::time::sleep(after).await;
    let records = traffic.stop().await;
    let end = t0.elapsed();

    let mut report = Report::default();
    report.table(table::render(
        &records,
        &[
            Phase::new("before", Duration::ZERO, sigterm),
            Phase::new("draining and restarting", sigterm, serving_again),
            Phase::new("after the restart", serving_again, end),
        ],
    ));
    report.promise(
        "refuses new connections after SIGTERM",
        accepted == 0 && attempts > 0,
        format!(
            "{accepted} of {attempts} connections accepted from {} ms after SIGTERM until exit",
            CLOSE_WITHIN.as_millis()
        ),
    );
    let held: Vec<&Record> = records
        .iter()
        .filter(|r| r.replica == STOPPED && r.started < sigterm && r.started + r.took > sigterm)
        .collect();
    let held_ok = held.iter().filter(|r| r.ok()).count();
    report.promise(
        "finishes the requests it holds",
        held_ok == held.len() && slow.held(sigterm) && slow.outcome == Outcome::Status(201),
        format!(
            "{held_ok} of {} traffic requests in flight answered; the slow evaluation \
             ({SLOW_ROWS} rows, {:.0}–{:.0} ms) answered {}",
            held.len(),
            slow.started.as_secs_f64() * 1e3,
            (slow.started + slow.took).as_secs_f64() * 1e3,
            slow.outcome
        ),
    );
    let took = exited.saturating_sub(sigterm);
    let clean = exit.is_some_and(|s| s.success());
    report.promise(
        format!("exits within its grace period ({grace} s)"),
        clean && took <= Duration::from_secs(grace + 1) && said_goodbye,
        format!(
            "{} after {:.1} s{}",
            exit.map_or("still running".into(), |s| s.to_string()),
            took.as_secs_f64(),
            if said_goodbye {
                ", logged application.shutdown"
            } else {
                ", no application.shutdown"
            }
        ),
    );
    let failed = records.iter().filter(|r| !r.ok()).count();
    let failed_over = records.iter().filter(|r| r.failovers > 0).count();
    report.promise(
        "no request failed but a refused or unanswered, retried one",
        failed == 0 && !records.is_empty(),
        format!(
            "{failed} of {} failed; {failed_over} refused or unanswered by the stopped replica and retried \
             on the other",
            records.len()
        ),
    );
    let served = records
        .iter()
        .filter(|r| r.replica == STOPPED && r.started >= serving_again && r.ok())
        .count();
    report.promise(
        "the restarted replica serves",
        served > 0,
        format!("{served} requests answered after the restart"),
    );
    for (i, server) in servers.iter().enumerate() {
        report.server_errors(i, &server.output());
    }
    Ok(report)
}

/// The slow evaluation: a model's current data repeated to `SLOW_ROWS` rows.
fn slow_data(current_csv: &str) -> String {
    let mut lines = current_csv.lines();
    let header = lines.next().unwrap_or_default();
    let rows: Vec<&str> = lines.collect();
    let mut csv = String::with_capacity(current_csv.len() * (SLOW_ROWS / rows.len().max(1) + 1));
    csv.push_str(header);
    csv.push('\n');
    for row in rows.iter().cycle().take(SLOW_ROWS) {
        csv.push_str(row);
        csv.push('\n');
    }
    csv
}

/// How the slow evaluation went.
struct Slow {
    started: Duration,
    took: Duration,
    outcome: Outcome,
}

impl Slow {
    /// Whether it was in flight at `moment`.
    fn held(&self, moment: Duration) -> bool {
        self.started < moment && self.started + self.took > moment
    }
}

async fn slow_evaluation(api: Arc<Api>, model: i64, csv: String, t0: Instant) -> Slow {
    let started = t0.elapsed();
    let request = api.send_csv(false, &format!("/models/{model}/evaluations"), csv);
    let (outcome, _) = exchange(request).await;
    Slow {
        started,
        took: t0.elapsed().saturating_sub(started),
        outcome,
    }
}

/// Tries to connect to `port` every 20 ms from `from` until the port has refused for 2 s
/// in a row or 60 s have passed: how many attempts, and how many were accepted.
async fn probe_connections(
    port: u16,
    t0: Instant,
    from: Duration,
) -> anyhow::Result<(usize, usize)> {
    tokio::time::sleep_until(t0 + from).await;
    let (mut attempts, mut accepted) = (0, 0);
    let mut refused_since: Option<Instant> = None;
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        attempts += 1;
        match TcpStream::connect(("127.0.0.1", port)).await {
            Ok(_) => {
                accepted += 1;
                refused_since = None;
            }
            Err(_) => {
                let since = *refused_since.get_or_insert_with(Instant::now);
                if since.elapsed() > Duration::from_secs(2) {
                    break;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok((attempts, accepted))
}
