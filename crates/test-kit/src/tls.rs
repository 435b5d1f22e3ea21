//! Certificates made for one test (a CA, a server certificate for [`SERVER_NAME`], a client
//! certificate, and an unrelated CA), and private PostgreSQL and Redis servers that speak TLS
//! with them: the machine's shared servers are never reconfigured.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};

use crate::redis::{RedisServer, free_port, spawn_redis};
use crate::services::services_required;

/// The host name the server certificate is made for: reached through `hostaddr=127.0.0.1`
/// (PostgreSQL), so that `127.0.0.1` itself is a name the certificate does not hold.
pub const SERVER_NAME: &str = "db.driftguard.test";

/// PEM files of one test's certificates, in a folder deleted when dropped.
#[derive(Debug)]
pub struct TestCertificates {
    folder: tempfile::TempDir,
}

impl TestCertificates {
    /// Makes the CA, the server and client certificates and an unrelated CA.
    pub fn generate() -> Self {
        let folder = tempfile::Builder::new()
            .prefix("driftguard-tls-")
            .tempdir()
            .expect("a folder for the test certificates");
        let ca = authority("DriftGuard test CA");
        let other = authority("Some other CA");
        let leaf = |names: Vec<String>, stem: &str| {
            let key = KeyPair::generate().expect("a key pair");
            let cert = CertificateParams::new(names)
                .expect("valid names")
                .signed_by(&key, &ca)
                .expect("signed by the test CA");
            write(folder.path(), &format!("{stem}.pem"), &cert.pem());
            write(folder.path(), &format!("{stem}.key"), &key.serialize_pem());
        };
        leaf(vec![SERVER_NAME.to_owned()], "server");
        // Redis URLs have no `hostaddr`: its certificate names the address.
        leaf(vec!["127.0.0.1".to_owned()], "redis");
        leaf(vec!["driftguard-client".to_owned()], "client");
        write(folder.path(), "ca.pem", &ca.pem());
        write(folder.path(), "other-ca.pem", &other.pem());
        Self { folder }
    }

    /// A file of the set: `ca.pem`, `other-ca.pem`, `server.pem`/`.key` (for [`SERVER_NAME`]),
    /// `redis.pem`/`.key` (for 127.0.0.1), `client.pem`/`.key`.
    pub fn path(&self, name: &str) -> PathBuf {
        self.folder.path().join(name)
    }

    /// Hands the server's files (and the CA it asks client certificates of) to `owner`
    /// (uid, gid): PostgreSQL, run as its own user, reads them; the client's stay the test's,
    /// as libpq wants its key owned by whoever runs it.
    fn hand_to(&self, owner: Option<(u32, u32)>) {
        let Some((uid, gid)) = owner else { return };
        for name in ["", "server.pem", "server.key", "ca.pem"] {
            std::os::unix::fs::chown(self.path(name), Some(uid), Some(gid)).expect("chown");
        }
    }
}

fn authority(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("no names");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    CertifiedIssuer::self_signed(params, KeyPair::generate().expect("a key pair"))
        .expect("a self-signed CA")
}

fn write(folder: &Path, name: &str, pem: &str) {
    use std::os::unix::fs::PermissionsExt;
    let path = folder.join(name);
    std::fs::write(&path, pem).expect("writing a certificate file");
    // libpq and PostgreSQL refuse key files that others may read.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
}

const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

/// A private PostgreSQL cluster that accepts only TLS connections (`hostssl` in pg_hba, trust
/// for the `postgres` user; a client certificate signed by the test CA is checked and shown
/// in `pg_stat_ssl`, not required), stopped and deleted when dropped.
#[derive(Debug)]
pub struct TlsPostgres {
    folder: tempfile::TempDir,
    port: u16,
    runner: Runner,
}

/// Runs the PostgreSQL tools as the `postgres` user when the tests run as root (initdb and
/// postgres refuse root), directly otherwise.
#[derive(Debug, Clone, Copy)]
struct Runner(Option<(u32, u32)>);

impl Runner {
    fn detect() -> Self {
        let root = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|out| out.stdout.trim_ascii() == b"0");
        if !root {
            return Self(None);
        }
        let id = |flag: &str| -> u32 {
            let out = Command::new("id")
                .args([flag, "postgres"])
                .output()
                .expect("the postgres user");
            String::from_utf8_lossy(&out.stdout)
                .trim()
                .parse()
                .expect("a numeric id")
        };
        Self(Some((id("-u"), id("-g"))))
    }

    fn tool(self, name: &str) -> Command {
        let program = format!("{PG_BIN}/{name}");
        match self.0 {
            Some(_) => {
                let mut command = Command::new("runuser");
                command.args(["-u", "postgres", "--", &program]);
                command
            }
            None => Command::new(program),
        }
    }
}

