//! Bounded concurrency for data uploads and evaluations (memory: each holds a parsed dataset,
//! and its body whole when JSON or Parquet; a thread of the blocking pool while its body
//! arrives). Past the bound a request is refused at once with 503 and `Retry-After`, never
//! queued: a queue would hold every waiting body or its connection. (Password
//! hashes have their bound in the sign-in use case, `AuthService`, which every front end
//! calls.)

use crate::error::ApiError;
use driftguard_core::DomainError;
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The permits, shared by every worker.
#[derive(Debug, Clone)]
pub struct Slots {
    uploads: Arc<Semaphore>,
}

/// A held permit; the slot is free again when it is dropped.
#[derive(Debug)]
pub struct Slot(#[allow(dead_code)] OwnedSemaphorePermit);

impl Slots {
    /// At most `uploads` uploads or evaluations at once (`0` for one per core).
    pub fn new(uploads: usize) -> Self {
        let uploads = if uploads > 0 {
            uploads
        } else {
            std::thread::available_parallelism().map_or(1, usize::from)
        };
        Self {
            uploads: Arc::new(Semaphore::new(uploads)),
        }
    }

    /// A slot for an upload or an evaluation, or 503.
    pub fn upload(&self) -> Result<Slot, ApiError> {
        Arc::clone(&self.uploads)
            .try_acquire_owned()
            .map(Slot)
            .map_err(|_| {
                DomainError::Busy(
                    "Too many uploads and evaluations at once; try again shortly".into(),
                )
                .into()
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::StatusCode;

    #[test]
    fn past_the_bound_is_503_with_retry_after() {
        let slots = Slots::new(2);
        let first = slots.upload().expect("free");
        let _second = slots.upload().expect("free");
        let refused = slots.upload().expect_err("full");
        assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
        let response = refused.response_with_id("r".into());
        assert_eq!(response.headers().get("retry-after").expect("header"), "1");
        drop(first);
        let _third = slots.upload().expect("a slot frees when its permit drops");
        assert!(slots.upload().is_err(), "still two uploads running");
    }
}
