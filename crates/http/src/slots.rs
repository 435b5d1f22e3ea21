//! Bounded concurrency for the expensive requests: data uploads and evaluations (memory:
//! each holds its whole body and a parsed dataset) and password hashes (CPU: Argon2 is slow
//! on purpose). Past the bound a request is refused at once with 503 and `Retry-After`,
//! never queued: a queue would hold every waiting body in memory and let a flood of logins
//! starve every other request of the blocking pool.

use crate::error::ApiError;
use actix_web::http::StatusCode;
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Seconds a refused client is told to wait.
const RETRY_AFTER_SECS: u64 = 1;

/// The permits, shared by every worker.
#[derive(Debug, Clone)]
pub struct Slots {
    uploads: Arc<Semaphore>,
    password_hashes: Arc<Semaphore>,
}

/// A held permit; the slot is free again when it is dropped.
#[derive(Debug)]
pub struct Slot(#[allow(dead_code)] OwnedSemaphorePermit);

/// `0` means one per core.
fn or_cores(n: usize) -> usize {
    if n > 0 {
        n
    } else {
        std::thread::available_parallelism().map_or(1, usize::from)
    }
}

impl Slots {
    /// At most `uploads` uploads or evaluations and `password_hashes` hashes at once (each
    /// `0` for one per core).
    pub fn new(uploads: usize, password_hashes: usize) -> Self {
        Self {
            uploads: Arc::new(Semaphore::new(or_cores(uploads))),
            password_hashes: Arc::new(Semaphore::new(or_cores(password_hashes))),
        }
    }

    fn take(semaphore: &Arc<Semaphore>, what: &str) -> Result<Slot, ApiError> {
        Arc::clone(semaphore)
            .try_acquire_owned()
            .map(Slot)
            .map_err(|_| {
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "busy",
                    format!("Too many {what} at once; try again shortly"),
                )
                .with_retry_after(RETRY_AFTER_SECS)
            })
    }

    /// A slot for an upload or an evaluation, or 503.
    pub fn upload(&self) -> Result<Slot, ApiError> {
        Self::take(&self.uploads, "uploads and evaluations")
    }

    /// A slot for a password hash (sign-in, registration), or 503.
    pub fn password_hash(&self) -> Result<Slot, ApiError> {
        Self::take(&self.password_hashes, "sign-ins")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn past_the_bound_is_503_with_retry_after() {
        let slots = Slots::new(2, 1);
        let first = slots.upload().expect("free");
        let _second = slots.upload().expect("free");
        let refused = slots.upload().expect_err("full");
        assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
        let response = refused.response_with_id("r".into());
        assert_eq!(response.headers().get("retry-after").expect("header"), "1");
        drop(first);
        let _third = slots.upload().expect("a slot frees when its permit drops");
        let _hash = slots.password_hash().expect("free");
        assert!(slots.password_hash().is_err());
        assert!(slots.upload().is_err(), "still two uploads running");
    }
}
