//! `driftguard check`: the offline gate for CI pipelines. The same evaluation as the API
//! (governance's `evaluate`), with no server and no database; the exit code says pass or fail.

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use driftguard_core::{PolicyId, RiskTier, Task, now};
use driftguard_governance::{
    EvaluationInput, EvaluationOptions, EvaluationResult, Policy, PolicyDraft, RiskSettings,
    Status, evaluate,
};
use driftguard_stats::ColumnRoles;
use driftguard_stats::drift::DriftMethod;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod data;
mod junit;
mod text;

use data::FileLimits;

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A readable table.
    Text,
    /// The evaluation as the API returns it.
    Json,
    /// A JUnit XML report: one test case per policy rule (violations fail, absent metrics
    /// skip), for CI systems' test views.
    Junit,
}

impl Format {
    /// The result in this format.
    fn render(self, judged: &Judged) -> anyhow::Result<String> {
        Ok(match self {
            Self::Text => text::text(judged.result),
            Self::Json => format!("{}\n", serde_json::to_string_pretty(judged.result)?),
            Self::Junit => junit::junit(judged.result, judged.policies, judged.tier)?,
        })
    }
}

/// An evaluation with what judged it: the policies and the risk tier.
struct Judged<'a> {
    result: &'a EvaluationResult,
    policies: &'a [Policy],
    tier: RiskTier,
}

/// `FORMAT=FILE` of `--report`: a report written to a file besides the one printed.
#[derive(Debug, Clone)]
pub struct ReportFile {
    format: Format,
    path: PathBuf,
}

impl std::str::FromStr for ReportFile {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (format, path) = s
            .split_once('=')
            .filter(|(_, path)| !path.is_empty())
            .ok_or_else(|| format!("`{s}` is not FORMAT=FILE (e.g. junit=report.xml)"))?;
        Ok(Self {
            format: Format::from_str(format, true)?,
            path: PathBuf::from(path),
        })
    }
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
    /// What to print: text, json or junit.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Also write a report to a file, as FORMAT=FILE (e.g. `json=evaluation.json`,
    /// `junit=driftguard.xml`); repeat for several. One run gives a CI job its log, its
    /// artefact and its test report.
    #[arg(long, value_name = "FORMAT=FILE")]
    report: Vec<ReportFile>,
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
        reference: (&reference).into(),
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
    let judged = Judged {
        result: &result,
        policies: &policies,
        tier: args.risk_tier,
    };
    for report in &args.report {
        std::fs::write(&report.path, report.format.render(&judged)?)
            .with_context(|| format!("writing {}", report.path.display()))?;
    }
    print!("{}", args.format.render(&judged)?);
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
