//! `ReferenceRepository` on the database: the compressed data and profile of each model
//! version, the history of its uploads, and the model's `has_reference`, in one transaction.

use crate::convert::{from_db, from_json, to_count, to_db, to_json};
use crate::error::query_error;
use crate::schema::{models, reference_data, reference_uploads};
use crate::store::Store;
use crate::tx::TxError;
use async_trait::async_trait;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use driftguard_app::{NewReference, ReferenceProfile, ReferenceRepository, ReferenceUpload};
use driftguard_core::{DomainResult, ModelId, UserId};

#[derive(Insertable)]
#[diesel(table_name = reference_data)]
struct DataInsert {
    model_id: i64,
    data: Vec<u8>,
    sha256: String,
    rows: i64,
    profile: String,
    uploaded_by: i64,
    uploaded_at: NaiveDateTime,
}

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
        let p = &reference.profile;
        let rows = i64::try_from(p.rows).unwrap_or(i64::MAX);
        let at = to_db(p.uploaded_at);
        let data = DataInsert {
            model_id: p.model_id.0,
            data: reference.compressed,
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
        transaction!(self, false, |conn| {
            let changed = diesel::update(models::table.find(model_id.0))
                .set((models::has_reference.eq(true), models::updated_at.eq(at)))
                .execute(conn)
                .await?;
            if changed == 0 {
                return Err(TxError::Domain(model_id.not_found()));
            }
            diesel::delete(reference_data::table.find(model_id.0))
                .execute(conn)
                .await?;
            diesel::insert_into(reference_data::table)
                .values(&data)
                .execute(conn)
                .await?;
            diesel::insert_into(reference_uploads::table)
                .values(&upload)
                .execute(conn)
                .await?;
            Ok(())
        })?;
        Ok(reference.profile)
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
