//! The printed result of the load phase and its verdict against the targets of issue #6:
//! p95 ≤ 20 ms at the asked rate, a dashboard cache hit rate above 80%, no failed request.

use super::drive::Plan;
use super::mix::Endpoint;
use super::stats::{Group, Latencies, Outcome, Sample};
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

/// The report of a load phase: totals, the latency table, failures, lag.
pub fn render(plan: &Plan, samples: &[Sample]) -> String {
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
    let mut row = |name: &str, g: &Group| {
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
    };
    row("all", &all);
    for endpoint in Endpoint::ALL {
        row(
            endpoint.label(),
            &Group::of(samples.iter().filter(|s| s.endpoint == endpoint)),
        );
    }
    if !all.failures.is_empty() {
        let by: Vec<String> = all
            .failures
            .iter()
            .map(|(outcome, n)| format!("{outcome} × {n}"))
            .collect();
        let _ = writeln!(out, "\nfailures: {}", by.join(", "));
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

/// A duration in milliseconds, to 0.01 ms.
fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(endpoint: Endpoint, status: u16, hit: Option<bool>, latency_ms: u64) -> Sample {
        Sample {
            endpoint,
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
        let text = render(&plan, &samples);
        for endpoint in Endpoint::ALL {
            assert!(text.contains(endpoint.label()), "{text}");
        }
        assert!(text.contains("failures: HTTP 404 × 1"), "{text}");
        assert!(text.contains("sent 2, answered 2, failed 1"), "{text}");
    }
}
