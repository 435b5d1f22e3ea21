//! `drill replica-storm`: three replicas on one PostgreSQL and one Redis take concurrent
//! deploys (every one an approved override, so each deploys) of the versions of one model
//! name, evaluations, policy edits and reads, while a watcher keeps asking how many versions
//! are deployed. Then every replica's cache is filled and one last deploy and policy edit go
//! through one replica. Promised: never two deployed versions of the name, every acknowledged
//! write kept once and none half-applied, the chain verifies, no request fails, and afterwards
//! every replica's cached answers agree with each other and with the database.

use super::ledger;
use super::postgres::Postgres;
use super::report::Report;
use super::stage::{self, Backing, Names};
use super::table::{self, Phase};
use super::traffic::{Ack, Load, Mix, Target, Traffic, drill_policy};
use crate::loadtest::api::{Api, json_of, status_and_json};
use crate::redis_server::Redis;
use anyhow::bail;
use serde_json::{Value, json};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::time::Instant;

/// The one name every version shares.
const NAME: &str = "storm-model";
/// Half the traffic deploys.
const MIX: Mix = Mix {
    deploy: 5,
    evaluate: 2,
    edit_policy: 1,
    read: 2,
};
/// The cached answers compared across replicas (the policy's own are added).
const CACHED: [&str; 4] = [
    "/dashboard/summary",
    "/dashboard/compliance-distribution",
    "/dashboard/risk-trends?days=30",
    "/policies",
];

/// Runs the drill; `short` for CI.
pub async fn run(binary: &Path, short: bool) -> anyhow::Result<Report> {
    let (versions, workers, storm) = if short {
        (6, 9, Duration::from_secs(6))
    } else {
        (20, 18, Duration::from_secs(60))
    };
    let postgres = Postgres::start()?;
    let redis = Redis::start().await?;
    let backing = Backing {
        database_url: Some(postgres.url()),
        redis_url: Some(redis.url()),
        settings: Vec::new(),
    };
    let (servers, apis) = stage::replicas(binary, &backing, 3).await?;
    let target = Arc::new(stage::prepare(&apis[0], versions, Names::VersionsOf(NAME), true).await?);
    let load = Load {
        mix: MIX,
        workers,
        failover: false,
    };

    let t0 = Instant::now();
    let traffic = Traffic::start(&apis, target.clone(), load, t0);
    let watching = Arc::new(AtomicBool::new(true));
    let watcher = tokio::spawn(watch_deployed(apis.clone(), watching.clone()));
    tokio::time::sleep(storm).await;
    let records = traffic.stop().await;
    watching.store(false, Ordering::Relaxed);
    let (looks, most) = watcher.await??;
    let end = t0.elapsed();
    last_write_through_one(&apis, &target).await?;

    let mut report = Report::default();
    report.table(table::render(
        &records,
        &[Phase::new("storm", Duration::ZERO, end)],
    ));
    report.promise(
        "never two deployed versions during the storm",
        most <= 1 && looks > 0,
        format!("{looks} looks across the replicas, at most {most} deployed"),
    );
    let (held, seen) = ledger::one_deployed_per_name(&apis[2]).await?;
    report.promise("one deployed version afterwards", held, seen);
    let failed = records.iter().filter(|r| !r.ok()).count();
    report.promise(
        "no request failed",
        failed == 0 && !records.is_empty(),
        format!("{failed} of {} failed", records.len()),
    );
    let history = ledger::check_writes(&mut report, &apis, &target, &records).await?;
    let (held, seen) = caches_agree(&apis, target.policy_id).await?;
    report.promise("every replica's cached answers agree", held, seen);
    let evaluations = target.models.len()
        + records
            .iter()
            .filter(|r| matches!(r.ack, Some(Ack::Evaluation(_))))
            .count();
    let expected = Expected::of(&history, evaluations as u64);
    let (held, seen) = caches_are_current(&apis, target.policy_id, &expected).await?;
    report.promise("cached answers show the last writes", held, seen);
    for (i, server) in servers.iter().enumerate() {
        report.server_errors(i, &server.output());
    }
    Ok(report)
}

