//! What a database holds, read the same way on both backends: its tables and their row
//! counts, its newest migration, and the head of its deployment history. A backup records
//! these from its own snapshot; restore reads them from the target (is it empty?) and from
//! the restored copy (is it the snapshot?).

use super::manifest::{Head, Manifest};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Nullable, Text};
use std::collections::BTreeMap;

/// The table diesel records applied migrations in.
pub(crate) const MIGRATIONS_TABLE: &str = "__diesel_schema_migrations";
/// Tables whose rows make a database "hold data": a restore never goes over them. (A fresh
/// migration seeds the default policy, so policies alone do not count.)
const DATA_TABLES: [&str; 3] = ["users", "models", "deployment_history"];

#[derive(QueryableByName)]
pub(crate) struct Name {
    #[diesel(sql_type = Text)]
    pub(crate) name: String,
}

#[derive(QueryableByName)]
pub(crate) struct Version {
    #[diesel(sql_type = Nullable<Text>)]
    pub(crate) version: Option<String>,
}

#[derive(QueryableByName)]
pub(crate) struct Count {
    #[diesel(sql_type = BigInt)]
    pub(crate) n: i64,
}

/// A database's contents, in brief.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// The newest applied migration; `None` when the database was never migrated.
    pub migration_version: Option<String>,
    /// The deployment history's head.
    pub head: Head,
    /// Rows per table (the migrations table aside).
    pub rows: BTreeMap<String, u64>,
}

/// The catalogue query listing a backend's tables as `name`.
pub(crate) fn tables_sql(backend: crate::Backend) -> &'static str {
    match backend {
        crate::Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        }
        crate::Backend::Postgres => {
            "SELECT table_name::text AS name FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        }
    }
}

/// `SELECT COUNT(*)` of a table named by the catalogue, quoted as an identifier.
pub(crate) fn count_sql(table: &str) -> String {
    format!(
        "SELECT COUNT(*) AS n FROM \"{}\"",
        table.replace('"', "\"\"")
    )
}

/// Reads the [`Facts`] of the database `$conn` (a diesel-async connection of `$backend`)
/// is on, evaluating to a `diesel::QueryResult<Facts>`; written once, compiled per backend.
macro_rules! read_facts {
    ($conn:ident, $backend:expr) => {{
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        use $crate::backup::facts::{Count, Facts, MIGRATIONS_TABLE, Name, Version};
        let result: diesel::QueryResult<Facts> = async {
            let tables: Vec<Name> = diesel::sql_query($crate::backup::facts::tables_sql($backend))
                .load($conn)
                .await?;
            let mut facts = Facts {
                migration_version: None,
                head: $crate::backup::manifest::Head {
                    last_id: 0,
                    hash: driftguard_audit::GENESIS_HASH.to_owned(),
                },
                rows: std::collections::BTreeMap::new(),
            };
            for Name { name } in tables {
                if name == MIGRATIONS_TABLE {
                    let newest: Version = diesel::sql_query(
                        "SELECT MAX(version) AS version FROM __diesel_schema_migrations",
                    )
                    .get_result($conn)
                    .await?;
                    facts.migration_version = newest.version;
                    continue;
                }
                let count: Count = diesel::sql_query($crate::backup::facts::count_sql(&name))
                    .get_result($conn)
                    .await?;
                facts.rows.insert(name, $crate::convert::to_count(count.n));
            }
            if facts.rows.contains_key("deployment_history") {
                if let Some((last_id, hash)) = history_head!($conn)? {
                    facts.head = $crate::backup::manifest::Head { last_id, hash };
                }
            }
            Ok(facts)
        }
        .await;
        result
    }};
}

impl Facts {
    /// What of users, models and history the database holds, e.g. `2 users, 1 models`;
    /// `None` when it holds none of them (a restore may go there).
    pub fn data_held(&self) -> Option<String> {
        let held: Vec<String> = DATA_TABLES
            .iter()
            .filter_map(|table| match self.rows.get(*table) {
                Some(&n) if n > 0 => Some(format!("{n} rows in {table}")),
                _ => None,
            })
            .collect();
        (!held.is_empty()).then(|| held.join(", "))
    }

    /// Where these facts (of a restored copy) differ from what the manifest recorded; `None`
    /// when they are the snapshot's.
    pub fn differs_from(&self, manifest: &Manifest) -> Option<String> {
        if self.migration_version.as_deref() != Some(manifest.migration_version.as_str()) {
            return Some(format!(
                "migration version {:?}, the manifest says {}",
                self.migration_version, manifest.migration_version
            ));
        }
        if self.head != manifest.head {
            return Some(format!(
                "history head {} ({}), the manifest says {} ({})",
                self.head.last_id, self.head.hash, manifest.head.last_id, manifest.head.hash
            ));
        }
        (self.rows != manifest.rows).then(|| {
            format!(
                "row counts {:?}, the manifest says {:?}",
                self.rows, manifest.rows
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(rows: &[(&str, u64)]) -> Facts {
        Facts {
            migration_version: Some("20261202000007".into()),
            head: Head {
                last_id: 0,
                hash: "0".repeat(64),
            },
            rows: rows.iter().map(|(t, n)| ((*t).to_owned(), *n)).collect(),
        }
    }

    #[test]
    fn the_seeded_policy_is_not_data_but_users_models_and_history_are() {
        assert_eq!(facts(&[("policies", 1), ("users", 0)]).data_held(), None);
        assert_eq!(
            facts(&[("users", 2), ("models", 0), ("deployment_history", 3)]).data_held(),
            Some("2 rows in users, 3 rows in deployment_history".into())
        );
    }

    #[test]
    fn table_names_are_quoted_as_identifiers() {
        assert_eq!(count_sql("a\"b"), "SELECT COUNT(*) AS n FROM \"a\"\"b\"");
    }
}
