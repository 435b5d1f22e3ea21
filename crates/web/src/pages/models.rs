//! The model table: 10 a page through the API's pagination, filters (status, tier,
//! compliance, text)
//! and the sort in the query string, so that a view is a link to share.

use actix_web::web;
use driftguard_cache::ModelPage;
use driftguard_core::{Page, RiskTier};
use driftguard_registry::{Compliance, Model, ModelQuery, ModelSort, ModelStatus};
use maud::{Markup, html};
use serde::Deserialize;

use crate::errors::UiError;
use crate::layout::{self, Nav};
use crate::session::Viewer;
use crate::state::Ui;
use crate::widgets::{lifecycle_badge, link, pager, risk_badge, sort_header, status_badge, when};

/// Rows a page.
pub const PAGE_SIZE: u64 = 10;

/// The model table's query string; every field is optional and empty means "any".
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ModelsQuery {
    /// `registered`, `deployed`, `superseded` or `retired`.
    #[serde(default)]
    pub status: String,
    /// `low`, `medium`, `high` or `critical`.
    #[serde(default)]
    pub risk_tier: String,
    /// `pass`, `warn`, `fail` or `unevaluated`: the latest evaluation's result.
    #[serde(default)]
    pub compliance: String,
    /// Text the name contains.
    #[serde(default)]
    pub q: String,
    /// `name`, `-name`, `created_at`, `-created_at` (default) or `-updated_at`.
    #[serde(default)]
    pub sort: String,
    /// Rows skipped.
    #[serde(default)]
    pub skip: u64,
}

impl ModelsQuery {
    fn pairs(&self, sort: &str, skip: u64) -> Vec<(&'static str, String)> {
        vec![
            ("status", self.status.clone()),
            ("risk_tier", self.risk_tier.clone()),
            ("compliance", self.compliance.clone()),
            ("q", self.q.clone()),
            ("sort", sort.to_owned()),
            (
                "skip",
                if skip == 0 {
                    String::new()
                } else {
                    skip.to_string()
                },
            ),
        ]
    }

    fn href(&self, sort: &str, skip: u64) -> String {
        link(&format!("{}/models", crate::BASE), &self.pairs(sort, skip))
    }

    /// The registry's query, or what is wrong with the query string.
    fn model_query(&self) -> Result<(ModelQuery, Page), UiError> {
        let invalid = |field: &str, e: String| UiError::Invalid(format!("{field}: {e}"));
        let status = (!self.status.is_empty())
            .then(|| self.status.parse::<ModelStatus>())
            .transpose()
            .map_err(|e| invalid("status", e))?;
        let risk_tier = (!self.risk_tier.is_empty())
            .then(|| self.risk_tier.parse::<RiskTier>())
            .transpose()
            .map_err(|e| invalid("risk_tier", e.to_string()))?;
        let compliance = (!self.compliance.is_empty())
            .then(|| self.compliance.parse::<Compliance>())
            .transpose()
            .map_err(|e| invalid("compliance", e))?;
        let sort = if self.sort.is_empty() {
            ModelSort::default()
        } else {
            self.sort.parse().map_err(|e| invalid("sort", e))?
        };
        let text = self.q.trim();
        let query = ModelQuery {
            status,
            risk_tier,
            compliance,
            name_contains: (!text.is_empty()).then(|| text.to_owned()),
            sort,
        };
        let page =
            Page::new(self.skip.min(i64::MAX as u64), PAGE_SIZE).map_err(|e| invalid("skip", e))?;
        Ok((query, page))
    }
}

/// `GET /ui/models`.
pub async fn handler(
    viewer: Viewer,
    ui: web::Data<Ui>,
    query: web::Query<ModelsQuery>,
) -> Result<Markup, UiError> {
    render(&ui, &viewer, &query).await
}