/// Asks the replicas in turn how many versions are deployed until told to stop: how many
/// looks, and the most seen at once (each look is one query, one snapshot).
async fn watch_deployed(
    apis: Vec<Arc<Api>>,
    watching: Arc<AtomicBool>,
) -> anyhow::Result<(usize, usize)> {
    let (mut looks, mut most) = (0, 0);
    while watching.load(Ordering::Relaxed) {
        let api = &apis[looks % apis.len()];
        let body = json_of(api.get("/models?status=deployed&limit=100"), "GET /models").await?;
        let deployed = body
            .get("models")
            .and_then(Value::as_array)
            .map_or(0, |models| {
                models
                    .iter()
                    .filter(|m| m.get("name").and_then(Value::as_str) == Some(NAME))
                    .count()
            });
        most = most.max(deployed);
        looks += 1;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok((looks, most))
}

/// Fills every replica's cache, then writes through the first replica only (a deploy, a
/// policy edit): the others must drop what they cached, or their answers go stale.
async fn last_write_through_one(apis: &[Arc<Api>], target: &Target) -> anyhow::Result<()> {
    for api in apis {
        for path in cached_paths(target.policy_id) {
            cached(api, &path).await?;
        }
    }
    let deploy = json!({"environment": "production", "notes": "drill: the last write",
        "override": true, "justification": "drill: the risk is accepted for the exercise"});
    // A version may refuse with 409 `conflict` (its judgement went stale: see
    // docs/operations.md, Drills); the first version that deploys is the last write.
    let mut deployed = false;
    for model in &target.models {
        let path = format!("/models/{}/deploy", model.id);
        let (status, _) =
            status_and_json(apis[0].post_json(&path, &deploy), "the last deploy").await?;
        if status.is_success() {
            deployed = true;
            break;
        }
    }
    if !deployed {
        bail!("no version would deploy for the last write");
    }
    let policy = format!("/policies/{}", target.policy_id);
    json_of(
        apis[0].put_json(&policy, &drill_policy(99.0)),
        "the last policy edit",
    )
    .await?;
    Ok(())
}

/// The cached paths, the policy's own included.
fn cached_paths(policy_id: i64) -> Vec<String> {
    let mut paths: Vec<String> = CACHED.iter().map(|p| (*p).to_owned()).collect();
    paths.push(format!("/policies/{policy_id}"));
    paths.push(format!("/policies/{policy_id}/versions"));
    paths
}

/// An answer as a replica serves it from the cache: asked twice, the second (a hit when the
/// first filled the cache), without the time it was generated.
async fn cached(api: &Api, path: &str) -> anyhow::Result<Value> {
    json_of(api.get(path), path).await?;
    let mut body = json_of(api.get(path), path).await?;
    if let Some(object) = body.as_object_mut() {
        object.remove("generated_at");
    }
    Ok(body)
}

/// Every replica gives the same cached answer on every cached path.
async fn caches_agree(apis: &[Arc<Api>], policy_id: i64) -> anyhow::Result<(bool, String)> {
    let mut differing = Vec::new();
    let paths = cached_paths(policy_id);
    for path in &paths {
        let first = cached(&apis[0], path).await?;
        for (i, api) in apis.iter().enumerate().skip(1) {
            if cached(api, path).await? != first {
                differing.push(format!("{path} on replica {i}"));
            }
        }
    }
    Ok((
        differing.is_empty(),
        if differing.is_empty() {
            format!("{} paths × {} replicas alike", paths.len(), apis.len())
        } else {
            format!("differs from replica 0: {}", differing.join(", "))
        },
    ))
}

/// What the summary must say after the storm.
#[derive(Debug, PartialEq)]
struct Expected {
    /// `deployments.total`: deployed and overridden rows.
    deployments: u64,
    /// `deployments.blocked`.
    blocked: u64,
    /// `evaluations.total`.
    evaluations: u64,
}

impl Expected {
    fn of(history: &[Value], evaluations: u64) -> Self {
        let count = |outcomes: &[&str]| {
            history
                .iter()
                .filter(|r| {
                    r.get("outcome")
                        .and_then(Value::as_str)
                        .is_some_and(|o| outcomes.contains(&o))
                })
                .count() as u64
        };
        Self {
            deployments: count(&["deployed", "overridden"]),
            blocked: count(&["blocked"]),
            evaluations,
        }
    }
}

/// The cached answers hold the last writes: the summary counts every deployment, blocked
/// attempt and evaluation and one deployed model, and the policy's current version is its
/// newest.
async fn caches_are_current(
    apis: &[Arc<Api>],
    policy_id: i64,
    expected: &Expected,
) -> anyhow::Result<(bool, String)> {
    let mut stale = Vec::new();
    for (i, api) in apis.iter().enumerate() {
        let summary = cached(api, "/dashboard/summary").await?;
        let number = |pointer: &str| summary.pointer(pointer).and_then(Value::as_u64);
        let seen = Expected {
            deployments: number("/deployments/total").unwrap_or(0),
            blocked: number("/deployments/blocked").unwrap_or(0),
            evaluations: number("/evaluations/total").unwrap_or(0),
        };
        if seen != *expected || number("/models/by_status/deployed") != Some(1) {
            stale.push(format!("replica {i}: summary says {seen:?}"));
        }
        let policy = cached(api, &format!("/policies/{policy_id}")).await?;
        let versions = cached(api, &format!("/policies/{policy_id}/versions")).await?;
        let newest = versions
            .get("versions")
            .and_then(Value::as_array)
            .and_then(|v| v.iter().filter_map(|p| p.get("version")?.as_i64()).max());
        if policy.get("version").and_then(Value::as_i64) != newest {
            stale.push(format!("replica {i}: policy version behind its versions"));
        }
    }
    Ok((
        stale.is_empty(),
        if stale.is_empty() {
            format!("{expected:?}, 1 deployed, newest policy version, on every replica")
        } else {
            format!("expected {expected:?}; {}", stale.join("; "))
        },
    ))
}
