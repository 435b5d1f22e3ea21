//! `EvaluationRepository` on the database: the evaluation row, the model's latest
//! evaluation summary (its metric map included) and, for a `fail` or `warn`, the webhook
//! outbox rows, written in one transaction.

use crate::convert::{from_db, from_json, to_count, to_db, to_json, to_offset};
use crate::error::{corrupt, query_error};
use crate::schema::{evaluations, models};
use crate::store::Store;
use crate::tx::TxError;
use async_trait::async_trait;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use driftguard_app::webhooks::event::{ModelRef, OutboxEvent};
use driftguard_app::{EvaluationRepository, LatestMetrics, NewEvaluation, StoredEvaluation};
use driftguard_core::{DomainError, DomainResult, EvaluationId, ModelId, Page, UserId};
use driftguard_governance::MetricMap;

#[derive(Queryable, Selectable)]
#[diesel(table_name = evaluations)]
struct EvaluationRow {
    id: i64,
    model_id: i64,
    result: String,
    created_by: i64,
    created_at: NaiveDateTime,
}

impl EvaluationRow {
    fn into_stored(self) -> DomainResult<StoredEvaluation> {
        Ok(StoredEvaluation {
            id: EvaluationId(self.id),
            model_id: ModelId(self.model_id),
            created_at: from_db(self.created_at),
            created_by: UserId(self.created_by),
            body: from_json("evaluation", &self.result)?,
        })
    }
}

#[derive(Insertable)]
#[diesel(table_name = evaluations)]
struct EvaluationInsert {
    model_id: i64,
    status: String,
    risk_score: f64,
    result: String,
    policy_versions: String,
    created_by: i64,
    created_at: NaiveDateTime,
}

fn stored(rows: Vec<EvaluationRow>) -> DomainResult<Vec<StoredEvaluation>> {
    rows.into_iter().map(EvaluationRow::into_stored).collect()
}

#[async_trait]
impl EvaluationRepository for Store {
    async fn record(&self, e: NewEvaluation) -> DomainResult<StoredEvaluation> {
        let at = to_db(e.created_at);
        let judgement = e.status;
        let status = judgement.as_str();
        let row = EvaluationInsert {
            model_id: e.model_id.0,
            status: status.to_owned(),
            risk_score: e.risk_score,
            result: to_json(&e.body)?,
            policy_versions: to_json(&e.policy_versions)?,
            created_by: e.created_by.0,
            created_at: at,
        };
        let model_id = e.model_id;
        let violations = e.violations;
        // Only the map policies judge, so that a policy simulation need not read the body.
        let metrics = match e.body.get("metrics") {
            Some(metrics) => to_json(metrics)?,
            None => "{}".to_owned(),
        };
        let id: i64 = transaction!(self, false, |conn| {
            let found: Option<(String, String)> = models::table
                .find(model_id.0)
                .select((models::name, models::version))
                .first(conn)
                .await
                .optional()?;
            let Some((name, version)) = found else {
                return Err(TxError::Domain(model_id.not_found()));
            };
            let id: i64 = diesel::insert_into(evaluations::table)
                .values(&row)
                .returning(evaluations::id)
                .get_result(conn)
                .await?;
            // The model's latest is the newest by (time, id), as `latest_for_model` orders:
            // an evaluation that started first but commits last (or one recorded back in
            // time) is history, not the latest. Ids only grow, so on equal times the new
            // row wins, as it does there. Without this the two disagreed and every deploy
            // of the model was refused as "evaluated again" until its next evaluation.
            diesel::update(
                models::table.find(model_id.0).filter(
                    models::latest_evaluated_at
                        .is_null()
                        .or(models::latest_evaluated_at.le(at)),
                ),
            )
            .set((
                models::latest_evaluation_id.eq(id),
                models::latest_status.eq(status),
                models::latest_risk_score.eq(row.risk_score),
                models::latest_evaluated_at.eq(at),
                models::latest_drift_violations.eq(to_offset(violations.drift)),
                models::latest_fairness_violations.eq(to_offset(violations.fairness)),
                models::latest_performance_violations.eq(to_offset(violations.performance)),
                models::latest_risk_violations.eq(to_offset(violations.risk)),
                models::latest_metrics.eq(&metrics),
            ))
            .execute(conn)
            .await?;
            let model = ModelRef {
                id: model_id,
                name: &name,
                version: &version,
            };
            let judged = EvaluationId(id);
            if let Some(event) = OutboxEvent::evaluation_judged(
                judged,
                model,
                judgement,
                row.risk_score,
                &violations,
            ) {
                let _ = enqueue!(conn, event);
            }
            Ok(id)
        })?;
        Ok(StoredEvaluation {
            id: EvaluationId(id),
            model_id,
            created_at: e.created_at,
            created_by: e.created_by,
            body: e.body,
        })
    }

    async fn get(&self, id: EvaluationId) -> DomainResult<Option<StoredEvaluation>> {
        let row: Option<EvaluationRow> = with_conn!(self.database(), |conn| {
            evaluations::table
                .find(id.0)
                .select(EvaluationRow::as_select())
                .first(conn)
                .await
                .optional()
                .map_err(query_error)?
        });
        row.map(EvaluationRow::into_stored).transpose()
    }

    async fn list_for_model(
        &self,
        model_id: ModelId,
        page: Page,
    ) -> DomainResult<(Vec<StoredEvaluation>, u64)> {
        let (rows, total): (Vec<EvaluationRow>, i64) = with_conn!(self.database(), |conn| {
            let total: i64 = evaluations::table
                .filter(evaluations::model_id.eq(model_id.0))
                .count()
                .get_result(conn)
                .await
                .map_err(query_error)?;
            let rows = evaluations::table
                .filter(evaluations::model_id.eq(model_id.0))
                .order((evaluations::created_at.desc(), evaluations::id.desc()))
                .offset(to_offset(page.skip()))
                .limit(to_offset(page.limit()))
                .select(EvaluationRow::as_select())
                .load(conn)
                .await
                .map_err(query_error)?;
            (rows, total)
        });
        Ok((stored(rows)?, to_count(total)))
    }

    async fn latest_for_model(&self, model_id: ModelId) -> DomainResult<Option<StoredEvaluation>> {
        let (mut page, _) = self
            .list_for_model(model_id, Page::new(0, 1).map_err(DomainError::internal)?)
            .await?;
        Ok(page.pop())
    }

    async fn latest_metrics(&self) -> DomainResult<Vec<LatestMetrics>> {
        type Row = (i64, String, String, String, Option<i64>, Option<String>);
        let rows: Vec<Row> = with_conn!(self.database(), |conn| {
            models::table
                .filter(models::latest_evaluation_id.is_not_null())
                .order(models::id)
                .select((
                    models::id,
                    models::name,
                    models::version,
                    models::risk_tier,
                    models::latest_evaluation_id,
                    models::latest_metrics,
                ))
                .load(conn)
                .await
                .map_err(query_error)?
        });
        rows.into_iter()
            .map(|(model_id, name, version, tier, evaluation, metrics)| {
                let metrics: MetricMap = match metrics {
                    Some(text) => from_json("latest metrics", &text)?,
                    None => MetricMap::new(),
                };
                Ok(LatestMetrics {
                    model_id: ModelId(model_id),
                    name,
                    version,
                    risk_tier: tier.parse().map_err(|e| corrupt("model risk tier", e))?,
                    evaluation_id: EvaluationId(evaluation.unwrap_or_default()),
                    metrics,
                })
            })
            .collect()
    }
}
