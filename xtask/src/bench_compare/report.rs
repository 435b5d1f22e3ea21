//! What `cargo xtask bench-compare` measured, and its table: per data set and tool the median
//! wall time and peak memory of the runs, their ratio to DriftGuard's, and how far each
//! peer's drift scores are from DriftGuard's on the columns where both used the same method.

use anyhow::Context;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use super::tools::Tool;

/// One run of one tool, as `peers.py measure` saw it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    pub wall_s: f64,
    pub peak_rss_bytes: f64,
    pub exit_code: i32,
}

/// A column's drift as a tool reported it.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    /// The method, in DriftGuard's names (`wasserstein`, `jensenshannon`, …).
    pub method: String,
    pub value: f64,
}

/// Every run of one tool on one data set, and the scores of the last.
#[derive(Debug)]
pub struct Outcome {
    pub dataset: String,
    pub tool: Tool,
    pub samples: Vec<Sample>,
    pub scores: BTreeMap<String, Score>,
}

/// Reads what `peers.py measure` wrote.
pub fn read_sample(path: &Path) -> anyhow::Result<Sample> {
    let json = read_json(path)?;
    let number = |key: &str| {
        json.get(key)
            .and_then(Value::as_f64)
            .with_context(|| format!("{}: no number `{key}`", path.display()))
    };
    Ok(Sample {
        wall_s: number("wall_s")?,
        peak_rss_bytes: number("peak_rss_bytes")?,
        // An exit code is a small integer; a signal shows as a negative one.
        exit_code: number("exit_code")? as i32,
    })
}

/// Reads a tool's per-column scores: DriftGuard's evaluation JSON, or a peer's
/// `{"columns": {name: {method, score}}}`.
pub fn read_scores(tool: Tool, path: &Path) -> anyhow::Result<BTreeMap<String, Score>> {
    let json = read_json(path)?;
    let mut scores = BTreeMap::new();
    match tool {
        Tool::DriftGuard => {
            let columns = json
                .pointer("/drift/columns")
                .and_then(Value::as_array)
                .with_context(|| format!("{}: no drift.columns", path.display()))?;
            for column in columns {
                if let (Some(name), Some(method), Some(value)) = (
                    column.get("column").and_then(Value::as_str),
                    column.get("method").and_then(Value::as_str),
                    column.get("score").and_then(Value::as_f64),
                ) {
                    scores.insert(
                        name.to_owned(),
                        Score {
                            method: method.to_owned(),
                            value,
                        },
                    );
                }
            }
        }
        Tool::Evidently | Tool::NannyMl => {
            let columns = json
                .get("columns")
                .and_then(Value::as_object)
                .with_context(|| format!("{}: no columns", path.display()))?;
            for (name, column) in columns {
                let method = column.get("method").and_then(Value::as_str).unwrap_or("");
                if let Some(value) = column.get("score").and_then(Value::as_f64) {
                    scores.insert(
                        name.clone(),
                        Score {
                            method: canonical(method),
                            value,
                        },
                    );
                }
            }
        }
    }
    Ok(scores)
}

/// A peer's method name in DriftGuard's words, so that like is compared with like.
fn canonical(method: &str) -> String {
    let lower = method.to_ascii_lowercase();
    let name = if lower.contains("wasserstein") {
        "wasserstein"
    } else if lower.contains("jensen") {
        "jensenshannon"
    } else if lower.contains("psi") {
        "psi"
    } else if lower.contains("k-s") || lower.contains("kolmogorov") || lower == "ks" {
        "ks"
    } else if lower.contains("chi") {
        "chisquare"
    } else {
        return lower;
    };
    name.to_owned()
}

fn read_json(path: &Path) -> anyhow::Result<Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// The largest |difference| over the columns both tools scored with the same method, and
/// how many columns that was.
fn largest_difference(
    ours: &BTreeMap<String, Score>,
    theirs: &BTreeMap<String, Score>,
) -> (f64, usize) {
    let mut largest = 0.0_f64;
    let mut compared = 0;
    for (name, score) in theirs {
        if let Some(our) = ours.get(name).filter(|our| our.method == score.method) {
            largest = largest.max((our.value - score.value).abs());
            compared += 1;
        }
    }
    (largest, compared)
}

/// The table, one row per data set and tool.
pub fn table(outcomes: &[Outcome]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<10} {:<11} {:>9} {:>10} {:>8} {:>8} {:>12} {:>9}",
        "data", "tool", "time s", "peak MiB", "× time", "× mem", "max |Δscore|", "columns"
    );
    for outcome in outcomes {
        let wall = median(outcome.samples.iter().map(|s| s.wall_s).collect());
        let peak = median(outcome.samples.iter().map(|s| s.peak_rss_bytes).collect());
        let base = outcomes
            .iter()
            .find(|o| o.dataset == outcome.dataset && o.tool == Tool::DriftGuard);
        let (time_ratio, memory_ratio, difference) = match base {
            Some(base) if outcome.tool != Tool::DriftGuard => {
                let base_wall = median(base.samples.iter().map(|s| s.wall_s).collect());
                let base_peak = median(base.samples.iter().map(|s| s.peak_rss_bytes).collect());
                let (largest, compared) = largest_difference(&base.scores, &outcome.scores);
                (
                    format!("{:.1}", wall / base_wall),
                    format!("{:.1}", peak / base_peak),
                    (
                        format!("{largest:.1e}"),
                        format!("{compared}/{}", outcome.scores.len()),
                    ),
                )
            }
            _ => ("1.0".into(), "1.0".into(), ("-".into(), "-".into())),
        };
        let _ = writeln!(
            out,
            "{:<10} {:<11} {:>9.2} {:>10.0} {:>8} {:>8} {:>12} {:>9}",
            outcome.dataset,
            outcome.tool.name(),
            wall,
            peak / (1024.0 * 1024.0),
            time_ratio,
            memory_ratio,
            difference.0,
            difference.1,
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(method: &str, value: f64) -> Score {
        Score {
            method: method.into(),
            value,
        }
    }

    #[test]
    fn only_columns_scored_the_same_way_are_compared() {
        let ours = BTreeMap::from([
            ("a".to_owned(), score("wasserstein", 0.10)),
            ("b".to_owned(), score("jensenshannon", 0.20)),
        ]);
        let theirs = BTreeMap::from([
            ("a".to_owned(), score("wasserstein", 0.125)),
            ("b".to_owned(), score("psi", 9.0)),
        ]);
        let (largest, compared) = largest_difference(&ours, &theirs);
        assert!((largest - 0.025).abs() < 1e-15, "{largest}");
        assert_eq!(compared, 1);
    }

    #[test]
    fn peer_method_names_are_read_as_driftguard_names() {
        assert_eq!(canonical("Wasserstein distance (normed)"), "wasserstein");
        assert_eq!(canonical("Jensen-Shannon distance"), "jensenshannon");
        assert_eq!(canonical("jensen_shannon"), "jensenshannon");
        assert_eq!(canonical("K-S p_value"), "ks");
    }

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(vec![3.0, 1.0, 2.0, 10.0]), 2.5);
        assert_eq!(median(vec![5.0]), 5.0);
    }
}
