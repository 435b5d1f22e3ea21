//! In-memory capture of what the production log layers write, for tests in any crate.

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};

use tracing::Subscriber;

use crate::error::ObservabilityError;
use crate::logging::{build_subscriber, json_layer};

/// A shared in-memory log written through the real bunyan layers and redaction. Install
/// [`LogCapture::subscriber`] with `tracing::subscriber::set_default` (or `with_default`)
/// and read the lines back.
#[derive(Debug, Clone, Default)]
pub struct LogCapture {
    buffer: Arc<Mutex<Vec<u8>>>,
}

impl LogCapture {
    /// An empty capture.
    pub fn new() -> Self {
        Self::default()
    }

    /// A subscriber at `level` whose only output is this capture.
    pub fn subscriber(
        &self,
        level: &str,
    ) -> Result<impl Subscriber + Send + Sync + 'static, ObservabilityError> {
        let writer = self.clone();
        build_subscriber(level, vec![json_layer(move || writer.clone())])
    }

    /// Everything written so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.buffer.lock().unwrap_or_else(PoisonError::into_inner))
            .into_owned()
    }

    /// Every line written so far, parsed; a line that is not JSON comes back as a string.
    pub fn lines(&self) -> Vec<serde_json::Value> {
        self.text()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap_or_else(|_| line.into()))
            .collect()
    }

    /// The first line of the event named `event` (its `msg` ends with the name: the formatter
    /// prefixes the span's name) that also has every `(field, value)` given.
    pub fn find(
        &self,
        event: &str,
        fields: &[(&str, serde_json::Value)],
    ) -> Option<serde_json::Value> {
        self.lines().into_iter().find(|line| {
            line["msg"].as_str().is_some_and(|msg| msg.ends_with(event))
                && fields.iter().all(|(name, value)| &line[*name] == value)
        })
    }
}

impl Write for LogCapture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.buffer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
