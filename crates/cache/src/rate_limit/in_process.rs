//! The in-process adapter: one governor keyed limiter per class, keys being client ids.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;

use super::{Decision, Quota, RateLimiter};

/// Every this many checks, forget keys whose budget is full again. Bounds memory under a
/// flood of distinct client IPs to roughly the keys seen within one refill period.
const PURGE_EVERY: u64 = 4096;

type KeyedLimiter = governor::RateLimiter<
    String,
    DefaultKeyedStateStore<String>,
    DefaultClock,
    StateInformationMiddleware,
>;

/// One class's limiter and the quota it was built for.
struct ClassLimiter {
    per_minute: NonZeroU32,
    limiter: Arc<KeyedLimiter>,
}

/// Rate limits kept in this process's memory (governor's GCRA). The default; correct for a
/// single replica, per-replica when several run.
#[derive(Default)]
pub struct InProcessRateLimiter {
    classes: RwLock<HashMap<String, ClassLimiter>>,
    checks: AtomicU64,
}

impl std::fmt::Debug for InProcessRateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InProcessRateLimiter")
            .field("keys", &self.tracked_keys())
            .finish()
    }
}

impl InProcessRateLimiter {
    /// An empty limiter.
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts one request synchronously; [`RateLimiter::check`] and the Redis fallback use it.
    pub fn decide(&self, class: &str, key: &str, quota: Quota) -> Decision {
        let limiter = self.limiter_for(class, quota);
        if self.checks.fetch_add(1, Ordering::Relaxed) % PURGE_EVERY == PURGE_EVERY - 1 {
            self.purge();
        }
        let limit = quota.per_minute.get();
        let interval = quota.interval();
        match limiter.check_key(&key.to_owned()) {
            Ok(snapshot) => {
                let remaining = snapshot.remaining_burst_capacity().min(limit);
                Decision {
                    allowed: true,
                    limit,
                    remaining,
                    retry_after: Duration::ZERO,
                    reset_after: interval * (limit - remaining),
                }
            }
            Err(not_until) => {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                Decision {
                    allowed: false,
                    limit,
                    remaining: 0,
                    retry_after: wait,
                    reset_after: wait + interval * (limit - 1),
                }
            }
        }
    }

    /// How many (class, key) pairs are currently remembered.
    pub fn tracked_keys(&self) -> usize {
        let classes = self.classes.read().unwrap_or_else(PoisonError::into_inner);
        classes.values().map(|c| c.limiter.len()).sum()
    }

    /// Forgets every key whose budget is full again; they would start from scratch anyway.
    pub fn purge(&self) {
        let classes = self.classes.read().unwrap_or_else(PoisonError::into_inner);
        for class in classes.values() {
            class.limiter.retain_recent();
            class.limiter.shrink_to_fit();
        }
    }

    fn limiter_for(&self, class: &str, quota: Quota) -> Arc<KeyedLimiter> {
        {
            let classes = self.classes.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(found) = classes.get(class)
                && found.per_minute == quota.per_minute
            {
                return Arc::clone(&found.limiter);
            }
        }
        // First use of the class, or its quota changed (new settings): start it afresh.
        let mut classes = self.classes.write().unwrap_or_else(PoisonError::into_inner);
        let entry = classes
            .entry(class.to_owned())
            .or_insert_with(|| ClassLimiter::new(quota));
        if entry.per_minute != quota.per_minute {
            *entry = ClassLimiter::new(quota);
        }
        Arc::clone(&entry.limiter)
    }
}

impl ClassLimiter {
    fn new(quota: Quota) -> Self {
        let limiter = governor::RateLimiter::keyed(governor::Quota::per_minute(quota.per_minute))
            .with_middleware::<StateInformationMiddleware>();
        Self {
            per_minute: quota.per_minute,
            limiter: Arc::new(limiter),
        }
    }
}

#[async_trait::async_trait]
impl RateLimiter for InProcessRateLimiter {
    async fn check(&self, class: &str, key: &str, quota: Quota) -> Decision {
        self.decide(class, key, quota)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purge_forgets_clients_whose_budget_is_full_again() {
        let limiter = InProcessRateLimiter::new();
        // 60 000 a minute: a used request comes back after 1 ms.
        let quota = Quota::per_minute(NonZeroU32::MIN.saturating_add(59_999));
        for ip in 0..1000 {
            assert!(
                limiter
                    .decide("default", &format!("10.0.{ip}"), quota)
                    .allowed
            );
        }
        assert_eq!(limiter.tracked_keys(), 1000);
        std::thread::sleep(Duration::from_millis(20));
        limiter.purge();
        assert_eq!(limiter.tracked_keys(), 0);
    }
}
