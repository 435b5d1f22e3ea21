//! PostgreSQL over TLS, against a private cluster that accepts TLS only, with certificates
//! made by the test: each `sslmode` connects or is refused as libpq's would, and the pool,
//! the migrations, `pg_dump` and the runtime-role grant all get through.

use diesel::QueryableByName;
use diesel::sql_types::{Bool, Nullable, Text};
use diesel_async::RunQueryDsl;
use driftguard_core::DomainResult;
use driftguard_storage::postgres_tls::{PgConnector, with_default_params};
use driftguard_storage::{Database, DatabaseSettings, backup, migrate, runtime_role, with_conn};
use driftguard_test_kit::{TestCertificates, TlsPostgres};

#[derive(QueryableByName)]
struct Session {
    #[diesel(sql_type = Bool)]
    ssl: bool,
    #[diesel(sql_type = Nullable<Text>)]
    client_dn: Option<String>,
}

/// What `pg_stat_ssl` says of a pooled connection to `url`.
async fn session(url: &str) -> DomainResult<Session> {
    let db = Database::connect(&DatabaseSettings {
        url: url.to_owned(),
        ..DatabaseSettings::default()
    })?;
    with_conn!(&db, |conn| {
        diesel::sql_query("SELECT ssl, client_dn FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            .get_result::<Session>(conn)
            .await
            .map_err(driftguard_storage::error::pool_error)
    })
}

/// The error connecting to `url` gives, through the pool.
async fn refusal(url: &str) -> String {
    match session(url).await {
        Ok(_) => panic!("{url} connected"),
        Err(e) => e.chain(),
    }
}

fn path(certs: &TestCertificates, name: &str) -> String {
    certs.path(name).display().to_string()
}

#[tokio::test]
async fn each_sslmode_connects_or_is_refused_as_libpq_would() {
    let certs = TestCertificates::generate();
    let Some(server) = TlsPostgres::start(&certs) else {
        return;
    };
    let ca = path(&certs, "ca.pem");

    let require = session(&server.url_by_address("sslmode=require"))
        .await
        .expect("require connects");
    assert!(require.ssl, "pg_stat_ssl shows TLS");
    assert_eq!(require.client_dn, None);
    let prefer = session(&server.url_by_address(""))
        .await
        .expect("prefer connects");
    assert!(prefer.ssl, "the default, prefer, takes TLS when offered");

    let full = session(&server.url_by_name(&format!("sslmode=verify-full&sslrootcert={ca}")))
        .await
        .expect("verify-full with the right CA and name connects");
    assert!(full.ssl);
    let by_address_ca =
        session(&server.url_by_address(&format!("sslmode=verify-ca&sslrootcert={ca}")))
            .await
            .expect("verify-ca does not check the name");
    assert!(by_address_ca.ssl);

    let wrong_ca = refusal(&server.url_by_name(&format!(
        "sslmode=verify-full&sslrootcert={}",
        path(&certs, "other-ca.pem")
    )))
    .await;
    assert!(wrong_ca.contains("sslmode=verify-full"), "{wrong_ca}");
    assert!(
        wrong_ca.contains("invalid peer certificate: UnknownIssuer"),
        "{wrong_ca}"
    );
    // With a CA, require checks the chain too (as libpq does).
    let require_wrong_ca = refusal(&server.url_by_address(&format!(
        "sslmode=require&sslrootcert={}",
        path(&certs, "other-ca.pem")
    )))
    .await;
    assert!(
        require_wrong_ca.contains("UnknownIssuer"),
        "{require_wrong_ca}"
    );

    let wrong_name =
        refusal(&server.url_by_address(&format!("sslmode=verify-full&sslrootcert={ca}"))).await;
    assert!(
        wrong_name.contains("invalid peer certificate"),
        "{wrong_name}"
    );
    assert!(
        wrong_name.contains("not valid for name \"127.0.0.1\""),
        "{wrong_name}"
    );

    let plain = refusal(&server.url_by_address("sslmode=disable")).await;
    assert!(plain.contains("sslmode=disable"), "{plain}");
    assert!(plain.contains("no encryption"), "{plain}");

    let missing = refusal(&server.url_by_name("sslmode=verify-full")).await;
    assert!(missing.contains("needs the CA certificate"), "{missing}");
}

#[tokio::test]
async fn a_client_certificate_from_the_settings_is_presented() {
    let certs = TestCertificates::generate();
    let Some(server) = TlsPostgres::start(&certs) else {
        return;
    };
    let url = with_default_params(
        &server.url_by_name("sslmode=verify-full"),
        &[
            ("sslrootcert", Some(&path(&certs, "ca.pem"))),
            ("sslcert", Some(&path(&certs, "client.pem"))),
            ("sslkey", Some(&path(&certs, "client.key"))),
        ],
    );
    let session = session(&url)
        .await
        .expect("connects with a client certificate");
    assert!(session.ssl);
    assert!(
        session.client_dn.is_some(),
        "the server saw the client certificate"
    );

    let half = PgConnector::from_url(&with_default_params(
        &server.url_by_name("sslmode=require"),
        &[("sslcert", Some(&path(&certs, "client.pem")))],
    ))
    .expect_err("a certificate without its key");
    assert!(
        half.to_string().contains("both sslcert and sslkey"),
        "{half}"
    );
}

#[tokio::test]
async fn migrations_backup_and_the_runtime_role_work_over_tls() {
    let certs = TestCertificates::generate();
    let Some(server) = TlsPostgres::start(&certs) else {
        return;
    };
    let url = server.url_by_name(&format!(
        "sslmode=verify-full&sslrootcert={}",
        path(&certs, "ca.pem")
    ));
    let applied = migrate::run_pending(&url)
        .await
        .expect("migrations over TLS");
    assert!(!applied.is_empty());
    runtime_role::grant_runtime_role(&url, "driftguard_app")
        .await
        .expect("the runtime role over TLS");
    let folder = tempfile::tempdir().expect("a folder");
    let file = folder.path().join("backup.dgbackup");
    // pg_dump (libpq) reads the same URL: verify-full, the CA and hostaddr.
    let manifest = backup::backup(&url, &file, false)
        .await
        .expect("pg_dump over TLS");
    assert_eq!(manifest.backend, "postgres");

    let refused = migrate::run_pending(&server.url_by_address("sslmode=disable"))
        .await
        .expect_err("migrations refused without TLS");
    assert!(
        refused.chain().contains("no encryption"),
        "{}",
        refused.chain()
    );
}
