//! The printed result of the load phase and its verdict against the targets of issue #6:
//! p95 ≤ 20 ms at the asked rate, a dashboard cache hit rate above 80%, no failed request.

use super::drive::Plan;
use super::mix::Endpoint;
use super::stats::{Group, Latencies, Outcome, Sample, Window};
use std::fmt::Write;
use std::time::Duration;

/// p95 target.
pub const P95_TARGET: Duration = Duration::from_millis(20);
/// Hit rate target (strictly above).
pub const HIT_RATE_TARGET: f64 = 0.8;

/// Whether each target was met, with what was observed.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// (target, met, observed).
    pub lines: Vec<(&'static str, bool, String)>,
}

impl Verdict {
    /// Every target met.
    pub fn all_met(&self) -> bool {
        self.lines.iter().all(|(_, met, _)| *met)
    }
}

/// The verdict on the figures of every measured request.
pub fn verdict(all: &Group) -> Verdict {
    let p95 = all.latencies.map(|l| l.p95);
    let lines = vec![
        (
            "p95 ≤ 20 ms",
            p95.is_some_and(|p| p <= P95_TARGET),
            p95.map_or("no request".into(), ms),
        ),
        (
            "dashboard hit rate > 80%",
            all.hit_rate.is_some_and(|h| h > HIT_RATE_TARGET),
            all.hit_rate.map_or("no answered dashboard".into(), |h| {
                format!("{:.1}%", 100.0 * h)
            }),
        ),
        (
            "no failed request",
            all.failed() == 0 && all.completed > 0,
            format!("{} failed", all.failed()),
        ),
    ];
    Verdict { lines }
}

/// The report of a load phase: totals, the latency table (overall, per endpoint, then per
/// window of `windows`, if any), failures, lag.
pub fn render(plan: &Plan, samples: &[Sample], windows: &[Window]) -> String {
    let all = Group::of(samples.iter());
    let answered = samples
        .iter()
        .filter(|s| matches!(s.outcome, Outcome::Status(_)))
        .count();
    let seconds = plan.duration.as_secs_f64();
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = writeln!(
        out,
        "measured {seconds:.0} s at {} req/s (after {} s of warm-up): sent {}, answered {}, \
         failed {}, achieved {:.1} req/s",
        plan.rate,
        plan.warmup.as_secs(),
        samples.len(),
        answered,
        all.failed(),
        answered as f64 / seconds
    );
    let _ = writeln!(
        out,
        "\n{:<40} {:>7} {:>6} {:>9} {:>9} {:>9} {:>9} {:>7}",
        "latency from scheduled start", "count", "failed", "p50", "p95", "p99", "max", "hit"
    );
    row(&mut out, "all", &all);
    for endpoint in Endpoint::ALL {
        let group = Group::of(samples.iter().filter(|s| s.endpoint == endpoint));
        row(&mut out, endpoint.label(), &group);
    }
    let windows: Vec<(&str, Group)> = windows
        .iter()
        .map(|w| {
            (
                w.label.as_str(),
                Group::of(samples.iter().filter(|s| w.holds(s))),
            )
        })
        .collect();
    if !windows.is_empty() {
        let _ = writeln!(out, "by due time in the measured phase:");
    }
    for (label, group) in &windows {
        row(&mut out, label, group);
    }
    if !all.failures.is_empty() {
        out.push('\n');
    }
    failures(&mut out, "failures", &all);
    for (label, group) in &windows {
        failures(&mut out, &format!("  {label}"), group);
    }
    if let Some(lag) = Latencies::of(samples.iter().map(|s| s.lag).collect()) {
        let _ = writeln!(
            out,
            "generator lag (due → sent, included in the latencies): p50 {}, p99 {}, max {}",
            ms(lag.p50),
            ms(lag.p99),
            ms(lag.max)
        );
    }
    out
}

/// One line of the latency table.
fn row(out: &mut String, name: &str, g: &Group) {
    let cell = |f: fn(&Latencies) -> Duration| g.latencies.map_or("-".into(), |l| ms(f(&l)));
    let _ = writeln!(
        out,
        "{:<40} {:>7} {:>6} {:>9} {:>9} {:>9} {:>9} {:>7}",
        name,
        g.completed,
        g.failed(),
        cell(|l| l.p50),
        cell(|l| l.p95),
        cell(|l| l.p99),
        cell(|l| l.max),
        g.hit_rate
            .map_or("-".into(), |h| format!("{:.1}%", 100.0 * h))
    );
}

