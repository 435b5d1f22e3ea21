//! `ReferenceRepository` on the database: the compressed data and profile of each model
//! version, its columns prepared for evaluations, the history of its uploads, and the
//! model's `has_reference`, in one transaction.

use crate::convert::{from_db, from_json, to_count, to_db, to_json};
use crate::error::query_error;
use crate::reference_rows::{DataInsert, LargeRows};
use crate::schema::{models, reference_columns, reference_data, reference_uploads};
use crate::store::Store;
use crate::tx::TxError;
use async_trait::async_trait;
use chrono::NaiveDateTime;
use diesel::dsl::case_when;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use driftguard_app::{
    LoadedColumn, NewReference, Ordered, ReferenceProfile, ReferenceRepository, ReferenceUpload,
    StoredColumn,
};
use driftguard_core::{DomainResult, ModelId, UserId};

#[derive(Insertable, Queryable, Selectable)]
#[diesel(table_name = reference_uploads)]
struct UploadRow {
    model_id: i64,
    sha256: String,
    rows: i64,
    uploaded_by: i64,
    uploaded_at: NaiveDateTime,
}

#[async_trait]
impl ReferenceRepository for Store {
    async fn put(&self, reference: NewReference) -> DomainResult<ReferenceProfile> {
        let NewReference {
            profile,
            compressed,
            columns,
        } = reference;
        let p = &profile;
        let rows = i64::try_from(p.rows).unwrap_or(i64::MAX);
        let at = to_db(p.uploaded_at);
        let data = DataInsert {
            model_id: p.model_id.0,
            data: compressed,
            sha256: p.sha256.clone(),
            rows,
            profile: to_json(p)?,
            uploaded_by: p.uploaded_by.0,
            uploaded_at: at,
        };
        let upload = UploadRow {
            model_id: p.model_id.0,
            sha256: p.sha256.clone(),
            rows,
            uploaded_by: p.uploaded_by.0,
            uploaded_at: at,
        };
        let model_id = p.model_id;
        large_transaction!(self, |conn| {
            let changed = diesel::update(models::table.find(model_id.0))
                .set((models::has_reference.eq(true), models::updated_at.eq(at)))
                .execute(conn)
                .await?;
            if changed == 0 {
                return Err(TxError::Domain(model_id.not_found()));
            }
            diesel::delete(
                reference_columns::table.filter(reference_columns::model_id.eq(model_id.0)),
            )
            .execute(conn)
            .await?;
            diesel::delete(reference_data::table.find(model_id.0))
                .execute(conn)
                .await?;
            conn.insert_data(data).await?;
            conn.insert_columns(model_id, columns).await?;
            diesel::insert_into(reference_uploads::table)
                .values(&upload)
                .execute(conn)
                .await?;
            Ok(())
        })?;
        Ok(profile)
    }

    async fn profile(&self, model_id: ModelId) -> DomainResult<Option<ReferenceProfile>> {
        let text: Option<String> = with_conn!(self.database(), |conn| {
            reference_data::table
                .find(model_id.0)
                .select(reference_data::profile)
                .first(conn)
                .await
                .optional()
                .map_err(query_error)?
        });
        text.map(|t| from_json("reference profile", &t)).transpose()
    }

    async fn data(&self, model_id: ModelId) -> DomainResult<Option<(ReferenceProfile, Vec<u8>)>> {
        let found: Option<(String, Vec<u8>)> = with_conn!(self.database(), |conn| {
            reference_data::table
                .find(model_id.0)
                .select((reference_data::profile, reference_data::data))
                .first(conn)
                .await
                .optional()
                .map_err(query_error)?
        });
        found
            .map(|(text, data)| Ok((from_json("reference profile", &text)?, data)))
            .transpose()
    }

    async fn columns(
        &self,
        model_id: ModelId,
        ordered: Ordered,
    ) -> DomainResult<Vec<LoadedColumn>> {
        // One statement: the columns of one upload, even while another replaces it.
        let of_model = reference_columns::table
            .filter(reference_columns::model_id.eq(model_id.0))
            .order(reference_columns::position.asc());
        let rows: Vec<(String, Vec<u8>, Option<Vec<u8>>)> = with_conn!(self.database(), |conn| {
            match &ordered {
                Ordered::All => {
                    of_model
                        .select((
                            reference_columns::name,
                            reference_columns::prepared,
                            reference_columns::ordered,
                        ))
                        .load(conn)
                        .await
                }
                Ordered::Only(names) => {
                    of_model
                        .select((
                            reference_columns::name,
                            reference_columns::prepared,
                            case_when(
                                reference_columns::name.eq_any(names),
                                reference_columns::ordered,
                            ),
                        ))
                        .load(conn)
                        .await
                }
            }
            .map_err(query_error)?
        });
        Ok(rows
            .into_iter()
            .map(|(name, prepared, ordered)| LoadedColumn {
                name,
                prepared,
                ordered,
            })
            .collect())
    }

    async fn prepare(
        &self,
        profile: &ReferenceProfile,
        columns: Vec<StoredColumn>,
    ) -> DomainResult<bool> {
        let model_id = profile.model_id;
        // The stored profile is this text: its upload's time, uploader, kinds and digest.
        let text = to_json(profile)?;
        large_transaction!(self, |conn| {
            // Locks the row (PostgreSQL) against a replacing upload until this commits, and
            // tells whether it is still the upload that was prepared.
            let same = diesel::update(
                reference_data::table
                    .find(model_id.0)
                    .filter(reference_data::profile.eq(&text)),
            )
            .set(reference_data::model_id.eq(model_id.0))
            .execute(conn)
            .await?;
            let done: i64 = reference_columns::table
                .filter(reference_columns::model_id.eq(model_id.0))
                .count()
                .get_result(conn)
                .await?;
            if same == 0 || done > 0 {
                return Ok(false);
            }
            conn.insert_columns(model_id, columns).await?;
            Ok(true)
        })
    }

    async fn uploads(&self, model_id: ModelId) -> DomainResult<Vec<ReferenceUpload>> {
        let rows: Vec<UploadRow> = with_conn!(self.database(), |conn| {
            reference_uploads::table
                .filter(reference_uploads::model_id.eq(model_id.0))
                .order(reference_uploads::id.asc())
                .select(UploadRow::as_select())
                .load(conn)
                .await
                .map_err(query_error)?
        });
        Ok(rows
            .into_iter()
            .map(|r| ReferenceUpload {
                model_id: ModelId(r.model_id),
                sha256: r.sha256,
                rows: to_count(r.rows),
                uploaded_by: UserId(r.uploaded_by),
                uploaded_at: from_db(r.uploaded_at),
            })
            .collect())
    }
}
