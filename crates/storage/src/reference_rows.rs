//! The rows of a reference upload that carry its megabytes (the compressed original and
//! the prepared columns), inserted on SQLite without a copy of their bytes.
//!
//! diesel-async runs each SQLite statement on the blocking pool, so it first copies the
//! statement's binds into memory of their own (`MoveableBindCollector`): the 72 MB original
//! of a million-row upload was held twice while it was written, at the upload's peak of
//! memory. Moved to the blocking pool whole, the rows are bound where they are: diesel's
//! synchronous SQLite binds a blob without copying it. PostgreSQL copies binds into its
//! protocol message whichever way they come.

use crate::db::SqliteConn;
use crate::schema::{reference_columns, reference_data};
use async_trait::async_trait;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::AsyncPgConnection;
use driftguard_app::StoredColumn;
use driftguard_core::ModelId;

/// A model's row in `reference_data`: the compressed original and its profile.
#[derive(Insertable)]
#[diesel(table_name = reference_data)]
pub(crate) struct DataInsert {
    pub model_id: i64,
    pub data: Vec<u8>,
    pub sha256: String,
    pub rows: i64,
    pub profile: String,
    pub uploaded_by: i64,
    pub uploaded_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = reference_columns)]
struct ColumnInsert<'a> {
    model_id: i64,
    position: i64,
    name: &'a str,
    prepared: &'a [u8],
    ordered: Option<&'a [u8]>,
}

impl<'a> ColumnInsert<'a> {
    fn new(model_id: ModelId, position: i64, column: &'a StoredColumn) -> Self {
        Self {
            model_id: model_id.0,
            position,
            name: &column.name,
            prepared: &column.prepared,
            ordered: column.ordered.as_deref(),
        }
    }
}

/// Inserts of a reference's large rows, on a connection inside the caller's transaction.
/// The columns go in one statement each: a statement's binds are copied into PostgreSQL's
/// message, so one statement for all would hold every column twice at once; each column is
/// dropped once written.
#[async_trait]
pub(crate) trait LargeRows {
    /// Inserts the original and profile.
    async fn insert_data(&mut self, data: DataInsert) -> QueryResult<()>;

    /// Inserts `columns`, in order, as the model's prepared columns.
    async fn insert_columns(
        &mut self,
        model_id: ModelId,
        columns: Vec<StoredColumn>,
    ) -> QueryResult<()>;
}

#[async_trait]
impl LargeRows for AsyncPgConnection {
    async fn insert_data(&mut self, data: DataInsert) -> QueryResult<()> {
        let insert = diesel::insert_into(reference_data::table).values(&data);
        diesel_async::RunQueryDsl::execute(insert, self).await?;
        Ok(())
    }

    async fn insert_columns(
        &mut self,
        model_id: ModelId,
        columns: Vec<StoredColumn>,
    ) -> QueryResult<()> {
        for (position, column) in (0i64..).zip(columns) {
            let insert = diesel::insert_into(reference_columns::table)
                .values(ColumnInsert::new(model_id, position, &column));
            diesel_async::RunQueryDsl::execute(insert, self).await?;
        }
        Ok(())
    }
}

#[async_trait]
impl LargeRows for SqliteConn {
    async fn insert_data(&mut self, data: DataInsert) -> QueryResult<()> {
        self.spawn_blocking(move |conn| {
            let insert = diesel::insert_into(reference_data::table).values(&data);
            diesel::RunQueryDsl::execute(insert, conn).map(drop)
        })
        .await
    }

    async fn insert_columns(
        &mut self,
        model_id: ModelId,
        columns: Vec<StoredColumn>,
    ) -> QueryResult<()> {
        self.spawn_blocking(move |conn| {
            for (position, column) in (0i64..).zip(columns) {
                let insert = diesel::insert_into(reference_columns::table)
                    .values(ColumnInsert::new(model_id, position, &column));
                diesel::RunQueryDsl::execute(insert, conn)?;
            }
            Ok(())
        })
        .await
    }
}
