//! The table of a drill's traffic by phase (before, during, after the fault) and kind of
//! request: how many, how many got an expected answer, 503s, other failures, and latency.

use super::traffic::{Op, Record};
use crate::loadtest::report::ms;
use crate::loadtest::stats::{Latencies, Outcome};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::ops::Range;
use std::time::Duration;

/// A stretch of the drill, by when requests started (from the traffic's start).
#[derive(Debug, Clone, PartialEq)]
pub struct Phase {
    /// Its name in the table.
    pub label: String,
    /// The start times it holds.
    pub during: Range<Duration>,
}

impl Phase {
    /// A phase from `from` to `to`.
    pub fn new(label: &str, from: Duration, to: Duration) -> Self {
        Self {
            label: format!(
                "{label} ({:.1}–{:.1} s)",
                from.as_secs_f64(),
                to.as_secs_f64()
            ),
            during: from..to,
        }
    }

    /// Whether `record` started in it.
    pub fn holds(&self, record: &Record) -> bool {
        self.during.contains(&record.started)
    }
}

/// The table: a line per phase and kind of request, then the unexpected answers by phase.
pub fn render(records: &[Record], phases: &[Phase]) -> String {
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = writeln!(
        out,
        "{:<36} {:<12} {:>6} {:>6} {:>5} {:>6} {:>9} {:>9} {:>9}",
        "phase", "request", "count", "ok", "503", "other", "p50", "p95", "max"
    );
    for phase in phases {
        for op in Op::ALL {
            let these: Vec<&Record> = records
                .iter()
                .filter(|r| r.op == op && phase.holds(r))
                .collect();
            if these.is_empty() {
                continue;
            }
            let ok = these.iter().filter(|r| r.ok()).count();
            let unavailable = these
                .iter()
                .filter(|r| r.outcome == Outcome::Status(503))
                .count();
            let latencies = Latencies::of(these.iter().map(|r| r.took).collect());
            let cell = |f: fn(&Latencies) -> Duration| latencies.map_or("-".into(), |l| ms(f(&l)));
            let _ = writeln!(
                out,
                "{:<36} {:<12} {:>6} {:>6} {:>5} {:>6} {:>9} {:>9} {:>9}",
                phase.label,
                op.label(),
                these.len(),
                ok,
                unavailable,
                these.len() - ok - unavailable,
                cell(|l| l.p50),
                cell(|l| l.p95),
                cell(|l| l.max)
            );
        }
    }
    for phase in phases {
        let mut unexpected: BTreeMap<String, usize> = BTreeMap::new();
        for r in records.iter().filter(|r| phase.holds(r) && !r.ok()) {
            let code = r.code.as_deref().map_or(String::new(), |c| format!(" {c}"));
            *unexpected
                .entry(format!("{} {}{code}", r.op.label(), r.outcome))
                .or_default() += 1;
        }
        if !unexpected.is_empty() {
            let list: Vec<String> = unexpected
                .iter()
                .map(|(what, n)| format!("{what} × {n}"))
                .collect();
            let _ = writeln!(out, "{}: {}", phase.label, list.join(", "));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(op: Op, at_ms: u64, outcome: Outcome) -> Record {
        Record {
            op,
            replica: 0,
            started: Duration::from_millis(at_ms),
            took: Duration::from_millis(3),
            outcome,
            code: None,
            ack: None,
            note: None,
            failovers: 0,
        }
    }

    #[test]
    fn rows_by_phase_and_kind_with_the_unexpected_answers_named() {
        let records = [
            record(Op::Read, 100, Outcome::Status(200)),
            record(Op::Read, 1500, Outcome::Status(503)),
            record(Op::Deploy, 1600, Outcome::Error("transport")),
            record(Op::Deploy, 2500, Outcome::Status(409)),
        ];
        let secs = Duration::from_secs;
        let phases = [
            Phase::new("before", secs(0), secs(1)),
            Phase::new("down", secs(1), secs(2)),
            Phase::new("after", secs(2), secs(3)),
        ];
        let text = render(&records, &phases);
        let line = |prefix: &str, op: &str| {
            text.lines()
                .find(|l| l.starts_with(prefix) && l.contains(op))
                .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
                .unwrap_or_default()
        };
        assert!(line("down (1.0", "read").contains("read 1 0 1 0"), "{text}");
        assert!(
            line("down (1.0", "deploy").contains("deploy 1 0 0 1"),
            "{text}"
        );
        assert!(
            line("after (2.0", "deploy").contains("deploy 1 1 0 0"),
            "{text}"
        );
        assert!(
            text.contains("down (1.0–2.0 s): deploy transport error × 1, read HTTP 503 × 1"),
            "{text}"
        );
        assert!(!text.contains("before (0.0–1.0 s):"), "{text}");
    }
}
