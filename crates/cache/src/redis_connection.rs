//! The Redis connection both Redis adapters use: one multiplexed connection an adapter,
//! shared by every request. The commands in flight are pipelined on it, so no request waits
//! for a free connection. It is opened on first use (a Redis that is down at start-up costs
//! nothing until then) and again by the first command after it broke; the adapters bound
//! every command, connecting included, by their timeout.
//!
//! It replaced a pool of 16 exclusive connections (deadpool-redis), which sent `UNWATCH` and
//! `PING` on a connection every time it was taken: two round trips a command, and under load
//! requests queued for a free connection until they timed out, which opened the breakers and
//! sent every request to the database (docs/performance.md, "One Redis connection, shared").
//!
//! `rediss://` URLs connect over TLS (rustls): the server is checked against a CA file when
//! one is set, else against the machine's trust store; a client certificate is optional.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use redis::aio::MultiplexedConnection;
use redis::{
    AsyncConnectionConfig, Client, ClientTlsConfig, RedisError, RedisResult, TlsCertificates,
};

/// The files of a TLS connection to Redis (`rediss://` URLs only).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RedisTls {
    /// PEM file of the CA that signed the server's certificate; None: the machine's store.
    pub ca_file: Option<PathBuf>,
    /// PEM file of a client certificate, for servers that ask for one (with `key_file`).
    pub cert_file: Option<PathBuf>,
    /// PEM file of the client certificate's key.
    pub key_file: Option<PathBuf>,
}

impl RedisTls {
    fn is_empty(&self) -> bool {
        self == &Self::default()
    }

    fn certificates(&self) -> Result<TlsCertificates, String> {
        let read = |what: &str, path: &Path| {
            std::fs::read(path).map_err(|e| format!("Redis {what} {}: {e}", path.display()))
        };
        let client_tls = match (&self.cert_file, &self.key_file) {
            (None, None) => None,
            (Some(cert), Some(key)) => Some(ClientTlsConfig {
                client_cert: read("client certificate file", cert)?,
                client_key: read("client key file", key)?,
            }),
            _ => {
                return Err(
                    "a Redis client certificate needs both its certificate and key files".into(),
                );
            }
        };
        let root_cert = self
            .ca_file
            .as_deref()
            .map(|path| read("CA file", path))
            .transpose()?;
        Ok(TlsCertificates {
            client_tls,
            root_cert,
        })
    }
}

/// The shared connection to one Redis, opened by the first command that needs it and
/// opened again by the first command after it broke.
pub(crate) struct RedisConnection {
    client: Client,
    timeout: Duration,
    /// The open connection, if any.
    open: Mutex<Option<Opened>>,
    /// One attempt to connect at a time: the others wait for it (within their own timeout)
    /// rather than each opening a connection of its own.
    connecting: tokio::sync::Mutex<()>,
    /// How many connections were opened so far.
    opened: AtomicU64,
}

/// A connection and its number, so that a failure on an old one does not drop a newer one.
#[derive(Clone)]
struct Opened {
    connection: MultiplexedConnection,
    number: u64,
}

impl RedisConnection {
    /// A connection to `url` that is not opened yet; an attempt to open it gives up after
    /// `timeout`. The error is the rejected setting.
    pub(crate) fn new(url: &str, tls: &RedisTls, timeout: Duration) -> Result<Self, String> {
        let client = if url.starts_with("rediss://") {
            Client::build_with_tls(url, tls.certificates()?)
        } else if tls.is_empty() {
            Client::open(url)
        } else {
            return Err("Redis TLS files are set but the URL is not rediss://".into());
        }
        .map_err(|e| e.to_string())?;
        Ok(Self {
            client,
            timeout,
            open: Mutex::new(None),
            connecting: tokio::sync::Mutex::new(()),
            opened: AtomicU64::new(0),
        })
    }

    /// Runs `command` on the connection, opening it first when there is none. When the
    /// command fails in a way that says the connection broke (Redis went away, restarted,
    /// closed it), the connection is dropped and the next command opens another.
    pub(crate) async fn run<T>(
        &self,
        command: impl AsyncFnOnce(&mut MultiplexedConnection) -> RedisResult<T>,
    ) -> RedisResult<T> {
        let mut open = self.get().await?;
        let answer = command(&mut open.connection).await;
        if let Err(error) = &answer {
            self.failed(&open, error);
        }
        answer
    }

    /// The open connection (a clone shares it), opening it first when there is none.
    async fn get(&self) -> RedisResult<Opened> {
        if let Some(open) = self.current() {
            return Ok(open);
        }
        let _one_at_a_time = self.connecting.lock().await;
        if let Some(open) = self.current() {
            return Ok(open); // Opened by the caller that connected before us.
        }
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(self.timeout))
            // The adapters bound each command themselves; an answer that comes after their
            // timeout must not break the connection for the commands behind it.
            .set_response_timeout(None);
        let connection = self
            .client
            .get_multiplexed_async_connection_with_config(&config)
            .await?;
        let opened = Opened {
            connection,
            number: self.opened.fetch_add(1, Ordering::AcqRel) + 1,
        };
        *self.lock() = Some(opened.clone());
        Ok(opened)
    }

    /// A command on `used` failed with `error`: drops `used` if the error says it broke
    /// (and no newer connection replaced it already).
    fn failed(&self, used: &Opened, error: &RedisError) {
        if !error.is_unrecoverable_error() {
            return;
        }
        let mut open = self.lock();
        if open.as_ref().is_some_and(|o| o.number == used.number) {
            *open = None;
        }
    }

    /// Drops the connection, however it is doing, so that the next command opens a new one:
    /// for when the breaker opens. A connection whose peer stopped answering without closing
    /// it (a host gone, a route dropped) would otherwise take every probe until TCP gives up.
    pub(crate) fn abandon(&self) {
        *self.lock() = None;
    }

    fn current(&self) -> Option<Opened> {
        self.lock().clone()
    }

    /// The slot, even after a panic elsewhere while it was locked (every change to it is a
    /// single assignment).
    fn lock(&self) -> MutexGuard<'_, Option<Opened>> {
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
