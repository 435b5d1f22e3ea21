//! `ModelRepository` on the database.

use crate::convert::{from_db, from_json, to_count, to_db, to_json, to_offset};
use crate::error::{corrupt, query_error, unique_as};
use crate::schema::models;
use crate::store::Store;
use async_trait::async_trait;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use driftguard_core::{DomainResult, EvaluationId, ModelId, Page, UserId, now};
use driftguard_registry::{
    LatestEvaluation, Model, ModelPatch, ModelQuery, ModelRepository, ModelSort, NewModel,
};

#[derive(Queryable, Selectable)]
#[diesel(table_name = models)]
pub(crate) struct ModelRow {
    id: i64,
    name: String,
    version: String,
    description: Option<String>,
    task: String,
    risk_tier: String,
    framework: Option<String>,
    tags: String,
    owner_id: i64,
    status: String,
    column_roles: String,
    has_reference: bool,
    latest_evaluation_id: Option<i64>,
    latest_status: Option<String>,
    latest_risk_score: Option<f64>,
    latest_evaluated_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    artifact_digest: Option<String>,
}

impl ModelRow {
    pub(crate) fn into_model(self) -> DomainResult<Model> {
        let latest_evaluation = match (
            self.latest_evaluation_id,
            self.latest_status,
            self.latest_risk_score,
            self.latest_evaluated_at,
        ) {
            (Some(id), Some(status), Some(risk_score), Some(at)) => Some(LatestEvaluation {
                id: EvaluationId(id),
                status,
                risk_score,
                created_at: from_db(at),
            }),
            _ => None,
        };
        Ok(Model {
            id: ModelId(self.id),
            name: self.name,
            version: self.version,
            description: self.description,
            task: self.task.parse().map_err(|e| corrupt("model task", e))?,
            risk_tier: self
                .risk_tier
                .parse()
                .map_err(|e| corrupt("model risk tier", e))?,
            framework: self.framework,
            tags: from_json("model tags", &self.tags)?,
            owner_id: UserId(self.owner_id),
            status: self
                .status
                .parse()
                .map_err(|e| corrupt("model status", e))?,
            columns: from_json("model columns", &self.column_roles)?,
            artifact_digest: self
                .artifact_digest
                .map(|digest| digest.parse())
                .transpose()
                .map_err(|e| corrupt("model artifact digest", e))?,
            has_reference: self.has_reference,
            latest_evaluation,
            created_at: from_db(self.created_at),
            updated_at: from_db(self.updated_at),
        })
    }
}

#[derive(Insertable)]
#[diesel(table_name = models)]
struct ModelInsert {
    name: String,
    name_search: String,
    version: String,
    description: Option<String>,
    task: String,
    risk_tier: String,
    framework: Option<String>,
    tags: String,
    owner_id: i64,
    status: String,
    column_roles: String,
    artifact_digest: Option<String>,
    has_reference: bool,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(AsChangeset)]
#[diesel(table_name = models)]
struct ModelChanges {
    description: Option<Option<String>>,
    task: Option<String>,
    risk_tier: Option<String>,
    framework: Option<Option<String>>,
    tags: Option<String>,
    column_roles: Option<String>,
    artifact_digest: Option<Option<String>>,
    updated_at: NaiveDateTime,
}

/// The models matching a query, as a boxed query for whichever backend the connection is.
macro_rules! matching {
    ($query:expr) => {{
        let query: &ModelQuery = $query;
        let mut q = models::table.into_boxed();
        if let Some(status) = query.status {
            q = q.filter(models::status.eq(status.as_str()));
        }
        if let Some(tier) = query.risk_tier {
            q = q.filter(models::risk_tier.eq(tier.as_str()));
        }
        if let Some(compliance) = query.compliance {
            q = match compliance.latest_status() {
                Some(status) => q.filter(models::latest_status.eq(status)),
                None => q.filter(models::latest_status.is_null()),
            };
        }
        if let Some(text) = &query.name_contains {
            q = q.filter(models::name_search.like(like_pattern(text)).escape('\\'));
        }
        q
    }};
}

/// The lower-cased name `q` searches (Unicode case folding done here, not by the database:
/// SQLite's `lower()` folds only ASCII).
fn name_search(name: &str) -> String {
    name.to_lowercase()
}

