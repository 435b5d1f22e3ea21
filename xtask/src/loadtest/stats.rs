//! What one request of the load phase produced, and the figures drawn from many of them:
//! latency percentiles (nearest rank over the sorted latencies), failures by status, and
//! the share of dashboard answers the cache served; over the whole measured phase or over a
//! window of it.

use super::mix::Endpoint;
use std::collections::BTreeMap;
use std::ops::Range;
use std::time::Duration;

/// How a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// An HTTP answer with this status.
    Status(u16),
    /// No answer: `timeout`, `connect` or `transport`.
    Error(&'static str),
}

impl Outcome {
    /// A 2xx answer.
    pub fn ok(self) -> bool {
        matches!(self, Outcome::Status(s) if (200..300).contains(&s))
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Status(s) => write!(f, "HTTP {s}"),
            Outcome::Error(e) => write!(f, "{e} error"),
        }
    }
}

/// One measured request.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    /// What was asked.
    pub endpoint: Endpoint,
    /// When it was due, from the start of the measured phase: which window it falls in.
    pub due: Duration,
    /// From the request's scheduled start to the last byte of the answer.
    pub latency: Duration,
    /// From the scheduled start to the moment the generator sent it (its own lateness).
    pub lag: Duration,
    /// Status or transport error.
    pub outcome: Outcome,
    /// `X-Cache: HIT` (true), another `X-Cache` value (false), or no such header.
    pub cache_hit: Option<bool>,
}

/// The `p`-th percentile (0 < p ≤ 100) of sorted values by nearest rank: the smallest value
/// with at least p% of the values at or below it. `None` when there are none.
pub fn percentile(sorted: &[Duration], p: f64) -> Option<Duration> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
}

/// Latency percentiles of a set of requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Latencies {
    /// Median.
    pub p50: Duration,
    /// 95th percentile.
    pub p95: Duration,
    /// 99th percentile.
    pub p99: Duration,
    /// Slowest.
    pub max: Duration,
}

impl Latencies {
    /// Percentiles of `values` (sorted here); `None` when empty.
    pub fn of(mut values: Vec<Duration>) -> Option<Self> {
        values.sort_unstable();
        Some(Self {
            p50: percentile(&values, 50.0)?,
            p95: percentile(&values, 95.0)?,
            p99: percentile(&values, 99.0)?,
            max: *values.last()?,
        })
    }
}

/// The figures of one group of samples (all of them, or one endpoint's).
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// Requests answered or failed.
    pub completed: usize,
    /// Non-2xx answers and transport errors, by outcome.
    pub failures: BTreeMap<Outcome, usize>,
    /// Latencies of every request, failed ones included (a fast 404 is still a request the
    /// server handled; failures are reported separately).
    pub latencies: Option<Latencies>,
    /// Share of 2xx answers carrying `X-Cache: HIT`, when any 2xx answer was a dashboard's.
    pub hit_rate: Option<f64>,
}

impl Group {
    /// The figures of `samples`.
    pub fn of<'a>(samples: impl Iterator<Item = &'a Sample> + Clone) -> Self {
        let mut failures = BTreeMap::new();
        for s in samples.clone().filter(|s| !s.outcome.ok()) {
            *failures.entry(s.outcome).or_insert(0) += 1;
        }
        let answered: Vec<&Sample> = samples
            .clone()
            .filter(|s| s.outcome.ok() && s.endpoint.is_dashboard())
            .collect();
        let hits = answered
            .iter()
            .filter(|s| s.cache_hit == Some(true))
            .count();
        Self {
            completed: samples.clone().count(),
            failures,
            latencies: Latencies::of(samples.map(|s| s.latency).collect()),
            hit_rate: (!answered.is_empty()).then(|| hits as f64 / answered.len() as f64),
        }
    }

    /// Number of failed requests.
    pub fn failed(&self) -> usize {
        self.failures.values().sum()
    }
}

/// A stretch of the measured phase (before, during, after a Redis outage), by due time:
/// a request belongs to the window it was due in, however long it then took.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    /// Its name in the report, with its bounds.
    pub label: String,
    /// Due times it holds, from the start of the measured phase.
    pub due: Range<Duration>,
}

impl Window {
    /// Whether `sample` was due in this window.
    pub fn holds(&self, sample: &Sample) -> bool {
        self.due.contains(&sample.due)
    }

