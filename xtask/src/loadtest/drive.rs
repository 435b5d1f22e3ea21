//! The open-loop load: request `i` is due at `start + i / rate`, whatever became of the
//! earlier ones, and its latency runs from that due time. A slow server therefore cannot
//! slow the generator down and hide its own slowness (coordinated omission); the
//! generator's own lateness is measured separately as the lag.

use super::api::Api;
use super::mix::{self, Endpoint};
use super::stats::{Outcome, Sample};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;
use tokio::time::Instant;

/// The load to drive.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// Requests per second.
    pub rate: f64,
    /// Load sent first and not measured.
    pub warmup: Duration,
    /// Load measured.
    pub duration: Duration,
    /// Models in the registry, for the pages the model lists ask for.
    pub models: u64,
    /// Whether the warm-up's rate rises linearly from 0 (else it is the full rate at once).
    pub ramp: bool,
}

impl Plan {
    /// Requests due during the warm-up, then in all. A linear ramp sends half as many
    /// during the warm-up (the area under the rate).
    fn counts(&self) -> (u64, u64) {
        let warmup = self.warmup.as_secs_f64() * self.rate * if self.ramp { 0.5 } else { 1.0 };
        let measured = self.duration.as_secs_f64() * self.rate;
        (warmup.round() as u64, (warmup + measured).round() as u64)
    }

    /// When request `i` is due, from the start. Under a ramp over `W` seconds to rate `R`,
    /// `R·t²/(2W)` requests are due by time `t`, so request `i` is due at `√(2Wi/R)`.
    fn due(&self, i: u64) -> Duration {
        let (w, r, i) = (self.warmup.as_secs_f64(), self.rate, i as f64);
        let ramped = w * r / 2.0;
        let seconds = if self.ramp && i < ramped {
            (2.0 * w * i / r).sqrt()
        } else if self.ramp {
            w + (i - ramped) / r
        } else {
            i / r
        };
        Duration::from_secs_f64(seconds)
    }
}

/// Drives `plan` from `start` (shared with whatever else is timed against the load, such as
/// a Redis outage); the samples of the measured requests, once every request has ended.
pub async fn drive(api: Arc<Api>, plan: Plan, start: Instant) -> Vec<Sample> {
    let (warmup, total) = plan.counts();
    let mut running = JoinSet::new();
    let mut samples = Vec::with_capacity((total - warmup) as usize);
    for i in 0..total {
        let offset = plan.due(i);
        let due = start + offset;
        // A due time already past (the generator fell behind) is sent at once, without a
        // trip through the timer.
        if due > Instant::now() {
            tokio::time::sleep_until(due).await;
        }
        let target = mix::target(i, plan.models);
        running.spawn(one(
            api.clone(),
            target.endpoint,
            target.path,
            due,
            // Where the measured phase starts; a ramp's first measured request can be due
            // a fraction of a millisecond before the warm-up's nominal end.
            (i >= warmup).then(|| offset.saturating_sub(plan.warmup)),
        ));
        // Collect what has finished as we go, so memory stays bounded by what is in flight.
        while let Some(done) = running.try_join_next() {
            samples.extend(done.ok().flatten());
        }
    }
    while let Some(done) = running.join_next().await {
        samples.extend(done.ok().flatten());
    }
    samples
}

/// One request, due at `due`; its sample when measured, that is when it has a due time
/// `measured` from the start of the measured phase.
async fn one(
    api: Arc<Api>,
    endpoint: Endpoint,
    path: String,
    due: Instant,
    measured: Option<Duration>,
) -> Option<Sample> {
    let lag = due.elapsed();
    let (outcome, cache_hit) = match api.get(&path).send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            let cache_hit = response
                .headers()
                .get("x-cache")
                .map(|v| v.as_bytes().eq_ignore_ascii_case(b"hit"));
            // The whole body is read: that is what a client waits for, and it frees the
            // connection for the next request.
            match response.bytes().await {
                Ok(_) => (Outcome::Status(status), cache_hit),
                Err(e) => (Outcome::Error(kind(&e)), None),
            }
        }
        Err(e) => (Outcome::Error(kind(&e)), None),
    };
    measured.map(|offset| Sample {
        endpoint,
        due: offset,
        latency: due.elapsed(),
        lag,
        outcome,
        cache_hit,
    })
}

/// What kind of transport failure `e` is: `timeout`, `connect` (refused or unreachable: a
/// load balancer would retry elsewhere) or `transport` (the connection failed midway).
pub fn kind(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connect"
    } else {
        "transport"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAN: Plan = Plan {
        rate: 1000.0,
        warmup: Duration::from_secs(5),
        duration: Duration::from_secs(30),
        models: 10_000,
        ramp: false,
    };

    fn close(a: Duration, seconds: f64) -> bool {
        (a.as_secs_f64() - seconds).abs() < 1e-9
    }

    #[test]
    fn counts_follow_the_rate() {
        assert_eq!(PLAN.counts(), (5000, 35_000));
        let slow = Plan {
            rate: 2.5,
            warmup: Duration::ZERO,
            ..PLAN
        };
        assert_eq!(slow.counts(), (0, 75));
        let ramped = Plan { ramp: true, ..PLAN };
        assert_eq!(ramped.counts(), (2500, 32_500));
    }

    #[test]
    fn requests_are_due_at_a_fixed_rate() {
        assert!(close(PLAN.due(0), 0.0));
        assert!(close(PLAN.due(1), 0.001));
        assert!(close(PLAN.due(5000), 5.0));
        assert!(close(PLAN.due(34_999), 34.999));
    }

    #[test]
    fn a_ramp_rises_to_the_rate_by_the_end_of_the_warmup() {
        let plan = Plan { ramp: true, ..PLAN };
        let (warmup, total) = plan.counts();
        assert!(close(plan.due(0), 0.0));
        // A quarter of the warm-up's requests by half its time (rate rising linearly).
        assert!(close(plan.due(625), 2.5));
        assert!(close(plan.due(warmup), 5.0));
        assert!(close(plan.due(warmup + 1), 5.001));
        assert!(close(plan.due(total - 1), 34.999));
        // Never earlier than the one before.
        assert!((1..total).all(|i| plan.due(i) >= plan.due(i - 1)));
    }
}
