//! `driftguard attest verify`: what a CD pipeline or an admission controller runs before
//! rolling a model out. Reads a DSSE envelope (as `GET /deployments/{id}/attestation` serves
//! it) and the public keys (as `GET /.well-known/driftguard/attestation-keys` serves them),
//! and exits 0 only for a valid signature over a `deployed` or `overridden` decision, for the
//! artefact `--digest` names when given; 1 when it is refused, 2 when a file cannot be read.

use anyhow::Context;
use clap::{Args, Subcommand};
use driftguard_app::audit::ArtifactDigest;
use driftguard_app::audit::attestation::{Envelope, PublicKey, verify_for_rollout};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `driftguard attest …`.
#[derive(Debug, Subcommand)]
pub enum AttestCommand {
    /// Verify a gate attestation before a rollout.
    ///
    /// Exits 0 only when FILE is signed by one of the keys in KEY and states a `deployed` or
    /// `overridden` decision (and, with --digest, is about that artefact); 1 when it is
    /// refused (bad or unknown signature, a blocked decision, another digest); 2 when a file
    /// cannot be read or is not an attestation or key list.
    ///
    /// Example: `curl -s $DG/.well-known/driftguard/attestation-keys > keys.json; curl -s -H
    /// "Authorization: Bearer $TOKEN" $DG/deployments/42/attestation > gate.json; driftguard
    /// attest verify --key keys.json gate.json --digest sha256:…`
    Verify(VerifyArgs),
}

/// The arguments of `driftguard attest verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The public keys: one `{keyid, algorithm, public_key}` or a JSON list of them.
    #[arg(long, value_name = "KEY")]
    key: PathBuf,
    /// The attestation (a DSSE envelope).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// The digest of the artefact about to be rolled out (`sha256:` and 64 hex digits).
    #[arg(long, value_name = "sha256:…")]
    digest: Option<ArtifactDigest>,
}

/// A key file: one key or a list.
#[derive(Deserialize)]
#[serde(untagged)]
enum KeyFile {
    One(PublicKey),
    Many(Vec<PublicKey>),
}

/// Runs an `attest` command.
pub fn run(command: AttestCommand) -> anyhow::Result<ExitCode> {
    let AttestCommand::Verify(args) = command;
    let keys = read_keys(&args.key)?;
    let envelope: Envelope = read_json(&args.file, "attestation")?;
    match verify_for_rollout(&envelope, &keys, args.digest.as_ref()) {
        Ok(statement) => {
            let predicate = &statement.predicate;
            let subject = statement.subject.first().map_or(String::new(), |s| {
                format!("{} sha256:{}", s.name, s.digest.sha256)
            });
            println!(
                "verified: {} to {} of {subject}, history row {} (hash {})",
                predicate.decision.as_str(),
                predicate.environment,
                predicate.history.deployment_id,
                predicate.history.hash
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(refusal) => {
            eprintln!("attestation refused: {refusal}");
            Ok(ExitCode::from(1))
        }
    }
}

fn read_keys(path: &Path) -> anyhow::Result<Vec<PublicKey>> {
    let keys = match read_json::<KeyFile>(path, "key file")? {
        KeyFile::One(key) => vec![key],
        KeyFile::Many(keys) => keys,
    };
    anyhow::ensure!(
        !keys.is_empty(),
        "the key file {} lists no key",
        path.display()
    );
    keys.iter()
        .map(|key| key.checked())
        .collect::<Result<_, _>>()
        .with_context(|| format!("in the key file {}", path.display()))
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path, what: &str) -> anyhow::Result<T> {
    let text =
        std::fs::read(path).with_context(|| format!("reading the {what} {}", path.display()))?;
    serde_json::from_slice(&text)
        .with_context(|| format!("the {what} {} is not valid", path.display()))
}