    /// The windows of a measured phase of `duration` in which Redis is killed at `kill` and,
    /// with `restart`, started again that much later: before, down, after the restart.
    pub fn outage(kill: Duration, restart: Option<Duration>, duration: Duration) -> Vec<Self> {
        let window = |label: &str, from: Duration, to: Duration| Self {
            label: format!("{label} ({}–{} s)", from.as_secs(), to.as_secs()),
            due: from..to,
        };
        // The last window is open-ended: a request due on the last tick still counts.
        let end = |w: Self| Self {
            due: w.due.start..Duration::MAX,
            ..w
        };
        match restart {
            Some(restart) => vec![
                window("before the kill", Duration::ZERO, kill),
                window("Redis down", kill, kill + restart),
                end(window("after the restart", kill + restart, duration)),
            ],
            None => vec![
                window("before the kill", Duration::ZERO, kill),
                end(window("Redis down", kill, duration)),
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: u64) -> Duration {
        Duration::from_millis(v)
    }

    #[test]
    fn nearest_rank_percentiles() {
        let values: Vec<Duration> = (1..=100).map(ms).collect();
        assert_eq!(percentile(&values, 50.0), Some(ms(50)));
        assert_eq!(percentile(&values, 95.0), Some(ms(95)));
        assert_eq!(percentile(&values, 99.0), Some(ms(99)));
        assert_eq!(percentile(&values, 100.0), Some(ms(100)));
        assert_eq!(percentile(&[ms(7)], 99.0), Some(ms(7)));
        assert_eq!(percentile(&[ms(1), ms(2)], 50.0), Some(ms(1)));
        assert_eq!(percentile(&[ms(1), ms(2)], 51.0), Some(ms(2)));
        assert_eq!(percentile(&[], 50.0), None);
    }

    #[test]
    fn latencies_sort_their_input() {
        let l = Latencies::of(vec![ms(30), ms(10), ms(20), ms(40)]).expect("values");
        assert_eq!(
            (l.p50, l.p95, l.p99, l.max),
            (ms(20), ms(40), ms(40), ms(40))
        );
        assert_eq!(Latencies::of(Vec::new()), None);
    }

    fn sample(endpoint: Endpoint, status: u16, hit: Option<bool>, latency: u64) -> Sample {
        Sample {
            endpoint,
            due: Duration::ZERO,
            latency: ms(latency),
            lag: Duration::ZERO,
            outcome: Outcome::Status(status),
            cache_hit: hit,
        }
    }

    #[test]
    fn hit_rate_counts_answered_dashboards_only() {
        let samples = [
            sample(Endpoint::Summary, 200, Some(true), 1),
            sample(Endpoint::Summary, 200, Some(true), 2),
            sample(Endpoint::Compliance, 200, Some(false), 3),
            sample(Endpoint::RiskTrends, 200, None, 4),
            // Neither a failed dashboard nor a model list counts.
            sample(Endpoint::Summary, 500, None, 5),
            sample(Endpoint::Models, 200, Some(false), 6),
        ];
        let all = Group::of(samples.iter());
        assert_eq!(all.hit_rate, Some(0.5));
        assert_eq!(all.completed, 6);
        assert_eq!(all.failed(), 1);
        assert_eq!(all.failures.get(&Outcome::Status(500)), Some(&1));
        let models = Group::of(samples.iter().filter(|s| s.endpoint == Endpoint::Models));
        assert_eq!(models.hit_rate, None);
    }

    #[test]
    fn transport_errors_are_failures() {
        let mut s = sample(Endpoint::Models, 200, None, 1);
        s.outcome = Outcome::Error("timeout");
        let g = Group::of([s].iter());
        assert_eq!(g.failed(), 1);
        assert!(!Outcome::Status(404).ok() && Outcome::Status(204).ok());
        assert_eq!(Outcome::Error("timeout").to_string(), "timeout error");
    }

    #[test]
    fn outage_windows_split_the_measured_phase_by_due_time() {
        let s = |due: u64| Sample {
            due: ms(due),
            ..sample(Endpoint::Summary, 200, None, 1)
        };
        let secs = Duration::from_secs;
        let windows = Window::outage(secs(10), Some(secs(5)), secs(30));
        let labels: Vec<&str> = windows.iter().map(|w| w.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "before the kill (0–10 s)",
                "Redis down (10–15 s)",
                "after the restart (15–30 s)"
            ]
        );
        let holding = |due: u64| {
            let s = s(due);
            windows.iter().position(|w| w.holds(&s))
        };
        assert_eq!(holding(0), Some(0));
        assert_eq!(holding(9_999), Some(0));
        assert_eq!(holding(10_000), Some(1));
        assert_eq!(holding(15_000), Some(2));
        assert_eq!(holding(30_000), Some(2));
        let no_restart = Window::outage(secs(10), None, secs(30));
        assert_eq!(no_restart.len(), 2);
        assert_eq!(no_restart[1].label, "Redis down (10–30 s)");
        assert!(no_restart[1].holds(&s(30_000)));
    }
}
