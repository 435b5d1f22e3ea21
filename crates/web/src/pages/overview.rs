//! The overview: summary cards (each a link to the list it counts), compliance by risk tier,
//! the risk trend over 30 days (days without evaluations shown as gaps) and violations by
//! type. Its numbers are the API's `/dashboard/*` answers, read from the same cache.

use actix_web::web;
use chrono::{SecondsFormat, TimeDelta};
use driftguard_app::dashboard::{ComplianceDistribution, DashboardSummary, RiskTrends};
use driftguard_cache::CacheClass;
use driftguard_registry::Compliance;
use maud::{Markup, PreEscaped, html};

use crate::charts::{self, Series, StackedRow, Tone, TrendPoint};

use crate::errors::UiError;
use crate::layout::{self, Nav};
use crate::pages::audit;
use crate::pages::override_requests;
use crate::session::Viewer;
use crate::state::Ui;
use crate::widgets::fixed;
use serde::Deserialize;

/// Days of the risk trend.
const TREND_DAYS: u32 = 30;

/// The overview's query: what a form just did ([`crate::notice`]).
#[derive(Debug, Default, Deserialize)]
pub struct OverviewQuery {
    /// The record the form's action left.
    #[serde(default)]
    pub done: Option<String>,
}

/// `GET /ui`.
pub async fn handler(
    viewer: Viewer,
    ui: web::Data<Ui>,
    query: web::Query<OverviewQuery>,
) -> Result<Markup, UiError> {
    render_with(&ui, &viewer, query.done.as_deref()).await
}

/// The overview for `viewer`.
pub async fn render(ui: &Ui, viewer: &Viewer) -> Result<Markup, UiError> {
    render_with(ui, viewer, None).await
}

/// The overview for `viewer`, with the status message of what a form did (`done`).
pub async fn render_with(ui: &Ui, viewer: &Viewer, done: Option<&str>) -> Result<Markup, UiError> {
    let dashboard = &ui.services.dashboard;
    let notice = crate::notice::message(ui, viewer, done).await?;
    let (summary, compliance, trends, (pending, pending_total)) = futures_util::try_join!(
        ui.cache.dashboard_summary(dashboard),
        ui.cache.compliance_distribution(dashboard),
        ui.cache.risk_trends(dashboard, TREND_DAYS),
        override_requests::pending(ui, None),
    )?;
    let summary = ui.counted(CacheClass::DashboardSummary, summary);
    let compliance = ui.counted(CacheClass::ComplianceDistribution, compliance);
    let trends = ui.counted(CacheClass::RiskTrends, trends);
    Ok(layout::page(
        viewer,
        Nav::Overview,
        "Overview",
        html! {
            h1 { "Overview" }
            (notice)
            p.muted { "As of " (crate::widgets::when(summary.generated_at)) ". "
                (summary.models.total) " model versions, "
                (summary.evaluations.total) " evaluations (" (summary.evaluations.last_24h) " in the last 24 hours)." }
            (cards(&summary))
            (override_requests::section(viewer, &pending, pending_total, crate::BASE))
            (by_tier(&compliance))
            (trend(&trends))
            (violations(&summary))
        },
    ))
}

fn models_link(pairs: &[(&str, String)]) -> String {
    crate::widgets::link(&format!("{}/models", crate::BASE), pairs)
}

fn audit_link(pairs: &[(&str, String)]) -> String {
    crate::widgets::link(&format!("{}/audit", crate::BASE), pairs)
}

fn card(id: &str, label: &str, value: u64, href: Option<&str>, class: &str) -> Markup {
    let inside = html! { span.card-value { (value) } span.card-label { (label) } };
    html! {
        li class={ "card " (class) } {
            @if let Some(href) = href { a id=(id) href=(href) { (inside) } }
            @else { span id=(id) { (inside) } }
        }
    }
}

