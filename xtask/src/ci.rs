//! The CI pipeline: the same steps, in the same order, locally and in `.ci/run`.

use anyhow::{Context, bail};
use std::path::PathBuf;
use std::process::Command;

/// The workspace root (xtask lives one folder below it).
pub fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

/// Runs `cargo <args>` in the workspace root; fails when it does.
pub fn cargo(args: &[&str]) -> anyhow::Result<()> {
    eprintln!("$ cargo {}", args.join(" "));
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(args)
        .current_dir(root())
        .status()
        .with_context(|| format!("running cargo {}", args.join(" ")))?;
    if !status.success() {
        bail!("cargo {} failed ({status})", args.join(" "));
    }
    Ok(())
}

fn has_cargo_deny() -> bool {
    Command::new("cargo")
        .args(["deny", "--version"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Formatting, lints, licences and every test.
pub fn all() -> anyhow::Result<()> {
    cargo(&["fmt", "--all", "--", "--check"])?;
    cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ])?;
    if !has_cargo_deny() {
        cargo(&["install", "--locked", "cargo-deny"])?;
    }
    // Advisories need the RustSec database from the network, which CI machines do not reach.
    cargo(&["deny", "--offline", "check", "bans", "licenses", "sources"])?;
    cargo(&["test", "--workspace"])
}

/// `schema.rs` against the migrated databases.
pub fn schema_check() -> anyhow::Result<()> {
    cargo(&[
        "test",
        "-p",
        "driftguard-storage",
        "--test",
        "schema_matches_migrations",
    ])
}