impl TlsPostgres {
    /// Starts the cluster with the server certificate of `certs` (which it then owns when the
    /// tests run as root); None (a skip) when PostgreSQL 15's tools are missing, unless CI
    /// requires services.
    pub fn start(certs: &TestCertificates) -> Option<Self> {
        if !Path::new(PG_BIN).join("initdb").exists() {
            assert!(!services_required(), "{PG_BIN}/initdb is required");
            eprintln!("no {PG_BIN}/initdb: skipping a PostgreSQL TLS test");
            return None;
        }
        let runner = Runner::detect();
        let folder = tempfile::Builder::new()
            .prefix("driftguard-pg-tls-")
            .tempdir()
            .expect("a folder for the cluster");
        if let Some((uid, gid)) = runner.0 {
            std::os::unix::fs::chown(folder.path(), Some(uid), Some(gid)).expect("chown");
        }
        certs.hand_to(runner.0);
        let data = folder.path().join("data");
        let status = runner
            .tool("initdb")
            .args(["-A", "trust", "-U", "postgres", "-D"])
            .arg(&data)
            .stdout(Stdio::null())
            .status()
            .expect("initdb runs");
        assert!(status.success(), "initdb failed");
        let port = free_port();
        let conf = format!(
            "port = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{}'\n\
             ssl = on\nssl_cert_file = '{}'\nssl_key_file = '{}'\nssl_ca_file = '{}'\n\
             fsync = off\n",
            folder.path().display(),
            certs.path("server.pem").display(),
            certs.path("server.key").display(),
            certs.path("ca.pem").display(),
        );
        append(&data.join("postgresql.conf"), &conf);
        std::fs::write(
            data.join("pg_hba.conf"),
            "local all all trust\nhostssl all all 127.0.0.1/32 trust\n",
        )
        .expect("writing pg_hba.conf");
        let status = runner
            .tool("pg_ctl")
            .args(["-w", "-D"])
            .arg(&data)
            .arg("-l")
            .arg(folder.path().join("log"))
            .arg("start")
            .stdout(Stdio::null())
            .status()
            .expect("pg_ctl runs");
        assert!(status.success(), "pg_ctl start failed");
        Some(Self {
            folder,
            port,
            runner,
        })
    }

    /// A URL of its `postgres` database by the certificate's name (`hostaddr` reaches it at
    /// 127.0.0.1), with `params` appended (`sslmode=…&…`).
    pub fn url_by_name(&self, params: &str) -> String {
        format!(
            "postgres://postgres@{SERVER_NAME}:{}/postgres?hostaddr=127.0.0.1&{params}",
            self.port
        )
    }

    /// A URL by address (127.0.0.1, a name the certificate does not hold), with `params`.
    pub fn url_by_address(&self, params: &str) -> String {
        format!(
            "postgres://postgres@127.0.0.1:{}/postgres?{params}",
            self.port
        )
    }
}

impl Drop for TlsPostgres {
    fn drop(&mut self) {
        let _ = self
            .runner
            .tool("pg_ctl")
            .args(["-w", "-m", "immediate", "-D"])
            .arg(self.folder.path().join("data"))
            .arg("stop")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

fn append(path: &Path, text: &str) {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .expect("postgresql.conf");
    file.write_all(text.as_bytes())
        .expect("appending to postgresql.conf");
}

/// Starts a redis-server that listens only on a TLS port, with the `redis` certificate of
/// `certs` and no client certificates asked for; None (a skip) when there is no redis-server,
/// unless CI requires services. Its URL is `rediss://…`.
pub fn start_tls_redis(certs: &TestCertificates) -> Option<RedisServer> {
    let port = free_port();
    let path = |name: &str| certs.path(name).display().to_string();
    let (port_text, cert, key, ca) = (
        port.to_string(),
        path("redis.pem"),
        path("redis.key"),
        path("ca.pem"),
    );
    let args = [
        "--port",
        "0",
        "--tls-port",
        &port_text,
        "--tls-cert-file",
        &cert,
        "--tls-key-file",
        &key,
        "--tls-ca-cert-file",
        &ca,
        "--tls-auth-clients",
        "no",
    ];
    spawn_redis(&args, port, true)
}
