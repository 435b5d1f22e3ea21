//! `driftguard check`: the offline gate for CI pipelines. The same evaluation as the API
//! (governance's `evaluate`), with no server and no database; the exit code says pass or fail.

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use driftguard_core::{PolicyId, RiskTier, Task, now};
use driftguard_governance::{
    EvaluationInput, EvaluationOptions, EvaluationResult, Policy, PolicyDraft, RiskSettings,
    Severity, Status, evaluate,
};
use driftguard_stats::ColumnRoles;
use driftguard_stats::drift::DriftMethod;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod data;

use data::FileLimits;

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A readable table.
    Text,
    /// The evaluation as the API returns it.
    Json,
}

/// The lowest status that fails the check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Only `fail` exits 1 (the default).
    Fail,
    /// `warn` exits 1 too.
    Warn,
}

/// Judge current data against reference data and policies, offline.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The reference data (CSV, streamed; or JSON, read whole, when the name ends in .json).
    #[arg(long, value_name = "FILE")]
    reference: PathBuf,
    /// The current data, with predictions (and labels where known).
    #[arg(long, value_name = "FILE")]
    current: PathBuf,
    /// A policy (or a JSON list of policies): `{"name", "rules": [...]}`. Default: DriftGuard's
    /// default policy.
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// low, medium, high or critical.
    #[arg(long, default_value = "high")]
    risk_tier: RiskTier,
    /// binary_classification or regression.
    #[arg(long, default_value = "binary_classification")]
    task: Task,
    /// The label (ground truth) column.
    #[arg(long)]
    label: Option<String>,
    /// The prediction column.
    #[arg(long)]
    prediction: Option<String>,
    /// The score (probability of class 1) column.
    #[arg(long)]
    score: Option<String>,
    /// A sensitive column (repeat for several).
    #[arg(long)]
    sensitive: Vec<String>,
    /// A column to leave out (repeat for several).
    #[arg(long)]
    ignore: Vec<String>,
    /// One drift method for every column (default: Evidently's choice per column).
    #[arg(long)]
    drift_method: Option<DriftMethod>,
    /// One drift threshold for every column (default: the method's).
    #[arg(long)]
    drift_threshold: Option<f64>,
    /// text or json.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// `warn` makes a warning fail the check too.
    #[arg(long, value_enum, default_value = "fail")]
    fail_on: FailOn,
    #[command(flatten)]
    limits: FileLimits,
}

fn read_policies(path: Option<&Path>) -> anyhow::Result<Vec<Policy>> {
    let drafts = match path {
        None => vec![PolicyDraft::default_policy()],
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            #[derive(serde::Deserialize)]
            #[serde(untagged)]
            enum OneOrMany {
                One(PolicyDraft),
                Many(Vec<PolicyDraft>),
            }
            match serde_json::from_str(&text)
                .with_context(|| format!("{} is not a policy", path.display()))?
            {
                OneOrMany::One(draft) => vec![draft],
                OneOrMany::Many(drafts) => drafts,
            }
        }
    };
    drafts
        .into_iter()
        .zip(1..)
        .map(|(draft, id)| {
            draft
                .validate()
                .map_err(|e| anyhow::anyhow!("invalid policy: {e}"))?;
            Ok(draft.into_policy(PolicyId(id), None, now()))
        })
        .collect()
}

/// Runs the check: 0 on pass (and warn, unless `--fail-on warn`), 1 on fail.
pub fn run(args: CheckArgs) -> anyhow::Result<ExitCode> {
    if args
        .drift_threshold
        .is_some_and(|t| !t.is_finite() || t < 0.0)
    {
        bail!("--drift-threshold must be a finite number ≥ 0");
    }
    // Both files at once: the serial steps of one reader (its header, the end of each block,
    // finishing its columns) overlap the other's parallel parsing.
    let (reference, current) = std::thread::scope(|scope| {
        let reference = scope.spawn(|| data::read_dataset(&args.reference, args.limits));
        let current = data::read_dataset(&args.current, args.limits);
        let reference = reference
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (reference, current)
    });
    let (reference, current) = (reference?, current?);
    let policies = read_policies(args.policy.as_deref())?;
    let roles = ColumnRoles {
        prediction: args.prediction,
        label: args.label,
        score: args.score,
        sensitive: args.sensitive,
        ignore: args.ignore,
    };
    let options = EvaluationOptions {
        drift_method: args.drift_method,
        drift_threshold: args.drift_threshold,
        ..EvaluationOptions::default()
    };
    let settings = RiskSettings::default();
    let result = evaluate(&EvaluationInput {
        reference: &reference,
        current: &current,
        roles: &roles,
        task: args.task,
        risk_tier: args.risk_tier,
        options: &options,
        policies: &policies,
        settings: &settings,
        max_groups: driftguard_stats::Limits::default().max_groups,
    })
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&result)?),
        Format::Text => print!("{}", text(&result)),
    }
    let failed = match result.judgement.status {
        Status::Fail => true,
        Status::Warn => args.fail_on == FailOn::Warn,
        Status::Pass => false,
    };
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn number(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| format!("{v:.4}"))
}

/// The readable report: status, risk breakdown, drift per column, metrics, violations.
fn text(result: &EvaluationResult) -> String {
    let mut out = String::new();
    let judgement = &result.judgement;
    let risk = &result.risk;
    let _ = writeln!(out, "status: {}", judgement.status.as_str().to_uppercase());
    let _ = writeln!(
        out,
        "risk score: {:.1} / 100 (tier multiplier {})",
        risk.score, risk.tier_multiplier
    );
    for (name, component) in [
        ("drift", &risk.components.drift),
        ("fairness", &risk.components.fairness),
        ("performance", &risk.components.performance),
    ] {
        if let Some(c) = component {
            let _ = writeln!(
                out,
                "  {name:<12} severity {:.3}  weight {:.3}  {:+.1} points",
                c.severity, c.weight, c.contribution
            );
        }
    }
    let drift = &result.drift;
    let _ = writeln!(
        out,
        "\ndrift: {} of {} columns drifted (share {:.2}, dataset drift at {:.2})",
        drift.drifted_columns, drift.total_columns, drift.share, drift.share_threshold
    );
    let _ = writeln!(
        out,
        "  {:<24} {:<14} {:>10} {:>10}  drifted",
        "column", "method", "score", "threshold"
    );
    for c in &drift.columns {
        let method = c.method.map_or_else(|| "-".to_owned(), |m| m.to_string());
        let mark = if c.drifted { "YES" } else { "no" };
        let _ = writeln!(
            out,
            "  {:<24} {:<14} {:>10} {:>10}  {mark}{}",
            c.column,
            method,
            number(c.score),
            number(c.threshold),
            c.reason
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default()
        );
    }
    let _ = writeln!(out, "\nmetrics:");
    for (name, value) in &result.metrics {
        let _ = writeln!(out, "  {name:<44} {value:.4}");
    }
    if judgement.violations.is_empty() {
        let _ = writeln!(out, "\nviolations: none");
    } else {
        let _ = writeln!(out, "\nviolations:");
        for v in &judgement.violations {
            let rule = match (v.op, v.threshold) {
                (Some(op), Some(t)) => format!("{} {} {t}", v.metric, op.as_str()),
                _ => v.metric.clone(),
            };
            let _ = writeln!(
                out,
                "  [{}] {rule}: observed {}",
                match v.severity {
                    Severity::Block => "block",
                    Severity::Warn => "warn",
                },
                number(v.observed)
            );
        }
    }
    for s in &judgement.skipped_rules {
        let _ = writeln!(out, "  skipped {}: {}", s.metric, s.reason);
    }
    out
}
