//! `cargo xtask bench-api`: a reference upload and an evaluation over HTTP on loopback with
//! the release server (issue #17 part 2): the `bench-data` pair (1M rows by default) sent as
//! `PUT /models/{id}/reference` and `POST /models/{id}/evaluations`, each timed from the
//! first byte sent to the last byte of the answer, on a fresh server a run; the server's
//! peak RSS (VmHWM) during each request and what it does after answering, and over both;
//! medians of the runs and the load average before and after (docs/performance.md, "The
//! reference prepared once").
//!
//! After each answer the server is left to finish what it does in the background (SQLite's
//! checkpoint after an upload): the next request is sent once the server has used no CPU
//! for [`QUIET`], and how long that took is printed beside the request's time.

use crate::abuse::http::{self, Request};
use crate::abuse::probe;
use crate::server::{self, ADMIN_EMAIL, ADMIN_PASSWORD, Launch};
use anyhow::{Context, bail};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::Duration;

/// The longest a request may take before the run is given up.
const TIMEOUT: Duration = Duration::from_secs(300);

/// How long the server must use no CPU to count as done with a request.
const QUIET: Duration = Duration::from_millis(200);

struct Options {
    size: String,
    runs: usize,
    binary: Option<PathBuf>,
    database_url: Option<String>,
}

fn options(args: &[String]) -> anyhow::Result<Options> {
    let mut options = Options {
        size: "1m".into(),
        runs: 3,
        binary: None,
        database_url: None,
    };
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let mut value = || args.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--size" => options.size = value()?.clone(),
            "--runs" => options.runs = value()?.parse()?,
            "--binary" => options.binary = Some(PathBuf::from(value()?)),
            "--database-url" => options.database_url = Some(value()?.clone()),
            other => bail!("unknown option `{other}` (--size, --runs, --binary, --database-url)"),
        }
    }
    if options.runs == 0 {
        bail!("--runs must be at least 1");
    }
    Ok(options)
}

/// One request's figures.
#[derive(Clone, Copy)]
struct Figure {
    seconds: f64,
    /// From the answer until the server was quiet.
    after_s: f64,
    peak_mib: f64,
}

/// Waits until process `pid` has used no CPU for [`QUIET`] (at most [`TIMEOUT`]); the
/// seconds waited before its last CPU use.
fn settle(pid: u32) -> anyhow::Result<f64> {
    let start = std::time::Instant::now();
    let cpu = || crate::loadtest::probe::cpu_seconds(pid).context("the server is gone");
    let mut used = cpu()?;
    let mut busy_until = start;
    loop {
        std::thread::sleep(QUIET);
        let now = cpu()?;
        if now == used {
            return Ok(busy_until.duration_since(start).as_secs_f64());
        }
        used = now;
        busy_until = std::time::Instant::now();
        if start.elapsed() > TIMEOUT {
            bail!(
                "the server was still busy {} s after answering",
                TIMEOUT.as_secs()
            );
        }
    }
}

/// Sends `request`, requiring a 2xx; the answer as JSON and the time it took.
fn send(addr: &str, request: Request) -> anyhow::Result<(Value, f64)> {
    let what = format!("{} {}", request.method, request.path);
    let answer = http::send(addr, request, TIMEOUT).with_context(|| what.clone())?;
    if !(200..300).contains(&answer.status) {
        bail!("{what} answered {}: {}", answer.status, answer.text());
    }
    Ok((answer.json(), answer.elapsed.as_secs_f64()))
}

fn json_request(method: &'static str, path: &str, token: Option<&str>, body: &Value) -> Request {
    let request =
        Request::new(method, path).body("application/json", body.to_string().into_bytes());
    match token {
        Some(token) => request.header("Authorization", token),
        None => request,
    }
}

/// The peak RSS since the last reset, in MiB, then reset.
fn peak(pid: u32) -> anyhow::Result<f64> {
    let bytes = probe::peak_rss(pid).context("the server is gone")?;
    probe::reset_peak(pid)?;
    Ok(bytes as f64 / f64::from(1 << 20))
}

/// Sends `csv` to `path`; its time, the time the server went on working after answering,
/// and the server's peak RSS over both.
fn csv_request(
    addr: &str,
    pid: u32,
    token: &str,
    method: &'static str,
    path: &str,
    csv: &[u8],
) -> anyhow::Result<Figure> {
    let request = Request::new(method, path)
        .header("Authorization", token)
        .body("text/csv", csv.to_vec());
    let (_, seconds) = send(addr, request)?;
    let after_s = settle(pid)?;
    Ok(Figure {
        seconds,
        after_s,
        peak_mib: peak(pid)?,
    })
}

