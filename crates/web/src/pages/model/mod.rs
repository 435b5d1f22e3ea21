//! A model version's page: its facts and other versions, deploying it (see [`deploy`], with
//! [`overriding`] and [`retire`]), the latest evaluation (see [`evaluation`]), the
//! evaluation history (risk over time, paged) and the deployment history.

pub mod data;
pub mod deploy;
pub mod evaluation;
pub mod overriding;
pub mod retire;
pub mod what_if;

use actix_web::web;
use driftguard_app::StoredEvaluation;
use driftguard_app::audit::DeploymentRecord;
use driftguard_core::{ModelId, Page};
use driftguard_registry::{Model, ModelQuery, ModelSort};
use maud::{Markup, PreEscaped, html};
use std::collections::BTreeMap;

use crate::charts::{self, TrendPoint};
use serde::Deserialize;

use crate::errors::UiError;
use crate::fields::error_summary;
use crate::layout::{self, Nav};
use crate::pages::override_requests;
use crate::session::Viewer;
use crate::state::Ui;
use crate::widgets::{lifecycle_badge, link, maybe, pager, risk_badge, status_badge, when};

/// Rows of the evaluation history a page.
const HISTORY_PAGE: u64 = 10;
/// Other versions listed (the registry's largest page).
const VERSIONS_SHOWN: u64 = 100;

/// The model page's query: the page of its evaluation history, and what a form just did
/// ([`crate::notice`]).
#[derive(Debug, Default, Deserialize)]
pub struct ModelPageQuery {
    /// Evaluations skipped.
    #[serde(default)]
    pub evaluations_skip: u64,
    /// The record a form's action left.
    #[serde(default)]
    pub done: Option<String>,
}

/// `GET /ui/models/{id}`.
pub async fn handler(
    viewer: Viewer,
    ui: web::Data<Ui>,
    id: web::Path<ModelId>,
    query: web::Query<ModelPageQuery>,
) -> Result<Markup, UiError> {
    render(&ui, &viewer, id.into_inner(), &query).await
}

/// The page of model version `id`.
pub async fn render(
    ui: &Ui,
    viewer: &Viewer,
    id: ModelId,
    query: &ModelPageQuery,
) -> Result<Markup, UiError> {
    render_with(ui, viewer, id, query, &deploy::DeployForm::default()).await
}

/// The page with the deploy form as last sent (and what was refused in it).
pub(crate) async fn render_with(
    ui: &Ui,
    viewer: &Viewer,
    id: ModelId,
    query: &ModelPageQuery,
    deploy_form: &deploy::DeployForm,
) -> Result<Markup, UiError> {
    let services = &ui.services;
    let model = services.models.get(id).await?;
    let history_page = Page::new(query.evaluations_skip.min(i64::MAX as u64), HISTORY_PAGE)
        .map_err(UiError::Invalid)?;
    let versions_query = ModelQuery {
        name_contains: Some(model.name.clone()),
        sort: ModelSort::NameAsc,
        ..ModelQuery::default()
    };
    // The deploy panel judges the latest evaluation shown below by the policies active now
    // (a deploy would be decided on the same): read once, for both.
    let latest_and_governance = async {
        let latest = match &model.latest_evaluation {
            Some(l) => Some(services.evaluations.get_evaluation(l.id).await?),
            None => None,
        };
        let governance = services
            .deployments
            .preview(&model, latest.as_ref())
            .await?;
        Ok::<_, driftguard_core::DomainError>((latest, governance))
    };
    let (
        (latest, governance),
        (history, history_total),
        (versions, _),
        (deployments, deployments_total),
        (pending, pending_total),
        notice,
    ) = futures_util::try_join!(
        latest_and_governance,
        services.evaluations.list_evaluations(id, history_page),
        services.models.list(
            &versions_query,
            Page::new(0, VERSIONS_SHOWN).map_err(UiError::Invalid)?
        ),
        services.audit.list_for_model(id, Page::default()),
        override_requests::pending(ui, Some(id)),
        crate::notice::message(ui, viewer, query.done.as_deref()),
    )?;
    let approvals = services.overrides.settings().approvals.of(model.risk_tier);
    let back = format!("{}/models/{}", crate::BASE, model.id);
    let title = format!("{} {}", model.name, model.version);
    Ok(layout::page(
        viewer,
        Nav::Models,
        &title,
        html! {
            nav aria-label="Breadcrumb" { a href={ (crate::BASE) "/models" } { "Models" } " / " (title) }
            h1 { (model.name) " " span.version { (model.version) } }
            (notice)
            (error_summary("Nothing was deployed", &deploy::located("deploy", &deploy_form.errors)))
            p { a #data-link href={ (crate::BASE) "/models/" (model.id) "/data" } { "Upload reference data or evaluate a file" } }
            (facts(&model))
            (deploy::section(viewer, &model, &governance, approvals, deploy_form))
            (override_requests::section(viewer, &pending, pending_total, &back))
            (other_versions(&model, &versions))
            section aria-labelledby="latest" {
                h2 #latest { "Latest evaluation" }
                @match &latest {
                    Some(e) => { p.muted { "Evaluation " (e.id) ", " (when(e.created_at)) "." } (evaluation::sections(&e.body)) },
                    None => p #no-evaluation { "Not evaluated yet. Upload reference data, then post current data to "
                        code { "POST /models/" (model.id) "/evaluations" } "." },
                }
            }
            section aria-labelledby="what-if-title" {
                h2 #what-if-title { "What if…" }
                p { "Change a column of the reference data and see how this model would be judged." }
                (what_if::form(viewer, model.id, &what_if::WhatIfQuery::default(), &[]))
            }
            (history_section(&model, &history, history_total, history_page))
            (deployments_section(&model, &deployments, deployments_total))
        },
    ))
}

