//! The PostgreSQL runtime role: what `driftguard migrate --runtime-role NAME` sets up, so that
//! the server can run as a role that may change every table it must but may only read and
//! append to the audit trail (`deployment_history`, `audit_checkpoints`).
//!
//! Privileges are checked before triggers, so that the role is refused UPDATE, DELETE and
//! TRUNCATE there even if the append-only triggers were dropped. The role must own nothing
//! and not be a superuser: an owner may grant itself anything back and disable the triggers.

/// The tables the runtime role may only read and append to.
const APPEND_ONLY_TABLES: [&str; 2] = ["deployment_history", "audit_checkpoints"];

/// Why the runtime role could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum RoleError {
    /// The name is not a plain identifier.
    #[error(
        "role name {0:?} must be 1-63 ASCII letters, digits or underscores, not starting with a digit"
    )]
    InvalidName(String),
    /// The database is not PostgreSQL.
    #[error("a runtime role is a PostgreSQL feature; SQLite has no roles")]
    NotPostgres,
    /// The role could undo its own restrictions.
    #[error("{0}")]
    Privileged(String),
    /// A statement failed.
    #[error("setting up the runtime role failed: {0}")]
    Database(#[from] tokio_postgres::Error),
    /// The URL's TLS parameters cannot be used.
    #[error(transparent)]
    Tls(#[from] crate::postgres_tls::PgTlsError),
}

/// Whether `name` is safe to splice into SQL: a plain identifier, lower or upper case.
fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    name.len() <= 63
        && chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The statements that create `role` (NOLOGIN) when it is missing and grant it what the
/// server needs in `schema`: everything on every table and sequence but UPDATE, DELETE and
/// TRUNCATE on the audit trail, and only SELECT on the migrations table.
fn grants(role: &str, schema: &str) -> String {
    let audit = APPEND_ONLY_TABLES.join(", ");
    format!(
        "DO $$ BEGIN
             IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN
                 CREATE ROLE \"{role}\" NOLOGIN;
             END IF;
         END $$;
         GRANT USAGE ON SCHEMA \"{schema}\" TO \"{role}\";
         GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA \"{schema}\" TO \"{role}\";
         REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {audit} FROM \"{role}\";
         REVOKE INSERT, UPDATE, DELETE ON __diesel_schema_migrations FROM \"{role}\";
         GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA \"{schema}\" TO \"{role}\";"
    )
}

/// Creates `role` if it is missing and grants it the runtime privileges on the migrated
/// database at `url` (PostgreSQL). Safe to run again: run it after every migration, so that
/// new tables are granted too.
pub async fn grant_runtime_role(url: &str, role: &str) -> Result<(), RoleError> {
    if !valid_name(role) {
        return Err(RoleError::InvalidName(role.to_owned()));
    }
    if crate::Backend::of_url(url) != crate::Backend::Postgres {
        return Err(RoleError::NotPostgres);
    }
    let (client, connection) = crate::postgres_tls::PgConnector::from_url(url)?
        .connect()
        .await?;
    let connection = tokio::spawn(connection);
    let result = async {
        let schema: String = client.query_one("SELECT current_schema()", &[]).await?.get(0);
        let privileged = client
            .query_opt(
                "SELECT r.rolname FROM pg_roles r WHERE r.rolname = $1 AND (r.rolsuper OR \
                 EXISTS (SELECT 1 FROM pg_tables t WHERE t.schemaname = $2 AND t.tableowner = r.rolname))",
                &[&role, &schema],
            )
            .await?;
        if privileged.is_some() {
            return Err(RoleError::Privileged(format!(
                "{role} is a superuser or owns tables in {schema}: it could lift its own \
                 restrictions; choose a role of its own for the server"
            )));
        }
        client.batch_execute(&grants(role, &schema)).await?;
        Ok(())
    }
    .await;
    drop(client);
    let _ = connection.await;
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_identifiers_are_names() {
        for good in ["driftguard_app", "App2", "_x", &"a".repeat(63)] {
            assert!(valid_name(good), "{good}");
        }
        for bad in [
            "",
            "2app",
            "app-role",
            "app\"; DROP TABLE users; --",
            "ä",
            &"a".repeat(64),
        ] {
            assert!(!valid_name(bad), "{bad}");
        }
    }
}
