//! `DashboardRepository` on the database: GROUP BY queries over `models` (whose `latest_*`
//! columns carry each model's latest evaluation), `evaluations` and `deployment_history`,
//! written once for both backends.

use crate::convert::{to_count, to_db};
use crate::error::{corrupt, query_error};
use crate::schema::{deployment_history, evaluations, models};
use crate::store::Store;
use async_trait::async_trait;
use chrono::NaiveDate;
use diesel::dsl::{avg, count_star, max, sql, sum};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Nullable};
use diesel_async::RunQueryDsl;
use driftguard_app::{
    DailyRisk, DashboardRepository, DeploymentTally, EvaluationCounts, ModelTally, ViolationCounts,
};
use driftguard_core::{DomainResult, Timestamp};
use std::collections::BTreeMap;

/// One group of models: status, tier, latest status, count, risk sum, violations by type.
type TallyRow = (
    String,
    String,
    Option<String>,
    i64,
    Option<f64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

/// `SUM` of an integer column as a BIGINT on both backends (diesel types PostgreSQL's integer
/// sum as NUMERIC, which would need a decimal type for what is a plain count).
macro_rules! integer_sum {
    ($column:literal) => {
        sql::<Nullable<BigInt>>(concat!("CAST(SUM(", $column, ") AS BIGINT)"))
    };
}

fn tally(row: TallyRow) -> DomainResult<ModelTally> {
    let (status, tier, latest, models, risk_sum, drift, fairness, performance, risk) = row;
    let count = |n: Option<i64>| to_count(n.unwrap_or(0));
    Ok(ModelTally {
        status: status.parse().map_err(|e| corrupt("model status", e))?,
        risk_tier: tier.parse().map_err(|e| corrupt("model risk tier", e))?,
        latest_status: latest
            .map(|s| s.parse().map_err(|e| corrupt("evaluation status", e)))
            .transpose()?,
        models: to_count(models),
        risk_score_sum: risk_sum.unwrap_or(0.0),
        violations: ViolationCounts {
            drift: count(drift),
            fairness: count(fairness),
            performance: count(performance),
            risk: count(risk),
        },
    })
}

#[async_trait]
impl DashboardRepository for Store {
    async fn model_tallies(&self) -> DomainResult<Vec<ModelTally>> {
        let rows: Vec<TallyRow> = with_conn!(self.database(), |conn| {
            models::table
                .group_by((models::status, models::risk_tier, models::latest_status))
                .select((
                    models::status,
                    models::risk_tier,
                    models::latest_status,
                    count_star(),
                    sum(models::latest_risk_score),
                    integer_sum!("latest_drift_violations"),
                    integer_sum!("latest_fairness_violations"),
                    integer_sum!("latest_performance_violations"),
                    integer_sum!("latest_risk_violations"),
                ))
                .load(conn)
                .await
                .map_err(query_error)?
        });
        rows.into_iter().map(tally).collect()
    }

    async fn evaluation_counts(&self, since: Timestamp) -> DomainResult<EvaluationCounts> {
        let since = to_db(since);
        let (total, recent): (i64, i64) = with_conn!(self.database(), |conn| {
            let total = evaluations::table
                .count()
                .get_result(conn)
                .await
                .map_err(query_error)?;
            let recent = evaluations::table
                .filter(evaluations::created_at.ge(since))
                .count()
                .get_result(conn)
                .await
                .map_err(query_error)?;
            (total, recent)
        });
        Ok(EvaluationCounts {
            total: to_count(total),
            since: to_count(recent),
        })
    }

    async fn deployment_tallies(&self, since: Timestamp) -> DomainResult<Vec<DeploymentTally>> {
        let since = to_db(since);
        let (all, recent): (Vec<(String, i64)>, Vec<(String, i64)>) =
            with_conn!(self.database(), |conn| {
                let all = deployment_history::table
                    .group_by(deployment_history::outcome)
                    .select((deployment_history::outcome, count_star()))
                    .load(conn)
                    .await
                    .map_err(query_error)?;
                let recent = deployment_history::table
                    .filter(deployment_history::deployed_at.ge(since))
                    .group_by(deployment_history::outcome)
                    .select((deployment_history::outcome, count_star()))
                    .load(conn)
                    .await
                    .map_err(query_error)?;
                (all, recent)
            });
        let recent: BTreeMap<String, i64> = recent.into_iter().collect();
        all.into_iter()
            .map(|(outcome, total)| {
                Ok(DeploymentTally {
                    since: to_count(recent.get(&outcome).copied().unwrap_or(0)),
                    outcome: outcome
                        .parse()
                        .map_err(|e| corrupt("deployment outcome", e))?,
                    total: to_count(total),
                })
            })
            .collect()
    }

    async fn daily_risk(&self, since: Timestamp) -> DomainResult<Vec<DailyRisk>> {
        let since = to_db(since);
        // `date()` is a function on both backends (SQLite's date and time function, giving
        // `YYYY-MM-DD` text; PostgreSQL's function-style cast, giving a date), and diesel
        // reads both as a date, whatever PostgreSQL's DateStyle.
        let day = || sql::<Date>("date(created_at)");
        let rows: Vec<(NaiveDate, i64, Option<f64>, Option<f64>)> =
            with_conn!(self.database(), |conn| {
                evaluations::table
                    .filter(evaluations::created_at.ge(since))
                    .group_by(day())
                    .select((
                        day(),
                        count_star(),
                        avg(evaluations::risk_score),
                        max(evaluations::risk_score),
                    ))
                    .load(conn)
                    .await
                    .map_err(query_error)?
            });
        let mut days = rows
            .into_iter()
            .map(|(date, evaluations, mean, max)| DailyRisk {
                date,
                evaluations: to_count(evaluations),
                mean_risk_score: mean.unwrap_or(0.0),
                max_risk_score: max.unwrap_or(0.0),
            })
            .collect::<Vec<_>>();
        days.sort_by_key(|d| d.date);
        Ok(days)
    }
}
