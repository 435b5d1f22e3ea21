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
}

impl Plan {
    /// Requests due during the warm-up, then in all.
    fn counts(&self) -> (u64, u64) {
        let n = |d: Duration| (d.as_secs_f64() * self.rate).round() as u64;
        (n(self.warmup), n(self.warmup + self.duration))
    }
}

/// Drives `plan`; the samples of the measured requests, once every request has ended.
pub async fn drive(api: Arc<Api>, plan: Plan) -> Vec<Sample> {
    let (warmup, total) = plan.counts();
    let start = Instant::now();
    let mut running = JoinSet::new();
    let mut samples = Vec::with_capacity((total - warmup) as usize);
    for i in 0..total {
        let due = start + Duration::from_secs_f64(i as f64 / plan.rate);
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
            i >= warmup,
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

/// One request, due at `due`; its sample when `measured`.
async fn one(
    api: Arc<Api>,
    endpoint: Endpoint,
    path: String,
    due: Instant,
    measured: bool,
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
    measured.then(|| Sample {
        endpoint,
        latency: due.elapsed(),
        lag,
        outcome,
        cache_hit,
    })
}

fn kind(e: &reqwest::Error) -> &'static str {
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

    #[test]
    fn counts_follow_the_rate() {
        let plan = Plan {
            rate: 1000.0,
            warmup: Duration::from_secs(5),
            duration: Duration::from_secs(30),
            models: 10_000,
        };
        assert_eq!(plan.counts(), (5000, 35_000));
        let slow = Plan {
            rate: 2.5,
            warmup: Duration::ZERO,
            ..plan
        };
        assert_eq!(slow.counts(), (0, 75));
    }
}
