//! `cargo xtask loadtest`: the benchmark of issue #6. Builds and starts the release server,
//! seeds it through the API (10,000 models with evaluations and a few hundred deploys),
//! then drives the dashboards and `GET /models` at a fixed rate, open loop, and prints
//! latency percentiles, failures and the dashboard cache hit rate against the targets
//! (p95 ≤ 20 ms at 1,000 requests/s, hit rate > 80%); with `--kill-redis-after`, also
//! before, during and after a Redis outage; interval by interval with the server's memory,
//! and for a soak (`--duration 30m`) whether memory stays flat and p95 stable. See
//! docs/performance.md.

pub(crate) mod api;
pub(crate) mod data;
pub(crate) mod drive;
mod mix;
mod options;
pub(crate) mod probe;
pub(crate) mod redis;
pub(crate) mod report;
pub(crate) mod rng;
pub(crate) mod seed;
mod soak;
pub(crate) mod stats;

use crate::redis_server::Redis;
use crate::server;
use anyhow::{Context, bail};
use api::Api;
use drive::Plan;
use options::Options;
use stats::Window;
use std::sync::Arc;
use std::time::Instant;

/// How often the server's resident memory is read during the measured phase.
const RSS_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// Runs the load test with the command-line `args` (after `loadtest`).
pub fn run(args: &[String]) -> anyhow::Result<()> {
    let options = Options::parse(args)?;
    let binary = match &options.binary {
        // Absolute: the server runs in a folder of its own.
        Some(path) => path.canonicalize()?,
        None => server::build()?,
    };
    // Two workers: the generator shares the two cores with the server and must not take
    // more than it needs, but one thread alone could fall behind while it parses answers.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        tokio::select! {
            result = load_test(&binary, &options) => result,
            // Returning drops the guards, which kill the server and redis-server.
            _ = tokio::signal::ctrl_c() => bail!("interrupted"),
        }
    })
}

async fn load_test(binary: &std::path::Path, options: &Options) -> anyhow::Result<()> {
    // The Redis to kill is the load test's own: dropping its guard kills it on every exit
    // path, as the server's does the server.
    let mut redis = match options.kill_redis_after {
        Some(_) => Some(Redis::start().await?),
        None => None,
    };
    if let Some(redis) = &redis {
        println!("redis-server of its own up at {}", redis.url());
    }
    let redis_url = redis
        .as_ref()
        .map(Redis::url)
        .or_else(|| options.redis_url.clone());
    let launch = server::Launch {
        reuse_data: options.reuse_data.as_deref(),
        database_url: options.database_url.as_deref(),
        redis_url: redis_url.as_deref(),
        // Seeding sends `--concurrency` uploads and evaluations at once; the server's bound
        // (one per core, then a fast 503) is not what the load test measures.
        settings: vec![(
            "DRIFTGUARD_LIMITS__MAX_CONCURRENT_UPLOADS",
            options.concurrency.to_string(),
        )],
        port: None,
    };
    let server = server::start(binary, &launch)
        .await
        .context("the server under test failed to start")?;
    println!("server up at {} (pid {})", server.base, server.pid);
    let api =
        Arc::new(Api::login(&server.base, server::ADMIN_EMAIL, server::ADMIN_PASSWORD).await?);

    let existing = seed::existing_models(&api).await?;
    let models = if existing == 0 {
        println!(
            "seeding {} models ({} requests in flight)",
            options.models, options.concurrency
        );
        let started = Instant::now();
        let seeded = seed::seed(api.clone(), options.models, options.concurrency).await?;
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "seeded {} models in {seconds:.1} s ({:.0} models/s); {}",
            options.models,
            options.models as f64 / seconds,
            seeded
                .counts
                .iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        options.models
    } else if existing >= options.models {
        println!("reusing the {existing} models already in the database");
        existing
    } else {
        bail!(
            "the database holds {existing} models, fewer than --models {}: start from an \
             empty database (or a folder for --reuse-data that does not exist yet)",
            options.models
        );
    };

    let plan = Plan {
        rate: options.rate,
        warmup: options.warmup,
        duration: options.duration,
        models,
        ramp: options.ramp,
    };
    println!(
        "driving {} req/s: {} s warm-up{}, then {} s measured",
        plan.rate,
        plan.warmup.as_secs(),
        if plan.ramp { " rising from 0" } else { "" },
        plan.duration.as_secs()
    );
    let cache_before = probe::cache_counters(&api).await;
    let cpu_before = (
        probe::cpu_seconds(server.pid),
        probe::cpu_seconds(std::process::id()),
    );
    let started = Instant::now();
    let start = tokio::time::Instant::now();
    let outage = async {
        match (redis.as_mut(), options.kill_redis_after) {
            (Some(redis), Some(after)) => {
                let kill_at = start + plan.warmup + after;
                redis::outage(redis, kill_at, options.restart_redis_after).await
            }
            _ => Ok(()),
        }
    };
    let measured_from = start + plan.warmup;
    let memory = soak::sample_rss(
        server.pid,
        measured_from,
        measured_from + plan.duration,
        RSS_EVERY,
    );
    let (samples, outage, rss) =
        tokio::join!(drive::drive(api.clone(), plan, start), outage, memory);
    outage.context("the Redis outage")?;
    let wall = started.elapsed().as_secs_f64();
    let cpu_after = (
        probe::cpu_seconds(server.pid),
        probe::cpu_seconds(std::process::id()),
    );
    let cache_after = probe::cache_counters(&api).await;

    let windows = options.kill_redis_after.map_or_else(Vec::new, |kill| {
        Window::outage(kill, options.restart_redis_after, options.duration)
    });
    print!("\n{}", report::render(&plan, &samples, &windows));
    let intervals = soak::intervals(plan.duration, options.interval());
    print!("{}", soak::render(&samples, &intervals, &rss));
    if let ((Some(s0), Some(g0)), (Some(s1), Some(g1))) = (cpu_before, cpu_after) {
        println!(
            "CPU over the {wall:.0} s of load (warm-up included): server {:.0}% of one core, \
             generator {:.0}%",
            100.0 * (s1 - s0) / wall,
            100.0 * (g1 - g0) / wall
        );
    }
    let delta = probe::cache_delta(&cache_before, &cache_after);
    let counters: Vec<String> = delta
        .iter()
        .map(|(class, h, m)| format!("{class} {h:.0} hits / {m:.0} misses"))
        .collect();
    println!(
        "cache counters of /metrics during the load (warm-up included): {}",
        counters.join(", ")
    );

    let mut verdict = report::verdict(&stats::Group::of(samples.iter()));
    if plan.duration >= soak::SOAK {
        verdict
            .lines
            .extend(soak::verdict(&samples, &intervals, &rss));
    }
    println!("\ntargets:");
    for (target, met, observed) in &verdict.lines {
        println!(
            "  {:<26} {:<6} ({observed})",
            target,
            if *met { "met" } else { "MISSED" }
        );
    }
    if options.check && !verdict.all_met() {
        bail!("a target was missed (--check)");
    }
    Ok(())
}