/// The breadcrumb of a page under a model's: Models / the model / `step`.
pub(crate) fn breadcrumb(model: &Model, step: &str) -> Markup {
    html! {
        nav aria-label="Breadcrumb" {
            a href={ (crate::BASE) "/models" } { "Models" } " / "
            a href={ (crate::BASE) "/models/" (model.id) } { (model.name) " " (model.version) } " / " (step)
        }
    }
}

fn facts(model: &Model) -> Markup {
    let c = &model.columns;
    html! {
        section aria-labelledby="facts" {
            h2 #facts.visually-hidden { "Facts" }
            dl.facts {
                dt { "State" } dd { (lifecycle_badge(model.status.as_str())) }
                dt { "Task" } dd { (model.task.as_str()) }
                dt { "Risk tier" } dd { (model.risk_tier.as_str()) }
                dt { "Framework" } dd { (model.framework.as_deref().unwrap_or("—")) }
                dt { "Owner" } dd { "user " (model.owner_id) }
                dt { "Tags" } dd { @if model.tags.is_empty() { "—" } @else { (model.tags.join(", ")) } }
                dt { "Columns" } dd {
                    "prediction " code { (c.prediction.as_deref().unwrap_or("—")) }
                    ", label " code { (c.label.as_deref().unwrap_or("—")) }
                    ", score " code { (c.score.as_deref().unwrap_or("—")) }
                    ", sensitive " code { @if c.sensitive.is_empty() { "—" } @else { (c.sensitive.join(", ")) } }
                }
                dt { "Artefact digest" } dd {
                    @match &model.artifact_digest {
                        Some(digest) => code.hash { (digest) },
                        None => "—",
                    }
                }
                dt { "Reference data" } dd { @if model.has_reference { "uploaded" } @else { "none yet" } }
                dt { "Registered" } dd { (when(model.created_at)) }
                dt { "Changed" } dd { (when(model.updated_at)) }
            }
            @if let Some(d) = &model.description { p { (d) } }
        }
    }
}