/// The failures of `g` by outcome, when there are any.
fn failures(out: &mut String, name: &str, g: &Group) {
    if g.failures.is_empty() {
        return;
    }
    let by: Vec<String> = g
        .failures
        .iter()
        .map(|(outcome, n)| format!("{outcome} × {n}"))
        .collect();
    let _ = writeln!(out, "{name}: {}", by.join(", "));
}

/// A duration in milliseconds, to 0.01 ms.
pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(endpoint: Endpoint, status: u16, hit: Option<bool>, latency_ms: u64) -> Sample {
        Sample {
            endpoint,
            due: Duration::ZERO,
            latency: Duration::from_millis(latency_ms),
            lag: Duration::ZERO,
            outcome: Outcome::Status(status),
            cache_hit: hit,
        }
    }

    #[test]
    fn targets_met_and_missed() {
        let good: Vec<Sample> = (0..100)
            .map(|i| sample(Endpoint::Summary, 200, Some(i % 10 != 0), 5))
            .collect();
        assert!(verdict(&Group::of(good.iter())).all_met());

        let slow: Vec<Sample> = (0..100)
            .map(|i| {
                sample(
                    Endpoint::Summary,
                    200,
                    Some(true),
                    if i < 90 { 5 } else { 30 },
                )
            })
            .collect();
        let v = verdict(&Group::of(slow.iter()));
        assert_eq!(
            v.lines.iter().map(|l| l.1).collect::<Vec<_>>(),
            [false, true, true]
        );

        let missing: Vec<Sample> = (0..100)
            .map(|_| sample(Endpoint::Summary, 404, None, 1))
            .collect();
        let v = verdict(&Group::of(missing.iter()));
        assert_eq!(
            v.lines.iter().map(|l| l.1).collect::<Vec<_>>(),
            [true, false, false]
        );
        assert_eq!(v.lines[1].2, "no answered dashboard");
    }

    #[test]
    fn the_report_names_every_endpoint_and_the_failures() {
        let plan = Plan {
            rate: 10.0,
            warmup: Duration::ZERO,
            duration: Duration::from_secs(1),
            models: 10,
            ramp: false,
        };
        let samples = [
            sample(Endpoint::Models, 200, None, 3),
            sample(Endpoint::Summary, 404, None, 1),
        ];
        let text = render(&plan, &samples, &[]);
        for endpoint in Endpoint::ALL {
            assert!(text.contains(endpoint.label()), "{text}");
        }
        assert!(text.contains("\nfailures: HTTP 404 × 1"), "{text}");
        assert!(text.contains("sent 2, answered 2, failed 1"), "{text}");
        assert!(!text.contains("by due time"), "{text}");
    }

    #[test]
    fn the_report_splits_by_window() {
        let plan = Plan {
            rate: 10.0,
            warmup: Duration::ZERO,
            duration: Duration::from_secs(3),
            models: 10,
            ramp: false,
        };
        let at = |due: u64, status: u16| Sample {
            due: Duration::from_secs(due),
            ..sample(Endpoint::Summary, status, Some(status == 200), 2)
        };
        let samples = [at(0, 200), at(1, 503), at(2, 200)];
        let windows = Window::outage(
            Duration::from_secs(1),
            Some(Duration::from_secs(1)),
            plan.duration,
        );
        let text = render(&plan, &samples, &windows);
        let line = |prefix: &str| {
            text.lines()
                .find(|l| l.starts_with(prefix))
                .unwrap_or_else(|| panic!("no line `{prefix}` in\n{text}"))
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert!(
            line("before the kill (0–1 s)").ends_with("1 0 2.00 ms 2.00 ms 2.00 ms 2.00 ms 100.0%")
        );
        assert!(line("Redis down (1–2 s)").ends_with("1 1 2.00 ms 2.00 ms 2.00 ms 2.00 ms -"));
        assert!(
            line("after the restart (2–3 s)")
                .ends_with(" 1 0 2.00 ms 2.00 ms 2.00 ms 2.00 ms 100.0%")
        );
        assert!(
            text.contains("\n  Redis down (1–2 s): HTTP 503 × 1"),
            "{text}"
        );
        assert!(!text.contains("  before the kill (0–1 s): "), "{text}");
    }
}
