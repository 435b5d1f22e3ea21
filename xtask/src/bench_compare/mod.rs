//! `cargo xtask bench-compare`: DriftGuard and its peers, Evidently and NannyML, on the same
//! files in one run. The data is generated deterministically (`cargo xtask bench-data`), each
//! peer is installed from PyPI into a virtualenv of its own under `target/bench-compare/`,
//! and every tool runs as a whole process (CSV load + drift) under `peers.py measure`, which
//! reads the wall time and the kernel's peak resident memory of the finished process. The
//! table gives the median of the runs, the ratio to DriftGuard and the largest difference
//! between each peer's drift scores and DriftGuard's (docs/performance.md, "Side by side").

mod datasets;
mod report;
mod tools;

use anyhow::{Context, bail};
use std::path::{Path, PathBuf};

use datasets::DataSet;
use report::{Outcome, Sample};
use tools::Tool;

/// Usage, printed in xtask's help and on a bad option.
pub const USAGE: &str = "\
cargo xtask bench-compare [--shapes 100kx20,1mx20,100kx100,356kx100]
                          [--tools driftguard,evidently,nannyml] [--runs N] [--binary PATH]";

/// What to run.
struct Options {
    datasets: Vec<DataSet>,
    tools: Vec<Tool>,
    runs: usize,
    binary: Option<PathBuf>,
}

fn options(args: &[String]) -> anyhow::Result<Options> {
    let mut options = Options {
        datasets: DataSet::parse_list(datasets::DEFAULT)?,
        tools: Tool::ALL.to_vec(),
        runs: 1,
        binary: None,
    };
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .with_context(|| format!("{flag} needs a value\n\n{USAGE}"))?;
        match flag.as_str() {
            "--shapes" => options.datasets = DataSet::parse_list(value)?,
            "--tools" => options.tools = Tool::parse_list(value)?,
            "--runs" => {
                options.runs = value.parse().context("--runs: a whole number")?;
                if options.runs == 0 {
                    bail!("--runs: at least 1");
                }
            }
            "--binary" => options.binary = Some(PathBuf::from(value)),
            other => bail!("unknown option `{other}`\n\n{USAGE}"),
        }
    }
    Ok(options)
}

/// Runs the comparison and prints its table; fails when a tool fails on a data set.
pub fn run(args: &[String]) -> anyhow::Result<()> {
    let options = options(args)?;
    let work = crate::ci::root().join("target/bench-compare");
    std::fs::create_dir_all(&work).with_context(|| format!("creating {}", work.display()))?;
    let binary = match options.binary {
        Some(binary) => binary,
        None => crate::server::build()?,
    };
    for tool in &options.tools {
        tool.install(&work)?;
    }
    let mut outcomes = Vec::new();
    for dataset in &options.datasets {
        dataset.generate()?;
        for tool in &options.tools {
            let samples = (0..options.runs)
                .map(|run| measure(*tool, dataset, &binary, &work, run))
                .collect::<anyhow::Result<Vec<Sample>>>()?;
            let scores = report::read_scores(*tool, &work.join(scores_file(*tool, dataset)))?;
            outcomes.push(Outcome {
                dataset: dataset.name.clone(),
                tool: *tool,
                samples,
                scores,
            });
        }
    }
    let table = report::table(&outcomes);
    print!("{table}");
    let saved = work.join("results.txt");
    std::fs::write(&saved, &table).with_context(|| format!("writing {}", saved.display()))?;
    println!(
        "(saved in {}; load average {})",
        saved.display(),
        load_average()
    );
    Ok(())
}

/// One run of one tool on one data set, as a whole process.
fn measure(
    tool: Tool,
    dataset: &DataSet,
    binary: &Path,
    work: &Path,
    run: usize,
) -> anyhow::Result<Sample> {
    let scores = work.join(scores_file(tool, dataset));
    let measured = work.join(format!("{}-{}-{run}.json", tool.name(), dataset.name));
    let command = tool.command(dataset, binary, work, &scores);
    println!(
        "{} on {} (run {} of its runs): {}",
        tool.name(),
        dataset.name,
        run + 1,
        command.join(" ")
    );
    let status = std::process::Command::new("python3")
        .arg(tools::peers_script())
        .arg("measure")
        .arg(&measured)
        .arg(tool.stdout_file(&scores))
        .arg("--")
        .args(&command)
        .status()
        .context("cannot run python3 (peers.py measure)")?;
    if !status.success() {
        bail!("peers.py measure failed ({status})");
    }
    let sample = report::read_sample(&measured)?;
    if !tool.accepts_exit(sample.exit_code) {
        bail!(
            "{} on {} exited with {}",
            tool.name(),
            dataset.name,
            sample.exit_code
        );
    }
    Ok(sample)
}

/// Where a tool's per-column scores for a data set go.
fn scores_file(tool: Tool, dataset: &DataSet) -> String {
    format!("{}-{}-scores.json", tool.name(), dataset.name)
}

/// The 1-minute load average, for the record next to the figures.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".into())
}