/// One run on a fresh server: the upload's and the evaluation's figures, and the peak over
/// the server's whole life.
fn run_once(
    runtime: &tokio::runtime::Runtime,
    binary: &std::path::Path,
    options: &Options,
    run: usize,
    reference: &[u8],
    current: &[u8],
) -> anyhow::Result<(Figure, Figure, f64)> {
    let launch = Launch {
        database_url: options.database_url.as_deref(),
        ..Launch::default()
    };
    let server = runtime.block_on(server::start(binary, &launch))?;
    let addr = server.base.trim_start_matches("http://").to_owned();
    let login = json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD});
    let (answer, _) = send(&addr, json_request("POST", "/auth/login", None, &login))?;
    let token = answer["access_token"]
        .as_str()
        .map(|t| format!("Bearer {t}"))
        .context("no access_token")?;
    // A version of its own a run, so that runs against one PostgreSQL database do not clash.
    let version = format!("1.{}.{run}", std::process::id());
    let model = json!({"name": "bench-api", "version": version, "task": "binary_classification",
        "risk_tier": "high", "columns": {"prediction": "prediction", "label": "label",
        "score": "score", "sensitive": ["group"]}});
    let (answer, _) = send(&addr, json_request("POST", "/models", Some(&token), &model))?;
    let id = answer["id"].as_i64().context("no model id")?;
    let whole_life_before = probe::peak_rss(server.pid).unwrap_or_default();
    probe::reset_peak(server.pid)?;
    let upload = csv_request(
        &addr,
        server.pid,
        &token,
        "PUT",
        &format!("/models/{id}/reference"),
        reference,
    )?;
    let evaluation = csv_request(
        &addr,
        server.pid,
        &token,
        "POST",
        &format!("/models/{id}/evaluations"),
        current,
    )?;
    let set_up = whole_life_before as f64 / f64::from(1 << 20);
    let both = upload.peak_mib.max(evaluation.peak_mib).max(set_up);
    Ok((upload, evaluation, both))
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Runs the chore with the command-line `args` (after `bench-api`).
pub fn run(args: &[String]) -> anyhow::Result<()> {
    let options = options(args)?;
    let data = crate::ci::root().join("bench-data");
    let file = |side: &str| data.join(format!("{side}_{}.csv", options.size));
    if !file("reference").is_file() || !file("current").is_file() {
        crate::bench_data::run(&options.size)?;
    }
    let reference = std::fs::read(file("reference"))?;
    let current = std::fs::read(file("current"))?;
    let binary = match &options.binary {
        Some(path) => path
            .canonicalize()
            .with_context(|| format!("no binary at {}", path.display()))?,
        None => server::build()?,
    };
    let runtime = tokio::runtime::Runtime::new()?;
    let load_before = probe::loadavg();
    println!(
        "run  upload_s  (after)  upload_peak_MiB  evaluation_s  (after)  evaluation_peak_MiB  server_peak_MiB"
    );
    let mut runs = Vec::new();
    for run in 1..=options.runs {
        let (upload, evaluation, both) =
            run_once(&runtime, &binary, &options, run, &reference, &current)?;
        println!(
            "{run:>3}  {:>8.3}  {:>7.2}  {:>15.0}  {:>12.3}  {:>7.2}  {:>19.0}  {both:>15.0}",
            upload.seconds,
            upload.after_s,
            upload.peak_mib,
            evaluation.seconds,
            evaluation.after_s,
            evaluation.peak_mib
        );
        runs.push((upload, evaluation, both));
    }
    let pick = |f: &dyn Fn(&(Figure, Figure, f64)) -> f64| median(runs.iter().map(f).collect());
    println!(
        "median  upload {:.3} s (peak {:.0} MiB), evaluation {:.3} s (peak {:.0} MiB), server peak {:.0} MiB",
        pick(&|r| r.0.seconds),
        pick(&|r| r.0.peak_mib),
        pick(&|r| r.1.seconds),
        pick(&|r| r.1.peak_mib),
        pick(&|r| r.2),
    );
    println!(
        "{} B reference, {} B current; load average before {load_before}, after {}",
        reference.len(),
        current.len(),
        probe::loadavg()
    );
    Ok(())
}