/// A LIKE pattern (escape character `\`) matching names that contain `text` literally:
/// `%`, `_` and `\` in `text` match themselves.
fn like_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in name_search(text).chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[async_trait]
impl ModelRepository for Store {
    async fn create(&self, model: NewModel, owner_id: UserId) -> DomainResult<Model> {
        let at = to_db(now());
        let (name, version) = (model.name.clone(), model.version.clone());
        let row = ModelInsert {
            name_search: name_search(&model.name),
            name: model.name,
            version: model.version,
            description: model.description,
            task: model.task.as_str().to_owned(),
            risk_tier: model.risk_tier.as_str().to_owned(),
            framework: model.framework,
            tags: to_json(&model.tags)?,
            owner_id: owner_id.0,
            status: "registered".into(),
            column_roles: to_json(&model.columns)?,
            artifact_digest: model.artifact_digest,
            has_reference: false,
            created_at: at,
            updated_at: at,
        };
        with_conn!(self.database(), |conn| {
            diesel::insert_into(models::table)
                .values(&row)
                .returning(ModelRow::as_returning())
                .get_result(conn)
                .await
                .map_err(|e| {
                    unique_as(e, || {
                        format!("model {name} version {version} is already registered")
                    })
                })?
                .into_model()
        })
    }

    async fn get(&self, id: ModelId) -> DomainResult<Option<Model>> {
        with_conn!(self.database(), |conn| {
            models::table
                .find(id.0)
                .select(ModelRow::as_select())
                .first(conn)
                .await
                .optional()
                .map_err(query_error)?
                .map(ModelRow::into_model)
                .transpose()
        })
    }

    async fn count(&self, query: &ModelQuery) -> DomainResult<u64> {
        with_conn!(self.database(), |conn| {
            let total: i64 = matching!(query)
                .count()
                .get_result(conn)
                .await
                .map_err(query_error)?;
            Ok(to_count(total))
        })
    }

    async fn page(&self, query: &ModelQuery, page: Page) -> DomainResult<Vec<Model>> {
        // The query's order, on the filtered ids and again on the page's rows.
        macro_rules! in_order {
            ($q:expr) => {
                match query.sort {
                    ModelSort::CreatedDesc => {
                        $q.order((models::created_at.desc(), models::id.desc()))
                    }
                    ModelSort::CreatedAsc => $q.order((models::created_at.asc(), models::id.asc())),
                    ModelSort::NameAsc => $q.order((models::name.asc(), models::version.asc())),
                    ModelSort::NameDesc => $q.order((models::name.desc(), models::version.desc())),
                    ModelSort::UpdatedDesc => {
                        $q.order((models::updated_at.desc(), models::id.desc()))
                    }
                }
            };
        }
        with_conn!(self.database(), |conn| {
            // The page's ids in a subquery, its rows around it, in one statement: the ids
            // come from an index-only walk of the order's index (a page deep in the list
            // fetching whole rows as it walked made PostgreSQL sort the table instead: 22 ms
            // against 2 ms at offset 9,000 of 10,000), then each row by its key, and only
            // the page's rows are sorted. One statement, not two: on SQLite each is a trip
            // to the blocking pool, and at 5,000 requests/s the second one cost the server
            // about a fifth of its CPU (docs/performance.md, "API throughput").
            let page_ids = in_order!(matching!(query))
                .offset(to_offset(page.skip()))
                .limit(to_offset(page.limit()))
                .select(models::id);
            in_order!(models::table.into_boxed())
                .filter(models::id.eq_any(page_ids))
                .select(ModelRow::as_select())
                .load(conn)
                .await
                .map_err(query_error)?
                .into_iter()
                .map(ModelRow::into_model)
                .collect::<DomainResult<Vec<_>>>()
        })
    }

    async fn update(&self, id: ModelId, patch: ModelPatch) -> DomainResult<Model> {
        let changes = ModelChanges {
            description: patch.description,
            task: patch.task.map(|t| t.as_str().to_owned()),
            risk_tier: patch.risk_tier.map(|t| t.as_str().to_owned()),
            framework: patch.framework,
            tags: patch.tags.as_ref().map(to_json).transpose()?,
            column_roles: patch.columns.as_ref().map(to_json).transpose()?,
            artifact_digest: patch.artifact_digest,
            updated_at: to_db(now()),
        };
        with_conn!(self.database(), |conn| {
            diesel::update(models::table.find(id.0))
                .set(&changes)
                .returning(ModelRow::as_returning())
                .get_result(conn)
                .await
                .optional()
                .map_err(query_error)?
                .ok_or_else(|| id.not_found())?
                .into_model()
        })
    }

    async fn delete(&self, id: ModelId) -> DomainResult<()> {
        let deleted = with_conn!(self.database(), |conn| {
            diesel::delete(models::table.find(id.0))
                .execute(conn)
                .await
                .map_err(query_error)?
        });
        if deleted == 0 {
            return Err(id.not_found());
        }
        Ok(())
    }
}
