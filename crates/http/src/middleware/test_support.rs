//! Test helpers: capture what the real bunyan layers write while a test runs.

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};

use driftguard_observability::{build_subscriber, json_layer};
use tracing::subscriber::DefaultGuard;

/// Log output captured from the thread's default subscriber until this is dropped.
pub(crate) struct CapturedLogs {
    buffer: Buffer,
    _guard: DefaultGuard,
}

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs the production JSON layers, writing to memory, as this thread's subscriber.
/// actix's test runtime runs on the test's thread, so the requests' logs land here.
pub(crate) fn capture_logs() -> CapturedLogs {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber =
        build_subscriber("info", vec![json_layer(move || writer.clone())]).expect("a valid level");
    CapturedLogs {
        buffer,
        _guard: tracing::subscriber::set_default(subscriber),
    }
}

impl CapturedLogs {
    /// Everything written so far.
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.buffer.0.lock().unwrap_or_else(PoisonError::into_inner))
            .into_owned()
    }

    /// Every line, parsed.
    pub(crate) fn lines(&self) -> Vec<serde_json::Value> {
        self.text()
            .lines()
            .map(|line| serde_json::from_str(line).expect("log lines are JSON"))
            .collect()
    }
}
