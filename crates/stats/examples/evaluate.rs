//! Reads two CSV files and prints how long parsing, drift (default methods) and
//! fairness + performance take, and the drift summary; used for the timing and peak
//! memory figures in `docs/performance.md` (`/usr/bin/time -v`).
//!
//! `cargo run --release -p driftguard-stats --example evaluate -- [--bytes] REFERENCE.csv CURRENT.csv`

use std::time::{Duration, Instant};

use driftguard_stats::drift::{self, DriftOptions};
use driftguard_stats::performance::{self, Task};
use driftguard_stats::{ColumnRoles, Dataset, ParseOptions, fairness};

/// CPU time (user + system, all threads) of this process so far, from `/proc/self/stat`
/// (Linux); zero elsewhere. On a shared machine it says more than wall time.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    let fields: Vec<u64> = stat
        .rsplit(')')
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|f| f.parse().ok())
        .collect();
    Duration::from_millis(fields.iter().sum::<u64>() * 10)
}

/// Current and peak resident memory in MiB, from `/proc/self/status` (Linux).
fn memory() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
            .unwrap_or(0)
            / 1024
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Runs `f`, printing its wall and CPU time and the memory after it.
fn timed<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let (wall, cpu) = (Instant::now(), cpu_time());
    let out = f();
    let (rss, peak) = memory();
    println!(
        "{what:<24} wall {:>6.3} s  cpu {:>6.3} s  rss {rss:>5} MiB  peak {peak:>5} MiB",
        wall.elapsed().as_secs_f64(),
        (cpu_time() - cpu).as_secs_f64()
    );
    out
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let [reference, current] = args.as_slice() else {
        return Err("usage: evaluate REFERENCE.csv CURRENT.csv".into());
    };
    let options = ParseOptions::default();
    // `--bytes` reads each file into memory first (as an upload handler holding the body
    // would); by default the files are streamed in blocks.
    let in_memory = std::env::args().any(|a| a == "--bytes");
    let parse = |path: &str, what: &str| -> Result<Dataset, Box<dyn std::error::Error>> {
        if in_memory {
            let bytes = std::fs::read(path)?;
            Ok(timed(what, || Dataset::from_csv(&bytes, &options))?)
        } else {
            let file = std::fs::File::open(path)?;
            Ok(timed(what, || Dataset::from_csv_reader(file, &options))?)
        }
    };
    let reference = parse(reference, "parse reference")?;
    let current = parse(current, "parse current")?;

    let roles = ColumnRoles {
        prediction: Some("prediction".into()),
        label: Some("label".into()),
        score: Some("score".into()),
        sensitive: vec!["group".into()],
        ignore: vec![],
    };
    let report = timed("drift, default methods", || {
        drift::compare(&reference, &current, &roles, &DriftOptions::default())
    })?;
    // As an evaluation runs them: fairness beside performance.
    let (fairness, perf) = timed("fairness + performance", || {
        rayon::join(
            || fairness::evaluate(&current, &roles),
            || performance::compare(&reference, &current, Task::BinaryClassification, &roles),
        )
    });
    let (fairness, perf) = (fairness?, perf?);

    println!("rows: {} + {}", reference.rows(), current.rows());
    println!(
        "drifted columns: {}/{} (share {})",
        report.drifted_columns, report.total_columns, report.share
    );
    if let Some(f) = fairness {
        println!(
            "demographic parity difference: {:?}",
            f.worst.demographic_parity_difference
        );
    }
    println!("accuracy drop: {:?}", perf.drop.get("accuracy"));
    Ok(())
}