/// The model table for `viewer` with `query`.
pub async fn render(ui: &Ui, viewer: &Viewer, query: &ModelsQuery) -> Result<Markup, UiError> {
    let (model_query, page) = query.model_query()?;
    // From the answer cache the API's list uses too.
    let ModelPage { models, total } = ui
        .cache
        .model_page(&ui.services.models, &model_query, page, &|class, lookup| {
            ui.count(class, lookup)
        })
        .await?;
    let sort = model_query.sort.as_str();
    let filtered = model_query
        != ModelQuery {
            sort: model_query.sort,
            ..ModelQuery::default()
        };
    Ok(layout::page(
        viewer,
        Nav::Models,
        "Models",
        html! {
            h1 { "Models" }
            (filters(query))
            @if models.is_empty() {
                (empty_state(filtered))
            } @else {
                table #models-table {
                    caption { (total) " model versions" @if filtered { " match these filters" } }
                    thead { tr {
                        (sort_header("Name", "name", sort, |s| query.href(s, 0)))
                        th scope="col" { "Version" }
                        th scope="col" { "Tier" }
                        th scope="col" { "State" }
                        th scope="col" { "Latest result" }
                        th scope="col" { "Risk" }
                        (sort_header("Registered", "created_at", sort, |s| query.href(s, 0)))
                    } }
                    tbody { @for model in &models { (row(model)) } }
                }
                (pager(page, total, |skip| query.href(sort, skip)))
            }
        },
    ))
}

fn row(model: &Model) -> Markup {
    let latest = model.latest_evaluation.as_ref();
    html! {
        tr {
            th scope="row" { a href={ (crate::BASE) "/models/" (model.id) } { (model.name) } }
            td { (model.version) }
            td { (model.risk_tier.as_str()) }
            td { (lifecycle_badge(model.status.as_str())) }
            td { (status_badge(latest.map(|l| l.status.as_str()))) }
            td { (risk_badge(latest.map(|l| l.risk_score))) }
            td { (when(model.created_at)) }
        }
    }
}

/// A filter's `<select>`: `options` are (value, words) pairs.
fn select(id: &str, label: &str, current: &str, options: &[(&str, &str)]) -> Markup {
    html! {
        div.field {
            label for=(id) { (label) }
            select id=(id) name=(id) {
                option value="" selected[current.is_empty()] { "any" }
                @for (value, words) in options { option value=(value) selected[*value == current] { (words) } }
            }
        }
    }
}

fn filters(query: &ModelsQuery) -> Markup {
    let statuses: Vec<_> = ModelStatus::ALL
        .iter()
        .map(|s| (s.as_str(), s.as_str()))
        .collect();
    let tiers: Vec<_> = RiskTier::ALL
        .iter()
        .map(|t| (t.as_str(), t.as_str()))
        .collect();
    let results: Vec<_> = Compliance::ALL
        .iter()
        .map(|c| match c {
            Compliance::Unevaluated => (c.as_str(), "not evaluated"),
            _ => (c.as_str(), c.as_str()),
        })
        .collect();
    html! {
        form #model-filters.filters method="get" action={ (crate::BASE) "/models" } role="search" {
            div.field {
                label for="q" { "Name contains" }
                input #q type="search" name="q" value=(query.q);
            }
            (select("status", "State", &query.status, &statuses))
            (select("risk_tier", "Risk tier", &query.risk_tier, &tiers))
            (select("compliance", "Latest result", &query.compliance, &results))
            @if !query.sort.is_empty() { input type="hidden" name="sort" value=(query.sort); }
            button #apply-filters type="submit" { "Filter" }
            a href={ (crate::BASE) "/models" } { "Clear" }
        }
    }
}

fn empty_state(filtered: bool) -> Markup {
    html! {
        div #empty-state.empty {
            @if filtered {
                p { "No model version matches these filters." }
                p { a href={ (crate::BASE) "/models" } { "Clear the filters" } " to see every model." }
            } @else {
                p { "No model is registered yet." }
                p { "Register one with " code { "POST /models" } " (see docs/governance.md), or load the sample with "
                    code { "driftguard demo" } ", then come back." }
            }
        }
    }
}
