//! `drill redis-kill`: the load test's Redis outage as a drill. A replica with its answer
//! cache and its rate limiter in a redis-server of the drill's own serves the load test's
//! dashboards and model lists at a fixed rate while Redis is SIGKILLed and, later, started
//! again (empty, as after a crash). Bursts of failed sign-ins probe the rate limiter before,
//! during and after. Promised: no failed request and no 5-second stall in any window, the
//! limits hold throughout (in process while Redis is down), and once Redis is back the
//! answers are cached and the limits counted there again.

use super::report::Report;
use super::stage::{self, Backing};
use crate::loadtest::api::status_and_json;
use crate::loadtest::drive::{self, Plan};
use crate::loadtest::redis::outage;
use crate::loadtest::stats::{Group, Window};
use crate::loadtest::{report as load_report, seed};
use crate::redis_server::Redis;
use crate::server::ADMIN_EMAIL;
use anyhow::Context;
use serde_json::json;
use std::path::Path;
use std::process::Command;
use std::time::Duration;
use tokio::time::Instant;

/// The longest any request may take, Redis down or not (SPEC §4.10: no 5-second stalls).
const STALL: Duration = Duration::from_secs(5);
/// Failed sign-ins per burst: one more than the quota (5 a minute) allows.
const BURST: usize = 7;
/// A quota no load of the drill reaches, for every class but sign-ins.
const UNLIMITED: &str = "1000000";
/// Those classes.
const UNLIMITED_CLASSES: [&str; 7] = [
    "DRIFTGUARD_RATE_LIMITS__AUTH_REGISTER",
    "DRIFTGUARD_RATE_LIMITS__MODELS_CREATE",
    "DRIFTGUARD_RATE_LIMITS__MODELS_DEPLOY",
    "DRIFTGUARD_RATE_LIMITS__MODELS_RETIRE",
    "DRIFTGUARD_RATE_LIMITS__DASHBOARD",
    "DRIFTGUARD_RATE_LIMITS__SIMULATION",
    "DRIFTGUARD_RATE_LIMITS__DEFAULT",
];

