//! `/dashboard/*`: what approvers and platform teams poll, cached with the TTLs of SPEC §3
//! (summary 1 min, compliance 5 min, risk trends 10 min by default) and invalidated by the
//! writes that change them (see `middleware::invalidate`).

use crate::answers::Answers;
use crate::error::{ApiError, ErrorBody};
use crate::extract::CurrentUser;
use actix_web::{HttpResponse, get, web};
use driftguard_app::Services;
use driftguard_cache::CacheClass;
use serde::Deserialize;

/// Models by status and tier, evaluations, compliance, deployments, violations and the average
/// risk score, over each model's latest evaluation.
#[utoipa::path(
    tag = "dashboard",
    responses(
        (status = 200, description = "{models: {total, by_status, by_risk_tier}, evaluations: {total, last_24h}, compliance: {pass, warn, fail, unevaluated}, deployments: {total, last_30d, overrides, blocked}, violations: {drift, fairness, performance, risk}, average_risk_score, generated_at}; X-Cache: HIT or MISS"),
        (status = 401, body = ErrorBody)
    ),
    security(("bearer" = []))
)]
#[get("/dashboard/summary")]
pub async fn summary(
    _signed_in: CurrentUser,
    services: web::Data<Services>,
    answers: web::Data<Answers>,
) -> Result<HttpResponse, ApiError> {
    let answer = answers
        .cache()
        .dashboard_summary(&services.dashboard)
        .await?;
    Ok(answers.reply(CacheClass::DashboardSummary, answer))
}

/// The latest evaluation status of every model, overall and per risk tier.
#[utoipa::path(
    tag = "dashboard",
    responses(
        (status = 200, description = "{overall: {pass, warn, fail, unevaluated}, by_risk_tier: {low: {...}, medium, high, critical}, generated_at}; X-Cache: HIT or MISS"),
        (status = 401, body = ErrorBody)
    ),
    security(("bearer" = []))
)]
#[get("/dashboard/compliance-distribution")]
pub async fn compliance_distribution(
    _signed_in: CurrentUser,
    services: web::Data<Services>,
    answers: web::Data<Answers>,
) -> Result<HttpResponse, ApiError> {
    let answer = answers
        .cache()
        .compliance_distribution(&services.dashboard)
        .await?;
    Ok(answers.reply(CacheClass::ComplianceDistribution, answer))
}

/// The query of `GET /dashboard/risk-trends`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrendParams {
    /// How many days, ending today (UTC): 1–365, default 30.
    #[serde(default = "thirty")]
    #[param(minimum = 1, maximum = 365)]
    pub days: u32,
}

fn thirty() -> u32 {
    30
}

/// Per UTC day, the number of evaluations and their mean and max risk score; days without
/// evaluations included (with `null` scores).
#[utoipa::path(
    tag = "dashboard",
    params(TrendParams),
    responses(
        (status = 200, description = "{days, points: [{date, evaluations, mean_risk_score, max_risk_score}], generated_at}; X-Cache: HIT or MISS"),
        (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody)
    ),
    security(("bearer" = []))
)]
#[get("/dashboard/risk-trends")]
pub async fn risk_trends(
    _signed_in: CurrentUser,
    services: web::Data<Services>,
    answers: web::Data<Answers>,
    query: web::Query<TrendParams>,
) -> Result<HttpResponse, ApiError> {
    let answer = answers
        .cache()
        .risk_trends(&services.dashboard, query.days)
        .await?;
    Ok(answers.reply(CacheClass::RiskTrends, answer))
}