fn cards(summary: &DashboardSummary) -> Markup {
    let status_count = |s: &str| summary.models.by_status.get(s).copied().unwrap_or(0);
    let c = &summary.compliance;
    let d = &summary.deployments;
    // The summary's window, to the second (the summary counts from `generated_at`).
    let since_30_days = summary.generated_at - TimeDelta::days(30);
    html! {
        section aria-labelledby="cards-models" {
            h2 #cards-models { "Models by status" }
            ul.cards {
                @for status in ["registered", "deployed", "superseded", "retired"] {
                    (card(&format!("card-status-{status}"), status, status_count(status),
                        Some(&models_link(&[("status", status.to_owned())])), "card-state"))
                }
            }
        }
        section aria-labelledby="cards-compliance" {
            h2 #cards-compliance { "Compliance of each model's latest evaluation" }
            ul.cards {
                @for (compliance, count, label, class) in [
                    (Compliance::Pass, c.pass, "pass", "card-pass"),
                    (Compliance::Warn, c.warn, "warn", "card-warn"),
                    (Compliance::Fail, c.fail, "fail", "card-fail"),
                    (Compliance::Unevaluated, c.unevaluated, "not evaluated", "card-none"),
                ] {
                    (card(&format!("card-{}", compliance.as_str()), label, count,
                        Some(&models_link(&[("compliance", compliance.as_str().to_owned())])), class))
                }
            }
        }
        section aria-labelledby="cards-deployments" {
            h2 #cards-deployments { "Deployments" }
            ul.cards {
                (card("card-deployments-30d", "deployed in 30 days", d.last_30d, Some(&audit_link(&[
                    ("outcome", audit::WENT_LIVE.into()),
                    ("since", since_30_days.to_rfc3339_opts(SecondsFormat::Secs, true)),
                ])), "card-state"))
                (card("card-overrides", "overrides", d.overrides, Some(&audit_link(&[("outcome", "overridden".into())])), "card-warn"))
                (card("card-blocked", "blocked attempts", d.blocked, Some(&audit_link(&[("outcome", "blocked".into())])), "card-fail"))
            }
        }
    }
}

fn by_tier(distribution: &ComplianceDistribution) -> Markup {
    let series = [
        ("pass", Tone::Good),
        ("warn", Tone::Warning),
        ("fail", Tone::Bad),
        ("not evaluated", Tone::Neutral),
    ]
    .map(|(name, tone)| Series {
        name: name.to_owned(),
        tone,
    });
    let rows: Vec<StackedRow> = distribution
        .by_risk_tier
        .iter()
        .map(|(tier, c)| StackedRow {
            label: tier.clone(),
            counts: vec![c.pass, c.warn, c.fail, c.unevaluated],
        })
        .collect();
    let chart = charts::stacked_bars(
        "compliance-by-tier",
        "Latest status of the models of each risk tier",
        "Risk tier",
        &series,
        &rows,
    );
    html! {
        section aria-labelledby="by-tier" {
            h2 #by-tier { "Compliance by risk tier" }
            (PreEscaped(chart.html()))
            p { "Models of a tier: "
                @for (tier, _) in &distribution.by_risk_tier {
                    a href=(models_link(&[("risk_tier", tier.clone())])) { (tier) } " "
                }
            }
        }
    }
}

fn trend(trends: &RiskTrends) -> Markup {
    let points: Vec<TrendPoint> = trends
        .points
        .iter()
        .map(|p| TrendPoint {
            date: p.date.to_string(),
            evaluations: p.evaluations,
            mean: p.mean_risk_score,
            max: p.max_risk_score,
        })
        .collect();
    let chart = charts::trend(
        "risk-trend-chart",
        "Mean and maximum risk score per day",
        &points,
        100.0,
    );
    html! {
        section aria-labelledby="risk-trend" {
            h2 #risk-trend { "Risk over the last " (trends.days) " days" }
            (PreEscaped(chart.svg))
            details {
                summary { "Risk per day, in numbers (a day without evaluations is a gap)" }
                (PreEscaped(chart.table))
            }
        }
    }
}

fn violations(summary: &DashboardSummary) -> Markup {
    let v = &summary.violations;
    html! {
        section aria-labelledby="violations" {
            h2 #violations { "Violations by type" }
            p.muted { "Rules broken by each model's latest evaluation. Average risk score: "
                (summary.average_risk_score.map_or_else(|| "none yet".to_owned(), |s| fixed(s, 1))) "." }
            table #violations-by-type {
                thead { tr { th scope="col" { "Type" } th scope="col" { "Violations" } } }
                tbody {
                    tr { th scope="row" { "drift" } td.num { (v.drift) } }
                    tr { th scope="row" { "fairness" } td.num { (v.fairness) } }
                    tr { th scope="row" { "performance" } td.num { (v.performance) } }
                    tr { th scope="row" { "risk" } td.num { (v.risk) } }
                }
            }
        }
    }
}
