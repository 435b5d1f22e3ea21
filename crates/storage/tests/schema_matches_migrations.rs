//! `schema.rs` says what the migrations build: every table, column, type and nullability, on
//! each backend. `cargo xtask schema-check` runs this; CI runs it with every test.

use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Text};
use diesel_async::RunQueryDsl;
use driftguard_core::DomainResult;
use driftguard_storage::{Backend, Database, with_conn};
use driftguard_test_kit::TestDatabase;
use std::collections::BTreeMap;

/// (table, column) → (portable type, nullable).
type Columns = BTreeMap<(String, String), (String, bool)>;

/// The columns `schema.rs` declares, read from its text.
fn declared() -> Columns {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/schema.rs");
    let text = std::fs::read_to_string(path).expect("schema.rs");
    let mut columns = Columns::new();
    let mut table: Option<String> = None;
    for line in text.lines().map(str::trim) {
        if let Some((name, _)) = line.split_once(" (").filter(|_| line.ends_with('{')) {
            table = Some(name.to_owned());
        } else if line == "}" {
            table = None;
        } else if let (Some(t), Some((column, ty))) = (&table, line.split_once(" -> ")) {
            let ty = ty.trim_end_matches(',');
            let (ty, nullable) = match ty.strip_prefix("Nullable<") {
                Some(inner) => (inner.trim_end_matches('>'), true),
                None => (ty, false),
            };
            columns.insert((t.clone(), column.to_owned()), (ty.to_owned(), nullable));
        }
    }
    assert!(!columns.is_empty(), "no table! blocks found in schema.rs");
    columns
}

/// The portable type a database's own type name stands for.
fn portable(backend: Backend, db_type: &str) -> String {
    let t = db_type.to_ascii_lowercase();
    let name = match (backend, t.as_str()) {
        (_, "bigint" | "integer" | "bigserial") => "BigInt",
        (_, "text") => "Text",
        (_, "boolean") => "Bool",
        (_, "double precision") => "Double",
        (_, "bytea" | "blob") => "Binary",
        (_, "timestamp" | "timestamp without time zone") => "Timestamp",
        _ => return format!("unknown({db_type})"),
    };
    name.to_owned()
}

#[derive(QueryableByName)]
struct DbColumn {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = BigInt)]
    nullable: i64,
}

async fn actual(db: &Database) -> DomainResult<Columns> {
    let sql = match db.backend() {
        Backend::Postgres => {
            "SELECT table_name::text, column_name::text, data_type::text, \
             (CASE WHEN is_nullable = 'YES' THEN 1 ELSE 0 END)::bigint AS nullable \
             FROM information_schema.columns WHERE table_schema = 'public' \
             AND table_name <> '__diesel_schema_migrations'"
        }
        Backend::Sqlite => {
            "SELECT m.name AS table_name, p.name AS column_name, p.type AS data_type, \
             CAST(CASE WHEN p.\"notnull\" = 0 AND p.pk = 0 THEN 1 ELSE 0 END AS BIGINT) AS nullable \
             FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
             AND m.name <> '__diesel_schema_migrations'"
        }
    };
    let rows: Vec<DbColumn> = with_conn!(db, |conn| {
        diesel::sql_query(sql)
            .load(conn)
            .await
            .map_err(driftguard_storage::error::query_error)?
    });
    Ok(rows
        .into_iter()
        .map(|c| {
            (
                (c.table_name, c.column_name),
                (portable(db.backend(), &c.data_type), c.nullable == 1),
            )
        })
        .collect())
}

async fn check(db: TestDatabase) {
    let store = db.store();
    let found = actual(store.database())
        .await
        .expect("read the migrated schema");
    assert_eq!(
        found,
        declared(),
        "schema.rs and the {:?} migrations disagree",
        store.database().backend()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_schema_matches() {
    check(TestDatabase::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_schema_matches() {
    if let Some(db) = TestDatabase::postgres().await {
        check(db).await;
    }
}
