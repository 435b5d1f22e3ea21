//! PostgreSQL: `pg_dump --format=custom` and `pg_restore`, the client tools of the machine.
//! The backup opens a REPEATABLE READ transaction, exports its snapshot, reads the history's
//! head and the row counts in it and has `pg_dump --snapshot` dump that same snapshot, so that
//! the manifest describes exactly what the dump holds while the server keeps writing. Restore
//! runs `pg_restore --single-transaction`: it applies all of the dump or none of it.

use super::manifest::Opened;
use super::{BackupError, Facts, Manifest, ensure_empty, ensure_matches};
use crate::migrate;
use crate::postgres_tls;
use crate::settings::Backend;
use diesel::QueryableByName;
use diesel::sql_types::Text;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use std::path::Path;
use std::process::Command;

#[derive(QueryableByName)]
struct Snapshot {
    #[diesel(sql_type = Text)]
    id: String,
}

/// Runs a PostgreSQL client tool on `url` with `args`. The password, if the URL has one, goes
/// in `PGPASSWORD` rather than on the command line, where other users could read it.
async fn run_tool(tool: &'static str, url: &str, args: Vec<String>) -> Result<(), BackupError> {
    let (url, password) = without_password(url);
    let output = tokio::task::spawn_blocking(move || {
        let mut command = Command::new(tool);
        command.args(args).arg(format!("--dbname={url}"));
        if let Some(password) = password {
            command.env("PGPASSWORD", password);
        }
        command.output()
    })
    .await
    .map_err(|e| BackupError::Database(e.to_string()))?
    .map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => BackupError::ToolMissing(tool),
        _ => BackupError::Io {
            what: format!("running {tool}"),
            source,
        },
    })?;
    if output.status.success() {
        return Ok(());
    }
    Err(BackupError::ToolFailed {
        tool,
        status: output.status.to_string(),
        stderr: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
    })
}

/// The URL without its password, and the password (percent-decoded).
fn without_password(url: &str) -> (String, Option<String>) {
    let password = url.parse::<tokio_postgres::Config>().ok().and_then(|c| {
        c.get_password()
            .map(|p| String::from_utf8_lossy(p).into_owned())
    });
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return (url.to_owned(), password);
    };
    let authority_end = url[scheme_end..]
        .find(['/', '?'])
        .map_or(url.len(), |i| scheme_end + i);
    let authority = &url[scheme_end..authority_end];
    let Some((userinfo, host)) = authority.rsplit_once('@') else {
        return (url.to_owned(), password);
    };
    let user = userinfo.split_once(':').map_or(userinfo, |(user, _)| user);
    let stripped = format!(
        "{}{user}@{host}{}",
        &url[..scheme_end],
        &url[authority_end..]
    );
    (stripped, password)
}

async fn connect(url: &str) -> Result<AsyncPgConnection, BackupError> {
    Ok(postgres_tls::establish(url).await?)
}

/// Dumps the database at `url` into the new file `payload`; answers the facts of the dumped
/// snapshot.
pub(super) async fn snapshot(url: &str, payload: &Path) -> Result<Facts, BackupError> {
    let mut conn = connect(url).await?;
    let url = url.to_owned();
    let payload = payload.to_string_lossy().into_owned();
    conn.build_transaction()
        .repeatable_read()
        .read_only()
        .run(async move |conn| {
            let snapshot: Snapshot = diesel::sql_query("SELECT pg_export_snapshot() AS id")
                .get_result(conn)
                .await?;
            let facts = read_facts!(conn, Backend::Postgres)?;
            // The transaction stays open until pg_dump is done: the snapshot lives only as
            // long as the transaction that exported it.
            let args = vec![
                "--format=custom".to_owned(),
                format!("--snapshot={}", snapshot.id),
                format!("--file={payload}"),
            ];
            run_tool("pg_dump", &url, args).await?;
            Ok::<_, BackupError>(facts)
        })
        .await
}

/// Restores `opened` into the PostgreSQL database at `url`, which must hold no data; answers
/// the manifest and the migrations applied to bring it forward.
pub(super) async fn restore(
    url: &str,
    opened: Opened,
) -> Result<(Manifest, Vec<String>), BackupError> {
    let target = {
        let mut conn = connect(url).await?;
        let conn = &mut conn;
        read_facts!(conn, Backend::Postgres)?
    };
    ensure_empty(&target)?;
    let work = tempfile::Builder::new()
        .prefix("driftguard-restore-")
        .tempdir()
        .map_err(|source| BackupError::Io {
            what: "making a work folder".into(),
            source,
        })?;
    let dump = work.path().join("payload.dump");
    let manifest = opened.extract(&dump)?;
    let mut args: Vec<String> = [
        "--single-transaction",
        "--exit-on-error",
        // Owned by, and granted as, the role restoring (the owner): the backed-up cluster's
        // roles need not exist here; the runtime role is granted again afterwards.
        "--no-owner",
        "--no-privileges",
    ]
    .map(str::to_owned)
    .to_vec();
    if target.migration_version.is_some() {
        // Migrated but empty (a server started on it): its tables make way for the dump's.
        args.extend(["--clean".to_owned(), "--if-exists".to_owned()]);
    }
    args.push(dump.to_string_lossy().into_owned());
    run_tool("pg_restore", url, args).await?;
    let restored = {
        let mut conn = connect(url).await?;
        let conn = &mut conn;
        read_facts!(conn, Backend::Postgres)?
    };
    ensure_matches(&restored, &manifest)?;
    let migrated = migrate::run_pending(url).await?;
    Ok((manifest, migrated))
}

#[cfg(test)]
mod tests {
    use super::without_password;

    #[test]
    fn the_password_leaves_the_url() {
        assert_eq!(
            without_password("postgres://owner:p%40ss@db:5432/dg?sslmode=disable"),
            (
                "postgres://owner@db:5432/dg?sslmode=disable".to_owned(),
                Some("p@ss".to_owned())
            )
        );
        assert_eq!(
            without_password("postgres://postgres@127.0.0.1/x"),
            ("postgres://postgres@127.0.0.1/x".to_owned(), None)
        );
    }
}
