//! The delivery worker: a background task of `driftguard serve` that runs [`Deliveries`]
//! until asked to stop. Several replicas may run one each: the store's claims keep them from
//! sending a delivery twice at once.

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::webhooks::delivery::Deliveries;

/// A running worker; [`stop`](Self::stop) it on shutdown.
pub struct DeliveryWorker {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl DeliveryWorker {
    /// Starts the worker on the current runtime.
    pub fn spawn(deliveries: Deliveries) -> Self {
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(run(deliveries, stopped));
        Self { stop, task }
    }

    /// Asks the worker to stop and waits until it has: the attempts in flight finish and
    /// are recorded (within the send timeout); no new ones start.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        if let Err(e) = self.task.await {
            tracing::error!(error = %e, "webhook worker ended abnormally");
        }
    }
}

async fn run(deliveries: Deliveries, mut stopped: watch::Receiver<bool>) {
    let batch = usize::try_from(deliveries.settings().batch).unwrap_or(usize::MAX);
    let poll = deliveries.settings().poll_interval;
    tracing::info!("webhook.worker_started");
    while !*stopped.borrow() {
        // A full batch suggests more are due: go on at once; otherwise wait a poll.
        let full = match deliveries.run_once().await {
            Ok(claimed) => claimed >= batch,
            Err(e) => {
                tracing::warn!(error = %e, "webhook.claim_failed");
                false
            }
        };
        if !full {
            tokio::select! {
                _ = tokio::time::sleep(poll) => {}
                _ = stopped.changed() => {}
            }
        }
    }
    tracing::info!("webhook.worker_stopped");
}