/// Runs the drill; `short` for CI.
pub async fn run(binary: &Path, short: bool) -> anyhow::Result<Report> {
    let secs = Duration::from_secs;
    let (models, rate, duration, kill, restart) = if short {
        (300, 200.0, secs(15), secs(4), secs(4))
    } else {
        (2000, 500.0, secs(90), secs(30), secs(30))
    };
    let mut redis = Redis::start().await?;
    let mut settings = vec![
        ("DRIFTGUARD_RATE_LIMITS__ENABLED", "true".to_owned()),
        ("DRIFTGUARD_RATE_LIMIT_BACKEND", "redis".to_owned()),
    ];
    settings.extend(UNLIMITED_CLASSES.map(|class| (class, UNLIMITED.to_owned())));
    let backing = Backing {
        database_url: None,
        redis_url: Some(redis.url()),
        settings,
    };
    let (mut servers, apis) = stage::replicas(binary, &backing, 1).await?;
    let api = apis[0].clone();
    seed::seed(api.clone(), models, 8).await?;
    let plan = Plan {
        rate,
        warmup: secs(2),
        duration,
        models,
        ramp: false,
    };

    let start = Instant::now();
    let measured = start + plan.warmup;
    let windows = Window::outage(kill, Some(restart), duration);
    // A burst in the middle of each window.
    let bursts = windows.iter().map(|w| {
        let end = w.due.end.min(duration);
        measured + w.due.start + (end - w.due.start) / 2
    });
    let base = servers[0].base.clone();
    let probes = async {
        let mut seen = Vec::new();
        for at in bursts.collect::<Vec<_>>() {
            tokio::time::sleep_until(at).await;
            seen.push(sign_in_burst(&base).await?);
        }
        anyhow::Ok(seen)
    };
    let (samples, outage, probes) = tokio::join!(
        drive::drive(api.clone(), plan, start),
        outage(&mut redis, measured + kill, Some(restart)),
        probes
    );
    outage.context("the Redis outage")?;
    let probes = probes?;

    let mut report = Report::default();
    report.table(load_report::render(&plan, &samples, &windows));
    let groups: Vec<(&str, Group)> = windows
        .iter()
        .map(|w| {
            (
                w.label.as_str(),
                Group::of(samples.iter().filter(|s| w.holds(s))),
            )
        })
        .collect();
    let failed: Vec<String> = groups
        .iter()
        .map(|(label, g)| format!("{label}: {} of {}", g.failed(), g.completed))
        .collect();
    report.promise(
        "no failed request in any window",
        groups
            .iter()
            .all(|(_, g)| g.failed() == 0 && g.completed > 0),
        failed.join("; "),
    );
    let slowest = samples.iter().map(|s| s.latency).max().unwrap_or_default();
    report.promise(
        "no 5-second stall",
        slowest < STALL,
        format!("slowest request {:.0} ms", slowest.as_secs_f64() * 1e3),
    );
    let limited = probes.iter().all(|p| p.refused > 0 && p.other == 0);
    report.promise(
        "sign-in limit holds before, during, after",
        limited,
        probes
            .iter()
            .map(|p| {
                format!(
                    "{} of {BURST} refused, {} other, slowest {:.0} ms",
                    p.refused,
                    p.other,
                    p.slowest.as_secs_f64() * 1e3
                )
            })
            .collect::<Vec<_>>()
            .join(" / "),
    );
    let keys = redis_keys(redis.port())?;
    let in_redis = |part: &str| keys.iter().any(|k| k.contains(part));
    // The hit rate while Redis is down is no guide: concurrent misses of one answer share
    // its computation and say HIT (docs/dashboards-and-caching.md). The keys are.
    report.promise(
        "limits and cache in Redis again after the restart",
        in_redis(":rl:") && in_redis(":cache:"),
        format!(
            "{} keys in the restarted Redis; dashboard hit rate by window: {}",
            keys.len(),
            groups
                .iter()
                .map(|(_, g)| g
                    .hit_rate
                    .map_or("-".into(), |h| format!("{:.0}%", 100.0 * h)))
                .collect::<Vec<_>>()
                .join(" / ")
        ),
    );
    let exited = servers[0].exited();
    report.promise(
        "the replica never restarted",
        exited.is_none(),
        exited.map_or("still the same process".into(), |s| format!("exited: {s}")),
    );
    for (i, server) in servers.iter().enumerate() {
        report.server_errors(i, &server.output());
    }
    Ok(report)
}

/// What one burst of failed sign-ins got.
#[derive(Debug)]
struct Burst {
    /// 429s.
    refused: usize,
    /// Anything but a 401 or a 429.
    other: usize,
    /// The slowest answer.
    slowest: Duration,
}

/// `BURST` sign-ins with a wrong password, one after the other.
async fn sign_in_burst(base: &str) -> anyhow::Result<Burst> {
    let client = reqwest::Client::new();
    let mut burst = Burst {
        refused: 0,
        other: 0,
        slowest: Duration::ZERO,
    };
    let body = json!({"email": ADMIN_EMAIL, "password": "not the password at all"});
    for _ in 0..BURST {
        let started = Instant::now();
        let request = client
            .post(format!("{base}/auth/login"))
            .timeout(2 * STALL)
            .json(&body);
        let status = status_and_json(request, "POST /auth/login")
            .await
            .map(|(s, _)| s.as_u16());
        burst.slowest = burst.slowest.max(started.elapsed());
        match status {
            Ok(429) => burst.refused += 1,
            Ok(401) => {}
            _ => burst.other += 1,
        }
    }
    Ok(burst)
}

/// Every key in the redis-server on `port`.
fn redis_keys(port: u16) -> anyhow::Result<Vec<String>> {
    let out = Command::new("redis-cli")
        .args(["-h", "127.0.0.1", "-p", &port.to_string(), "--scan"])
        .output()
        .context("running redis-cli")?;
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect())
}
