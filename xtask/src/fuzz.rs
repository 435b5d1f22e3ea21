//! `cargo xtask fuzz`: every cargo-fuzz target of `fuzz/` for a bounded time, from the
//! committed seeds (`fuzz/seeds/<target>`) plus the corpus grown by earlier runs
//! (`fuzz/corpus/<target>`, not committed). Fails at the first crash, panic, timeout or
//! memory blow-up, naming the input libFuzzer saved under `fuzz/artifacts/`.
//!
//! The targets are built with `--sanitizer none`: AddressSanitizer needs a nightly
//! compiler, and the code under test forbids `unsafe`, so what a fuzzer can find here —
//! panics, overflow checks (the build keeps debug assertions), hangs, runaway memory — needs
//! no sanitizer.

use anyhow::{Context, bail};
use std::process::Command;

use crate::ci::{cargo, root};

/// What `cargo xtask fuzz` was asked.
struct Options {
    seconds: u32,
    only: Option<Vec<String>>,
}

fn options(args: &[String]) -> anyhow::Result<Options> {
    let mut options = Options {
        seconds: 60,
        only: None,
    };
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--seconds" => options.seconds = value.parse().context("--seconds: a number")?,
            "--only" => options.only = Some(value.split(',').map(str::to_owned).collect()),
            other => bail!("unknown option `{other}` (--seconds, --only)"),
        }
    }
    Ok(options)
}

fn has_cargo_fuzz() -> bool {
    Command::new("cargo")
        .args(["fuzz", "--version"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The targets `fuzz/Cargo.toml` declares, as `cargo fuzz list` prints them.
fn targets() -> anyhow::Result<Vec<String>> {
    let out = Command::new("cargo")
        .args(["fuzz", "list"])
        .current_dir(root())
        .output()
        .context("running cargo fuzz list")?;
    if !out.status.success() {
        bail!(
            "cargo fuzz list failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8(out.stdout)?
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect())
}

/// Runs the chore.
pub fn run(args: &[String]) -> anyhow::Result<()> {
    let options = options(args)?;
    if !has_cargo_fuzz() {
        cargo(&["install", "--locked", "cargo-fuzz"])?;
    }
    let mut targets = targets()?;
    if let Some(only) = &options.only {
        if let Some(unknown) = only.iter().find(|t| !targets.contains(t)) {
            bail!(
                "no fuzz target `{unknown}` (targets: {})",
                targets.join(", ")
            );
        }
        targets.retain(|t| only.contains(t));
    }
    cargo(&["fuzz", "build", "--sanitizer", "none"])?;
    let time = format!("-max_total_time={}", options.seconds);
    for target in &targets {
        let corpus = format!("fuzz/corpus/{target}");
        let seeds = format!("fuzz/seeds/{target}");
        std::fs::create_dir_all(root().join(&corpus))
            .with_context(|| format!("creating {corpus}"))?;
        let result = cargo(&[
            "fuzz",
            "run",
            "--sanitizer",
            "none",
            target,
            &corpus,
            &seeds,
            "--",
            &time,
            // Inputs stay small enough to run fast; the limits are the readers' own, scaled
            // down in fuzz/src/lib.rs so that fuzzed inputs reach them.
            "-max_len=4096",
            "-timeout=10",
            "-rss_limit_mb=2048",
            "-print_final_stats=1",
        ]);
        if result.is_err() {
            bail!(
                "fuzz target `{target}` failed: the input is in fuzz/artifacts/{target}/ \
                 (reproduce with `cargo fuzz run --sanitizer none {target} <file>`); make it a \
                 regression test"
            );
        }
    }
    eprintln!(
        "{} fuzz targets ran {} s each without a failure",
        targets.len(),
        options.seconds
    );
    Ok(())
}