fn other_versions(model: &Model, versions: &[Model]) -> Markup {
    let others: Vec<&Model> = versions
        .iter()
        .filter(|v| v.name == model.name && v.id != model.id)
        .collect();
    html! {
        section aria-labelledby="versions" {
            h2 #versions { "Other versions" }
            @if others.is_empty() { p { "This is the only version." } } @else {
                table #versions-table {
                    thead { tr { th scope="col" { "Version" } th scope="col" { "State" } th scope="col" { "Latest result" } th scope="col" { "Registered" } } }
                    tbody { @for v in others {
                        tr {
                            th scope="row" { a href={ (crate::BASE) "/models/" (v.id) } { (v.version) } }
                            td { (lifecycle_badge(v.status.as_str())) }
                            td { (status_badge(v.latest_evaluation.as_ref().map(|l| l.status.as_str()))) }
                            td { (when(v.created_at)) }
                        }
                    } }
                }
            }
        }
    }
}

fn history_section(model: &Model, history: &[StoredEvaluation], total: u64, page: Page) -> Markup {
    let href = |skip: u64| {
        link(
            &format!("{}/models/{}", crate::BASE, model.id),
            &[(
                "evaluations_skip",
                if skip == 0 {
                    String::new()
                } else {
                    skip.to_string()
                },
            )],
        ) + "#history"
    };
    html! {
        section aria-labelledby="history" {
            h2 #history { "Evaluation history" }
            @if history.is_empty() { p { "No evaluation yet." } } @else {
                (PreEscaped(risk_over_time(history).svg))
                table #history-table {
                    caption { "Risk over time, newest first" }
                    thead { tr { th scope="col" { "When" } th scope="col" { "Result" } th scope="col" { "Risk" } th scope="col" { "Drifted columns" } } }
                    tbody { @for e in history {
                        tr {
                            th scope="row" { (when(e.created_at)) }
                            td { (status_badge(e.status().map(|s| s.as_str()))) }
                            td { (risk_badge(risk(e))) }
                            td.num { (maybe(e.body.get("drift").and_then(|d| d.get("drifted_columns")).and_then(|n| n.as_f64()), 0)) }
                        }
                    } }
                }
                (pager(page, total, href))
            }
        }
    }
}

/// The risk score an evaluation recorded.
pub(crate) fn risk(e: &StoredEvaluation) -> Option<f64> {
    e.body
        .get("risk")
        .and_then(|r| r.get("score"))
        .and_then(|s| s.as_f64())
}

/// The risk of the evaluations listed, per day (mean and max), oldest first; the table
/// below the chart has every evaluation's number.
fn risk_over_time(history: &[StoredEvaluation]) -> charts::Chart {
    let mut days: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for e in history {
        let scores = days
            .entry(e.created_at.date_naive().to_string())
            .or_default();
        scores.extend(risk(e));
    }
    let points: Vec<TrendPoint> = days
        .into_iter()
        .map(|(date, scores)| TrendPoint {
            date,
            evaluations: scores.len() as u64,
            mean: (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64),
            max: scores.iter().copied().reduce(f64::max),
        })
        .collect();
    charts::trend(
        "history-risk",
        "Risk score of the evaluations listed below, per day",
        &points,
        100.0,
    )
}

fn deployments_section(model: &Model, rows: &[DeploymentRecord], total: u64) -> Markup {
    html! {
        section aria-labelledby="deployments" {
            h2 #deployments { "Deployment history" }
            @if rows.is_empty() { p { "Never deployed." } } @else {
                table #deployments-table {
                    caption { "The latest " (rows.len()) " of " (total) " attempts; "
                        a href=(link(&format!("{}/audit", crate::BASE), &[("model_id", model.id.to_string())])) { "all in the audit log" } }
                    thead { tr { th scope="col" { "When" } th scope="col" { "Outcome" } th scope="col" { "Environment" } th scope="col" { "Status change" } th scope="col" { "Override" } } }
                    tbody { @for r in rows {
                        tr {
                            th scope="row" { (when(r.entry.deployed_at)) }
                            td { (crate::widgets::outcome_badge(r.entry.outcome.as_str())) }
                            td { (r.entry.environment) }
                            td { (r.entry.previous_status) " → " (r.entry.new_status) }
                            td { @if r.entry.override_used { "yes: " (r.entry.override_reason.as_deref().unwrap_or("")) } @else { "no" } }
                        }
                    } }
                }
            }
        }
    }
}
