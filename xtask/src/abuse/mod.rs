//! `cargo xtask abuse`: hostile requests against the release binary. For each case of the
//! catalogue (cases.rs) it prints the status, the wall time to the answer and the server's
//! peak RSS while serving it, and fails when a case is not refused (or served) as expected
//! within `ANSWER_WITHIN`, when the peak reaches twice the upload limit, or when the server
//! does not answer `/health/live` afterwards. See docs/abuse-benchmark.md.
//!
//! Each case gets a server of its own, started fresh: VmHWM is the peak over the process's
//! life, and a fresh process holds no memory an earlier case left in the allocator, nor is
//! a crash in one case blamed on the next. After the set-up (sign-ins, the model, any
//! reference data) the peak is reset to the current RSS, so that it is the request's alone.
//! Sampling VmRSS from a thread instead would miss a spike between two samples.

mod bodies;
mod cases;
pub(crate) mod http;
pub(crate) mod probe;
mod report;
mod session;

use crate::server::{self, Launch};
use anyhow::{Context, bail};
use cases::{Case, Params};
use report::{Memory, Outcome};
use session::Session;
use std::path::PathBuf;
use std::time::Duration;

/// The longest a hostile request may take to be answered: "within seconds".
const ANSWER_WITHIN: Duration = Duration::from_secs(10);

/// How long to wait for an answer at all; past it the case is reported as unanswered.
const GIVE_UP_AFTER: Duration = Duration::from_secs(60);

/// Default upload limit: the server's own default (`max_upload_bytes`), so that the rule is
/// checked where a default install runs. Smaller limits (`--upload-limit`) run shorter, but
/// below about 128 MiB the server's own resident memory (about 85 MiB after the set-up's
/// sign-ins) leaves too little room under twice the limit (docs/abuse-benchmark.md).
const DEFAULT_UPLOAD_LIMIT: usize = 256 << 20;

/// Below this some bodies (the 1,000,000 labels are 9 MB, the similar labels 18 MB) would
/// be refused for their size, not for what each case is about.
const MIN_UPLOAD_LIMIT: usize = 32 << 20;

/// `max_json_bytes` of the server (its default, set explicitly since a case depends on it).
const JSON_LIMIT: usize = 1 << 20;

struct Options {
    binary: Option<PathBuf>,
    upload_limit: usize,
    only: Vec<String>,
    ks_columns: usize,
}

fn options(args: &[String]) -> anyhow::Result<Options> {
    let mut options = Options {
        binary: None,
        upload_limit: DEFAULT_UPLOAD_LIMIT,
        only: Vec::new(),
        ks_columns: 50,
    };
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let mut value = || args.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--binary" => options.binary = Some(PathBuf::from(value()?)),
            "--upload-limit" => options.upload_limit = value()?.parse()?,
            "--only" => options.only = value()?.split(',').map(str::to_owned).collect(),
            "--ks-columns" => options.ks_columns = value()?.parse()?,
            other => {
                bail!("unknown option `{other}` (--binary, --upload-limit, --only, --ks-columns)")
            }
        }
    }
    if options.upload_limit < MIN_UPLOAD_LIMIT {
        bail!("--upload-limit must be at least {MIN_UPLOAD_LIMIT} bytes");
    }
    if !(1..=1000).contains(&options.ks_columns) {
        bail!("--ks-columns must be 1 to 1000 (the server's column limit)");
    }
    Ok(options)
}

/// The cases `--only` names (every case without it).
fn selected(only: &[String]) -> anyhow::Result<Vec<Case>> {
    let all = cases::all();
    if let Some(unknown) = only.iter().find(|n| !all.iter().any(|c| c.name == *n)) {
        let names: Vec<&str> = all.iter().map(|c| c.name).collect();
        bail!("no case `{unknown}`; the cases: {}", names.join(", "));
    }
    Ok(all
        .into_iter()
        .filter(|c| only.is_empty() || only.iter().any(|n| n == c.name))
        .collect())
}

/// Runs the catalogue with the command-line `args` (after `abuse`).
pub fn run(args: &[String]) -> anyhow::Result<()> {
    let options = options(args)?;
    let cases = selected(&options.only)?;
    let binary = match &options.binary {
        // The server runs in a folder of its own: a relative path would not find it.
        Some(path) => path
            .canonicalize()
            .with_context(|| format!("no binary at {}", path.display()))?,
        None => server::build()?,
    };
    let params = Params {
        upload_limit: options.upload_limit,
        json_limit: JSON_LIMIT,
        ks_columns: options.ks_columns,
    };
    let runtime = tokio::runtime::Runtime::new()?;
    let load_before = probe::loadavg();
    let mut outcomes = Vec::new();
    for case in &cases {
        eprintln!("{}: {}", case.name, case.what);
        let server = runtime.block_on(server::start(&binary, &launch(&params)))?;
        outcomes.push(run_case(case, &params, server.pid, &server.base)?);
        drop(server);
    }
    let bound = 2 * params.upload_limit as u64;
    print!(
        "{}",
        report::render(&outcomes, &params, bound, &load_before, &probe::loadavg())
    );
    let broken = outcomes.iter().filter(|o| !o.broken.is_empty()).count();
    if broken > 0 {
        bail!("{broken} of {} cases broke a rule", outcomes.len());
    }
    Ok(())
}

fn launch(params: &Params) -> Launch<'static> {
    Launch {
        settings: vec![
            (
                "DRIFTGUARD_MAX_UPLOAD_BYTES",
                params.upload_limit.to_string(),
            ),
            ("DRIFTGUARD_MAX_JSON_BYTES", params.json_limit.to_string()),
        ],
        ..Launch::default()
    }
}

/// Sets up the server at `base`, sends the case's request, and judges the answer.
fn run_case(case: &Case, params: &Params, pid: u32, base: &str) -> anyhow::Result<Outcome> {
    let addr = base.trim_start_matches("http://");
    let at_start = probe::rss(pid);
    let session = Session::open(addr)?;
    if let Some(reference) = case.reference {
        session.reference(reference(params))?;
    }
    let request = (case.request)(params, &session)?;
    probe::reset_peak(pid)?;
    let before = probe::rss(pid);
    let answer = http::send(addr, request, GIVE_UP_AFTER);
    let memory = Memory {
        at_start,
        before,
        peak: probe::peak_rss(pid),
    };
    let mut outcome = Outcome::new(case, memory);
    match answer {
        Ok(answer) => outcome.judge(case, &answer, ANSWER_WITHIN),
        Err(e) => outcome.broken.push(format!("no answer: {e:#}")),
    }
    outcome.judge_memory(2 * params.upload_limit as u64);
    let live = session::call(addr, "GET", "/health/live", None, &serde_json::Value::Null);
    if probe::dead(pid) || !matches!(live, Ok((200, _))) {
        outcome
            .broken
            .push("the server died or stopped answering /health/live".into());
    }
    Ok(outcome)
}
