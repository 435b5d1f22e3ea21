//! Connecting to PostgreSQL as libpq does with TLS: `sslmode` (`disable`, `prefer` — the
//! default —, `require`, `verify-ca`, `verify-full`), `sslrootcert` (a PEM file, or `system`
//! for the machine's trust store), `sslcert` and `sslkey` (a client certificate), all read
//! from the URL, through rustls. The pool, the migrations, the backup and the runtime-role
//! grant all connect through [`PgConnector`].

mod url;
mod verify;

pub use url::with_default_params;

use diesel_async::AsyncPgConnection;
use rustls::ClientConfig;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::ServerCertVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::sync::Arc;
use std::time::Duration;
use tokio_postgres::tls::MakeTlsConnect;
use tokio_postgres::{Client, Connection, Socket};
use tokio_postgres_rustls::MakeRustlsConnect;

/// How much TLS a connection insists on, and what it checks (libpq's `sslmode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    /// Plain TCP only.
    Disable,
    /// TLS when the server offers it, unchecked; plain otherwise (libpq's default).
    Prefer,
    /// TLS or nothing; the certificate is checked against the root certificate if one is
    /// given (as libpq does), else not at all.
    Require,
    /// TLS with a certificate that chains to the root certificate; any host name.
    VerifyCa,
    /// TLS with a certificate that chains to the root certificate and names the host.
    VerifyFull,
}

impl SslMode {
    fn parse(value: &str) -> Result<Self, PgTlsError> {
        match value {
            "disable" => Ok(Self::Disable),
            "prefer" => Ok(Self::Prefer),
            "require" => Ok(Self::Require),
            "verify-ca" => Ok(Self::VerifyCa),
            "verify-full" => Ok(Self::VerifyFull),
            other => Err(PgTlsError::Mode(other.to_owned())),
        }
    }

    /// The name libpq gives it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Disable => "disable",
            Self::Prefer => "prefer",
            Self::Require => "require",
            Self::VerifyCa => "verify-ca",
            Self::VerifyFull => "verify-full",
        }
    }
}

/// A PostgreSQL URL whose TLS parameters cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PgTlsError {
    /// `sslmode` is not one of the five.
    #[error(
        "sslmode={0:?} is not supported: use disable, prefer, require, verify-ca or verify-full"
    )]
    Mode(String),
    /// `verify-ca` or `verify-full` without a root certificate.
    #[error(
        "sslmode={0} needs the CA certificate to trust: set database_tls_ca_file, or sslrootcert= in the URL (sslrootcert=system for the machine's trust store)"
    )]
    NoRoot(&'static str),
    /// A certificate or key file that cannot be read or holds nothing usable.
    #[error("{what} {path}: {reason}")]
    File {
        /// Which file it is.
        what: &'static str,
        /// Its path.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A client certificate without its key, or a key without its certificate.
    #[error(
        "a client certificate needs both sslcert and sslkey (database_tls_cert_file and database_tls_key_file)"
    )]
    HalfIdentity,
    /// The rest of the URL.
    #[error("invalid PostgreSQL URL: {0}")]
    Url(String),
    /// rustls refused the configuration (a key that does not fit its certificate).
    #[error("TLS set-up: {0}")]
    Rustls(#[from] rustls::Error),
}

/// The stream type of a TLS-capable connection.
pub type PgStream = <MakeRustlsConnect as MakeTlsConnect<Socket>>::Stream;

/// Opens PostgreSQL connections as one URL says, TLS included. Certificates are read once,
/// when it is made, so that a missing file is an error at start-up.
#[derive(Clone)]
pub struct PgConnector {
    config: tokio_postgres::Config,
    tls: MakeRustlsConnect,
    mode: SslMode,
}

impl std::fmt::Debug for PgConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // tokio-postgres' Config debug output redacts the password.
        f.debug_struct("PgConnector")
            .field("config", &self.config)
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

impl PgConnector {
    /// Reads the URL, its TLS parameters and the files they name.
    pub fn from_url(url: &str) -> Result<Self, PgTlsError> {
        let params = url::split(url);
        let mode = params
            .sslmode
            .as_deref()
            .map_or(Ok(SslMode::Prefer), SslMode::parse)?;
        let mut config: tokio_postgres::Config = params
            .rest
            .parse()
            .map_err(|e: tokio_postgres::Error| PgTlsError::Url(e.to_string()))?;
        config.ssl_mode(match mode {
            SslMode::Disable => tokio_postgres::config::SslMode::Disable,
            SslMode::Prefer => tokio_postgres::config::SslMode::Prefer,
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => {
                tokio_postgres::config::SslMode::Require
            }
        });
        let tls = MakeRustlsConnect::new(client_config(mode, &params)?);
        Ok(Self { config, tls, mode })
    }

    /// The TLS mode in force.
    pub fn mode(&self) -> SslMode {
        self.mode
    }

    /// Gives up connecting after `timeout`.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.config.connect_timeout(timeout);
        self
    }

    /// A tokio-postgres client and the connection to drive.
    pub async fn connect(
        &self,
    ) -> Result<(Client, Connection<Socket, PgStream>), tokio_postgres::Error> {
        self.config.connect(self.tls.clone()).await
    }

    /// A diesel-async connection.
    pub async fn establish(&self) -> diesel::ConnectionResult<AsyncPgConnection> {
        let (client, connection) = self.connect().await.map_err(|e| {
            diesel::ConnectionError::BadConnection(format!(
                "could not connect to PostgreSQL (sslmode={}): {}",
                self.mode.as_str(),
                with_causes(&e)
            ))
        })?;
        AsyncPgConnection::try_from_client_and_connection(client, connection).await
    }
}

