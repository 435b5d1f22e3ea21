//! The load test over time: the measured phase cut into intervals, each with its requests,
//! failures, latency percentiles and the server's resident memory; and, for a soak (a
//! measured phase of `SOAK` or more), the verdict that memory stays flat after warm-up
//! (growth under 5 %) and p95 stays stable. Warm-up here is the load test's warm-up plus the
//! first interval: caches, connection pools and allocator arenas fill during it.

use super::probe::rss_bytes;
use super::report::ms;
use super::stats::{Group, Latencies, Sample, Window};
use std::fmt::Write;
use std::time::Duration;
use tokio::time::Instant;

/// A measured phase at least this long is a soak, and gets the soak's verdict.
pub const SOAK: Duration = Duration::from_secs(600);
/// Most growth of resident memory from the end of the warm-up to the last interval.
pub const RSS_GROWTH_TARGET: f64 = 0.05;
/// p95 of the last third of the intervals may exceed that of the first third (after the
/// warm-up) by this factor, or by `P95_SLACK`, whichever is larger: the noise of a shared
/// machine at p95s of a few milliseconds.
pub const P95_DRIFT_FACTOR: f64 = 1.5;
/// See `P95_DRIFT_FACTOR`.
pub const P95_SLACK: Duration = Duration::from_millis(2);

/// One reading of the server's resident memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rss {
    /// When, from the start of the measured phase.
    pub at: Duration,
    /// Resident bytes.
    pub bytes: u64,
}

/// Reads the resident memory of process `pid` every `every`, from `from` (the start of the
/// measured phase) until `until`.
pub async fn sample_rss(pid: u32, from: Instant, until: Instant, every: Duration) -> Vec<Rss> {
    let mut tick = tokio::time::interval_at(from, every);
    let mut readings = Vec::new();
    loop {
        let now = tick.tick().await;
        if now > until {
            return readings;
        }
        if let Some(bytes) = rss_bytes(pid) {
            readings.push(Rss {
                at: now.saturating_duration_since(from),
                bytes,
            });
        }
    }
}

/// The intervals of a measured phase of `duration`, each `interval` long (the last one
/// open-ended, so that a request due on the last tick still counts).
pub fn intervals(duration: Duration, interval: Duration) -> Vec<Window> {
    let mut windows = Vec::new();
    let mut from = Duration::ZERO;
    while from < duration {
        let to = (from + interval).min(duration);
        windows.push(Window {
            label: format!("{}–{} s", from.as_secs(), to.as_secs()),
            due: from..if to == duration { Duration::MAX } else { to },
        });
        from = to;
    }
    windows
}

/// The most memory read in `window`, when any reading fell in it.
fn rss_in(window: &Window, rss: &[Rss]) -> Option<u64> {
    rss.iter()
        .filter(|r| window.due.contains(&r.at))
        .map(|r| r.bytes)
        .max()
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / f64::from(1 << 20))
}

/// The table of the intervals: requests, failures, percentiles and the most memory read.
pub fn render(samples: &[Sample], windows: &[Window], rss: &[Rss]) -> String {
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = writeln!(
        out,
        "\n{:<16} {:>7} {:>6} {:>9} {:>9} {:>9} {:>9} {:>11}",
        "over time", "count", "failed", "p50", "p95", "p99", "max", "server RSS"
    );
    for window in windows {
        let g = Group::of(samples.iter().filter(|s| window.holds(s)));
        let cell = |f: fn(&Latencies) -> Duration| g.latencies.map_or("-".into(), |l| ms(f(&l)));
        let _ = writeln!(
            out,
            "{:<16} {:>7} {:>6} {:>9} {:>9} {:>9} {:>9} {:>11}",
            window.label,
            g.completed,
            g.failed(),
            cell(|l| l.p50),
            cell(|l| l.p95),
            cell(|l| l.p99),
            cell(|l| l.max),
            rss_in(window, rss).map_or("-".into(), mib)
        );
    }
    out
}

