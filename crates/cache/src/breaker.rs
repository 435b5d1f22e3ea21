//! A small circuit breaker, shared by the Redis rate limiter and the Redis cache, so that while
//! Redis is down requests skip it instead of each waiting out a timeout.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Closed (try the store), open (skip it until `open_until`), or half-open (one probe).
#[derive(Debug)]
pub(crate) struct CircuitBreaker {
    epoch: Instant,
    /// Milliseconds since `epoch` until which the store is skipped; 0 while closed.
    open_until_ms: AtomicU64,
    consecutive_failures: AtomicU32,
    threshold: u32,
    cooldown: Duration,
}

impl CircuitBreaker {
    /// Opens after `threshold` consecutive failures, for `cooldown`.
    pub(crate) fn new(threshold: u32, cooldown: Duration) -> Self {
        Self {
            epoch: Instant::now(),
            open_until_ms: AtomicU64::new(0),
            consecutive_failures: AtomicU32::new(0),
            threshold: threshold.max(1),
            cooldown,
        }
    }

    /// Whether the caller should try the store now. Once the cooldown has passed exactly one
    /// caller gets through as the probe; the others keep using the fallback until it succeeds.
    pub(crate) fn allows_attempt(&self) -> bool {
        let open_until = self.open_until_ms.load(Ordering::Acquire);
        if open_until == 0 {
            return true;
        }
        let now = self.now_ms();
        now >= open_until
            && self
                .open_until_ms
                .compare_exchange(
                    open_until,
                    now + self.cooldown_ms(),
                    Ordering::AcqRel,
                    Ordering::Acquire,
                )
                .is_ok()
    }

    /// The store answered: close the breaker. Returns true when it was open until now, so that
    /// the caller can log the recovery once.
    pub(crate) fn record_success(&self) -> bool {
        self.consecutive_failures.store(0, Ordering::Release);
        self.open_until_ms.swap(0, Ordering::AcqRel) != 0
    }

    /// The store failed; returns true when this failure opened the breaker.
    pub(crate) fn record_failure(&self) -> bool {
        let failures = self.consecutive_failures.fetch_add(1, Ordering::AcqRel) + 1;
        if failures < self.threshold {
            return false;
        }
        let until = self.now_ms() + self.cooldown_ms();
        self.open_until_ms.swap(until, Ordering::AcqRel) == 0
    }

    fn now_ms(&self) -> u64 {
        // +1 keeps a real deadline distinct from the "closed" marker 0.
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX - 1) + 1
    }

    fn cooldown_ms(&self) -> u64 {
        u64::try_from(self.cooldown.as_millis()).unwrap_or(u64::MAX / 2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_threshold_and_lets_one_probe_through_after_cooldown() {
        let breaker = CircuitBreaker::new(2, Duration::from_millis(30));
        assert!(breaker.allows_attempt());
        assert!(!breaker.record_failure());
        assert!(breaker.allows_attempt());
        assert!(breaker.record_failure());
        assert!(!breaker.allows_attempt());
        std::thread::sleep(Duration::from_millis(40));
        assert!(breaker.allows_attempt(), "the probe");
        assert!(!breaker.allows_attempt(), "only one probe");
        assert!(breaker.record_success(), "the probe's success closes it");
        assert!(breaker.allows_attempt());
        assert!(!breaker.record_success(), "already closed");
    }
}