/// An error and its causes, joined by `: ` (tokio-postgres shows only the outermost, such as
/// "error performing TLS handshake", without the reason under it).
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}

/// One connection to the database at `url`, TLS as the URL says.
pub async fn establish(url: &str) -> diesel::ConnectionResult<AsyncPgConnection> {
    PgConnector::from_url(url)
        .map_err(|e| diesel::ConnectionError::InvalidConnectionUrl(e.to_string()))?
        .establish()
        .await
}

fn client_config(mode: SslMode, params: &url::TlsParams) -> Result<ClientConfig, PgTlsError> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let roots = params.sslrootcert.as_deref().map(root_store).transpose()?;
    let verifier: Arc<dyn ServerCertVerifier> = match (mode, roots) {
        (SslMode::VerifyCa | SslMode::VerifyFull, None) => {
            return Err(PgTlsError::NoRoot(mode.as_str()));
        }
        (SslMode::Disable | SslMode::Prefer, _) | (SslMode::Require, None) => {
            Arc::new(verify::AnyCertificate(provider.clone()))
        }
        (SslMode::Require | SslMode::VerifyCa, Some(roots)) => {
            Arc::new(verify::ChainOnly(webpki(roots, &provider)?))
        }
        (SslMode::VerifyFull, Some(roots)) => webpki(roots, &provider)?,
    };
    let builder = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    Ok(match identity(params)? {
        Some((chain, key)) => builder.with_client_auth_cert(chain, key)?,
        None => builder.with_no_client_auth(),
    })
}

fn webpki(
    roots: rustls::RootCertStore,
    provider: &Arc<CryptoProvider>,
) -> Result<Arc<WebPkiServerVerifier>, PgTlsError> {
    WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map_err(|e| PgTlsError::Rustls(rustls::Error::General(e.to_string())))
}

fn file_error(what: &'static str, path: &str, reason: impl ToString) -> PgTlsError {
    PgTlsError::File {
        what,
        path: path.to_owned(),
        reason: reason.to_string(),
    }
}

/// The trusted roots: a PEM file's certificates, or the machine's store for `system`.
fn root_store(path: &str) -> Result<rustls::RootCertStore, PgTlsError> {
    const WHAT: &str = "root certificate file";
    let certs: Vec<CertificateDer<'static>> = if path == "system" {
        let found = rustls_native_certs::load_native_certs();
        if found.certs.is_empty() {
            let reason = found.errors.first().map_or_else(
                || "the machine's trust store is empty".to_owned(),
                ToString::to_string,
            );
            return Err(file_error(WHAT, path, reason));
        }
        found.certs
    } else {
        CertificateDer::pem_file_iter(path)
            .and_then(|certs| certs.collect())
            .map_err(|e| file_error(WHAT, path, e))?
    };
    let mut store = rustls::RootCertStore::empty();
    let (added, _ignored) = store.add_parsable_certificates(certs);
    if added == 0 {
        return Err(file_error(WHAT, path, "no usable certificate in it"));
    }
    Ok(store)
}

type Identity = (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>);

/// The client certificate chain and key, when both are named.
fn identity(params: &url::TlsParams) -> Result<Option<Identity>, PgTlsError> {
    match (params.sslcert.as_deref(), params.sslkey.as_deref()) {
        (None, None) => Ok(None),
        (Some(cert), Some(key)) => {
            let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
                .and_then(|certs| certs.collect())
                .map_err(|e| file_error("client certificate file", cert, e))?;
            if chain.is_empty() {
                return Err(file_error(
                    "client certificate file",
                    cert,
                    "no certificate in it",
                ));
            }
            let key = PrivateKeyDer::from_pem_file(key)
                .map_err(|e| file_error("client key file", key, e))?;
            Ok(Some((chain, key)))
        }
        _ => Err(PgTlsError::HalfIdentity),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(url: &str) -> String {
        PgConnector::from_url(url)
            .map(|c| c.mode().as_str())
            .expect_err("refused")
            .to_string()
    }

    #[test]
    fn modes_are_read_as_libpq_reads_them() {
        let mode = |url: &str| PgConnector::from_url(url).map(|c| c.mode()).ok();
        assert_eq!(mode("postgres://u@h/db"), Some(SslMode::Prefer));
        assert_eq!(
            mode("postgres://u@h/db?sslmode=disable"),
            Some(SslMode::Disable)
        );
        assert_eq!(
            mode("postgres://u@h/db?sslmode=require"),
            Some(SslMode::Require)
        );
        assert!(error_of("postgres://u@h/db?sslmode=allow").contains("not supported"));
        assert!(error_of("postgres://u@h/db?sslmode=verify-full").contains("needs the CA"));
        assert!(
            error_of("postgres://u@h/db?sslmode=verify-ca&sslrootcert=/no/such.pem")
                .contains("root certificate file /no/such.pem")
        );
        assert!(error_of("postgres://u@h/db?sslcert=/c.pem").contains("both sslcert and sslkey"));
    }
}
