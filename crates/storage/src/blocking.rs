//! How SQLite's blocking calls run. diesel-async's default, when a query's future is dropped
//! before the query ends (a client that hangs up, an extractor that fails beside one that is
//! querying), waits for the query with `block_in_place` — which panics on a single-threaded
//! runtime, and every actix worker is one. This strategy waits on a plain channel instead:
//! the dropping thread blocks for the rest of that one query (milliseconds), and the
//! connection goes back to the pool only once nothing uses it — the guarantee diesel-async
//! relies on, without the panic.

use diesel_async::sync_connection_wrapper::SpawnBlocking;
use futures_util::future::BoxFuture;
use std::error::Error;
use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;
use std::sync::mpsc;
use std::task::{Context, Poll};
use tokio::runtime::{Handle, Runtime};
use tokio::task::{JoinError, JoinHandle};

/// Runs blocking calls on the tokio blocking pool; a cancelled call is waited for.
pub struct WaitOnCancel(Handle);

/// A blocking call in flight; dropping it early waits for the call to end.
struct InFlight<R> {
    task: JoinHandle<R>,
    done: mpsc::Receiver<()>,
}

impl<R> Future for InFlight<R> {
    type Output = Result<R, JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.task).poll(cx)
    }
}

impl<R> Drop for InFlight<R> {
    fn drop(&mut self) {
        if !self.task.is_finished() {
            // Ends when the call finishes (it sends) or dies (the sender is dropped).
            let _ = self.done.recv();
        }
    }
}

impl SpawnBlocking for WaitOnCancel {
    fn spawn_blocking<'a, R>(
        &mut self,
        task: impl FnOnce() -> R + Send + 'static,
    ) -> BoxFuture<'a, Result<R, Box<dyn Error + Send + Sync + 'static>>>
    where
        R: Send + 'static,
    {
        let (sender, done) = mpsc::sync_channel(1);
        let task = self.0.spawn_blocking(move || {
            let result = task();
            let _ = sender.send(());
            result
        });
        Box::pin(async move {
            InFlight { task, done }
                .await
                .map_err(|e| Box::new(e) as Box<dyn Error + Send + Sync>)
        })
    }

    fn get_runtime() -> Self {
        // Connections are made inside the server's runtime; outside any runtime (a tool or a
        // test without one) fall back to a small runtime of our own, made once.
        static FALLBACK: OnceLock<Option<Runtime>> = OnceLock::new();
        let handle = Handle::try_current().ok().or_else(|| {
            FALLBACK
                .get_or_init(|| {
                    tokio::runtime::Builder::new_multi_thread()
                        .worker_threads(1)
                        .enable_all()
                        .build()
                        .ok()
                })
                .as_ref()
                .map(|rt| rt.handle().clone())
        });
        match handle {
            Some(handle) => WaitOnCancel(handle),
            None => panic!("no tokio runtime for SQLite's blocking calls, and none could be made"),
        }
    }
}
