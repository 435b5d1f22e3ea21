//! The Redis connection pool both Redis adapters use: it connects lazily (a Redis that is
//! down at start-up costs nothing until it is used) and bounds every wait by one timeout.
//! `rediss://` URLs connect over TLS (rustls): the server is checked against a CA file when
//! one is set, else against the machine's trust store; a client certificate is optional.

use std::path::{Path, PathBuf};
use std::time::Duration;

use deadpool_redis::redis::{Client, ClientTlsConfig, TlsCertificates};
use deadpool_redis::{Manager, Pool, Runtime};

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

/// A pool of at most `max_connections` connections to `url`; waiting for, opening and
/// recycling a connection each give up after `timeout`. The error is the rejected setting.
pub(crate) fn redis_pool(
    url: &str,
    tls: &RedisTls,
    max_connections: usize,
    timeout: Duration,
) -> Result<Pool, String> {
    let client = if url.starts_with("rediss://") {
        Client::build_with_tls(url, tls.certificates()?)
    } else if tls.is_empty() {
        Client::open(url)
    } else {
        return Err("Redis TLS files are set but the URL is not rediss://".into());
    }
    .map_err(|e| e.to_string())?;
    let manager = Manager::new(client.get_connection_info().clone()).map_err(|e| e.to_string())?;
    Pool::builder(manager)
        .max_size(max_connections.max(1))
        .wait_timeout(Some(timeout))
        .create_timeout(Some(timeout))
        .recycle_timeout(Some(timeout))
        .runtime(Runtime::Tokio1)
        .build()
        .map_err(|e| e.to_string())
}