/// The soak's verdict lines: memory flat after warm-up, p95 stable. Empty with fewer than
/// four intervals (no warm-up interval and two thirds to compare).
pub fn verdict(
    samples: &[Sample],
    windows: &[Window],
    rss: &[Rss],
) -> Vec<(&'static str, bool, String)> {
    if windows.len() < 4 {
        return Vec::new();
    }
    let settled = &windows[1..];
    let third = settled.len() / 3;
    let (early, late) = (&settled[..third], &settled[settled.len() - third..]);
    let p95_of = |ws: &[Window]| {
        Latencies::of(
            samples
                .iter()
                .filter(|s| ws.iter().any(|w| w.holds(s)))
                .map(|s| s.latency)
                .collect(),
        )
        .map(|l| l.p95)
    };
    let baseline = rss
        .iter()
        .find(|r| r.at >= windows[0].due.end)
        .map(|r| r.bytes);
    let last = windows.last().and_then(|w| rss_in(w, rss));
    let memory = match (baseline, last) {
        (Some(b), Some(l)) if b > 0 => {
            let growth = l as f64 / b as f64 - 1.0;
            (
                growth < RSS_GROWTH_TARGET,
                format!(
                    "{} after warm-up, {} in the last interval: {:+.1}%",
                    mib(b),
                    mib(l),
                    100.0 * growth
                ),
            )
        }
        _ => (false, "no memory readings".to_owned()),
    };
    let p95 = match (p95_of(early), p95_of(late)) {
        (Some(e), Some(l)) => (
            l <= e.mul_f64(P95_DRIFT_FACTOR).max(e + P95_SLACK),
            format!("first third {}, last third {}", ms(e), ms(l)),
        ),
        _ => (false, "no requests to compare".to_owned()),
    };
    vec![
        ("server RSS growth < 5%", memory.0, memory.1),
        ("p95 stable over time", p95.0, p95.1),
    ]
}

#[cfg(test)]
mod tests {
    use super::super::mix::Endpoint;
    use super::super::stats::Outcome;
    use super::*;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    fn sample(due: u64, latency_ms: u64) -> Sample {
        Sample {
            endpoint: Endpoint::Models,
            due: secs(due),
            latency: Duration::from_millis(latency_ms),
            lag: Duration::ZERO,
            outcome: Outcome::Status(200),
            cache_hit: None,
        }
    }

    fn readings(mib: &[u64]) -> Vec<Rss> {
        mib.iter()
            .enumerate()
            .map(|(i, m)| Rss {
                at: secs(i as u64 * 10),
                bytes: m << 20,
            })
            .collect()
    }

    #[test]
    fn intervals_cover_the_phase_and_the_last_is_open() {
        let w = intervals(secs(25), secs(10));
        let labels: Vec<&str> = w.iter().map(|w| w.label.as_str()).collect();
        assert_eq!(labels, ["0–10 s", "10–20 s", "20–25 s"]);
        assert!(w[2].holds(&sample(25, 1)));
        assert!(w[1].holds(&sample(10, 1)) && !w[1].holds(&sample(20, 1)));
    }

    #[test]
    fn flat_memory_and_steady_latency_pass() {
        let windows = intervals(secs(70), secs(10));
        let samples: Vec<Sample> = (0..70).map(|t| sample(t, 3)).collect();
        // Growth during the first interval is warm-up; afterwards +2%.
        let rss = readings(&[40, 100, 100, 100, 101, 101, 102, 102]);
        let v = verdict(&samples, &windows, &rss);
        assert!(v.iter().all(|l| l.1), "{v:?}");
        assert!(v[0].2.contains("+2.0%"), "{v:?}");
    }

    #[test]
    fn a_leak_or_a_slowdown_fails() {
        let windows = intervals(secs(70), secs(10));
        let steady: Vec<Sample> = (0..70).map(|t| sample(t, 3)).collect();
        let leaking = readings(&[40, 100, 102, 104, 106, 108, 110, 112]);
        assert!(!verdict(&steady, &windows, &leaking)[0].1);
        let slowing: Vec<Sample> = (0..70).map(|t| sample(t, 3 + t / 5)).collect();
        let flat = readings(&[100; 8]);
        let v = verdict(&slowing, &windows, &flat);
        assert!(v[0].1 && !v[1].1, "{v:?}");
    }

    #[test]
    fn short_runs_get_no_soak_verdict() {
        let windows = intervals(secs(30), secs(10));
        assert!(verdict(&[sample(0, 1)], &windows, &readings(&[1])).is_empty());
    }

    #[test]
    fn the_table_has_a_row_per_interval_with_memory() {
        let windows = intervals(secs(20), secs(10));
        let text = render(
            &[sample(0, 2), sample(15, 4)],
            &windows,
            &readings(&[50, 60, 70]),
        );
        assert!(text.contains("0–10 s"), "{text}");
        let last = text.lines().last().unwrap_or_default();
        assert!(
            last.starts_with("10–20 s") && last.ends_with("70.0 MiB"),
            "{text}"
        );
    }
}
