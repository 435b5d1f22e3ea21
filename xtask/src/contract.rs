//! `cargo xtask contract`: schemathesis against the release binary — every check (enabled in
//! `.ci/schemathesis.toml`, not with `--checks all`, which would outrank its exceptions), the
//! examples, coverage, fuzzing and stateful phases, a bounded number of examples per
//! operation — so that `/openapi.json` is held to what the server does. Fails on any failure.
//!
//! The server runs on SQLite in a temporary folder with the rate limiter off (one client
//! from one address would spend most of the run on 429s; the limiter has tests of its own).
//! The exceptions to the checks, each with its reason, are in `.ci/schemathesis.toml`; the
//! one rule JSON Schema cannot state is filtered in `.ci/schemathesis_hooks.py`.

use crate::server::{self, ADMIN_EMAIL, ADMIN_PASSWORD, Launch};
use anyhow::{Context, bail};
use std::path::PathBuf;
use std::process::Command;

/// Options: `--binary PATH` (skip the release build), `--max-examples N` (default 30),
/// `--seed N` (default: schemathesis picks one and prints it).
struct Options {
    binary: Option<PathBuf>,
    max_examples: u32,
    seed: Option<String>,
}

fn options(args: &[String]) -> anyhow::Result<Options> {
    let mut options = Options {
        binary: None,
        max_examples: 30,
        seed: None,
    };
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let mut value = || args.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--binary" => options.binary = Some(PathBuf::from(value()?)),
            "--max-examples" => options.max_examples = value()?.parse()?,
            "--seed" => options.seed = Some(value()?.clone()),
            other => bail!("unknown option `{other}` (--binary, --max-examples, --seed)"),
        }
    }
    Ok(options)
}

/// Runs the contract check.
pub fn run(args: &[String]) -> anyhow::Result<()> {
    let options = options(args)?;
    let binary = match options.binary {
        // The server runs in a folder of its own: a relative path would not find it.
        Some(path) => path
            .canonicalize()
            .with_context(|| format!("no binary at {}", path.display()))?,
        None => server::build()?,
    };
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let launch = Launch {
            settings: vec![("DRIFTGUARD_RATE_LIMITS__ENABLED", "false".into())],
            ..Launch::default()
        };
        let server = server::start(&binary, &launch).await?;
        let ci = crate::ci::root().join(".ci");
        let mut command = Command::new("schemathesis");
        command
            .arg("--config-file")
            .arg(ci.join("schemathesis.toml"))
            .arg("run")
            .arg(format!("{}/openapi.json", server.base))
            .args(["--max-examples", &options.max_examples.to_string()])
            .env("PYTHONPATH", &ci)
            .env("SCHEMATHESIS_HOOKS", "schemathesis_hooks")
            .env("DRIFTGUARD_CONTRACT_BASE", &server.base)
            .env("DRIFTGUARD_CONTRACT_EMAIL", ADMIN_EMAIL)
            .env("DRIFTGUARD_CONTRACT_PASSWORD", ADMIN_PASSWORD);
        if let Some(seed) = &options.seed {
            command.args(["--seed", seed]);
        }
        let status = command
            .status()
            .context("cannot run schemathesis: `pip install -r .ci/requirements.txt`")?;
        if !status.success() {
            // Keep the server's own output: "stopped responding" says nothing of why.
            let mut server = server;
            let kept = crate::ci::root().join("target/contract-server.out");
            let exited = server.exited();
            let _ = server.keep_output(&kept);
            bail!(
                "schemathesis reported failures ({status}); the server {}; its output is in {}",
                exited.map_or("was still running".to_owned(), |s| format!(
                    "had exited: {s}"
                )),
                kept.display()
            );
        }
        drop(server);
        Ok(())
    })
}
