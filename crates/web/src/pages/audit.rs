//! The audit log: the deployment history, paged and filtered (model, outcome, environment,
//! override, since a time), each row with its hash and the previous row's; admins can verify the chain.

use actix_web::web;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use driftguard_app::audit::{DeploymentFilter, DeploymentRecord, Outcome, VerifyReport};
use driftguard_auth::Action;
use driftguard_core::{ModelId, Page, Timestamp};
use maud::{Markup, html};
use serde::Deserialize;

use crate::errors::UiError;
use crate::layout::{self, Nav};
use crate::session::Viewer;
use crate::state::Ui;
use crate::widgets::{link, outcome_badge, pager, when};

/// The audit log's query string.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct AuditQuery {
    /// A model version's id.
    #[serde(default)]
    pub model_id: String,
    /// `deployed`, `blocked`, `overridden`, `superseded` or `retired`, or several of them
    /// separated by commas (`deployed,overridden`: the deployments that happened).
    #[serde(default)]
    pub outcome: String,
    /// An environment's name.
    #[serde(default)]
    pub environment: String,
    /// `yes` or `no`.
    #[serde(rename = "override", default)]
    pub override_used: String,
    /// Only rows at or after this time: a day (`2026-11-04`, from its start in UTC) or an
    /// RFC 3339 time.
    #[serde(default)]
    pub since: String,
    /// Rows skipped.
    #[serde(default)]
    pub skip: u64,
    /// Set (`1`) to verify the chain (admins).
    #[serde(default)]
    pub verify: String,
}

impl AuditQuery {
    fn href(&self, skip: u64) -> String {
        link(
            &format!("{}/audit", crate::BASE),
            &[
                ("model_id", self.model_id.clone()),
                ("outcome", self.outcome.clone()),
                ("environment", self.environment.clone()),
                ("override", self.override_used.clone()),
                ("since", self.since.clone()),
                (
                    "skip",
                    if skip == 0 {
                        String::new()
                    } else {
                        skip.to_string()
                    },
                ),
            ],
        )
    }

    fn filter(&self) -> Result<(DeploymentFilter, Page), UiError> {
        let invalid = |field: &str, e: String| UiError::Invalid(format!("{field}: {e}"));
        let model_id = (!self.model_id.is_empty())
            .then(|| self.model_id.trim().parse::<i64>().map(ModelId))
            .transpose()
            .map_err(|e| invalid("model_id", e.to_string()))?;
        let outcomes = self
            .outcome
            .split(',')
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .map(|o| o.parse::<Outcome>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| invalid("outcome", e.to_string()))?;
        let since = parse_since(self.since.trim()).map_err(|e| invalid("since", e))?;
        let override_used = match self.override_used.as_str() {
            "" => None,
            "yes" => Some(true),
            "no" => Some(false),
            _ => return Err(invalid("override", "must be yes or no".into())),
        };
        let environment = self.environment.trim();
        let filter = DeploymentFilter {
            model_id,
            outcomes,
            environment: (!environment.is_empty()).then(|| environment.to_owned()),
            override_used,
            since,
        };
        let page = Page::new(self.skip.min(i64::MAX as u64), Page::DEFAULT_LIMIT)
            .map_err(|e| invalid("skip", e))?;
        Ok((filter, page))
    }
}

/// A day (from its start, UTC) or an RFC 3339 time; empty is none.
fn parse_since(since: &str) -> Result<Option<Timestamp>, String> {
    if since.is_empty() {
        return Ok(None);
    }
    if let Ok(day) = NaiveDate::parse_from_str(since, "%Y-%m-%d") {
        return Ok(Some(day.and_time(NaiveTime::MIN).and_utc()));
    }
    DateTime::parse_from_rfc3339(since)
        .map(|at| Some(at.with_timezone(&Utc)))
        .map_err(|_| "must be a day (YYYY-MM-DD) or an RFC 3339 time".into())
}

/// The outcomes of the deployments that happened, as the overview counts them.
pub const WENT_LIVE: &str = "deployed,overridden";

/// `GET /ui/audit`.
pub async fn handler(
    viewer: Viewer,
    ui: web::Data<Ui>,
    query: web::Query<AuditQuery>,
) -> Result<Markup, UiError> {
    render(&ui, &viewer, &query).await
}

/// The audit log page.
pub async fn render(ui: &Ui, viewer: &Viewer, query: &AuditQuery) -> Result<Markup, UiError> {
    let (filter, page) = query.filter()?;
    let (rows, total) = ui.services.audit.list(&filter, page).await?;
    let admin = viewer.actor().may(Action::VerifyAudit);
    let report = if admin && query.verify == "1" {
        Some(ui.services.audit.verify_audit(&viewer.actor()).await?)
    } else {
        None
    };
    Ok(layout::page(
        viewer,
        Nav::Audit,
        "Audit log",
        html! {
            h1 { "Audit log" }
            p { "Every deployment attempt, append-only; each row's hash covers the row and the previous row's hash." }
            @if admin { (chain(report.as_ref())) }
            (filters(query))
            @if rows.is_empty() { p #empty-state { "No deployment attempt matches." } } @else {
                (table("audit-table", &format!("{total} attempts"), &rows))
                (pager(page, total, |skip| query.href(skip)))
            }
        },
    ))
}

/// Rows of the history in a table `#id` with `caption`; each row is `#audit-row-{id}`, so
/// that a link can land on it.
pub(crate) fn table(id: &str, caption: &str, rows: &[DeploymentRecord]) -> Markup {
    html! {
        table id=(id) {
            caption { (caption) }
            thead { tr {
                th scope="col" { "#" } th scope="col" { "When" } th scope="col" { "Model" } th scope="col" { "Outcome" }
                th scope="col" { "Environment" } th scope="col" { "By" } th scope="col" { "Override" } th scope="col" { "Hash / previous hash" }
            } }
            tbody { @for r in rows { (row(r)) } }
        }
    }
}

fn row(r: &DeploymentRecord) -> Markup {
    let e = &r.entry;
    html! {
        tr id={ "audit-row-" (r.id) } {
            th scope="row" { (r.id) }
            td { (when(e.deployed_at)) }
            td { a href={ (crate::BASE) "/models/" (e.model_id) } { "model " (e.model_id) } }
            td { (outcome_badge(e.outcome.as_str())) }
            td { (e.environment) }
            td { "user " (e.deployed_by) }
            td { @if e.override_used { "yes: " (e.override_reason.as_deref().unwrap_or("")) } @else { "no" } }
            td.hashes { code.hash { (r.hash) } br; code.hash.muted { (r.prev_hash) } }
        }
    }
}

fn chain(report: Option<&VerifyReport>) -> Markup {
    html! {
        section #chain aria-labelledby="chain-status" {
            h2 #chain-status { "Chain status" }
            @match report {
                None => p { a #verify-chain href={ (crate::BASE) "/audit?verify=1" } { "Verify the whole chain now" } " (reads every row)." },
                Some(r) if r.ok => p { span.badge.badge-pass { "✓ intact" } " " (r.rows_checked) " rows and " (r.checkpoints_checked) " signed checkpoints verified; head " code.hash { (r.head_hash) } },
                Some(r) => p.alert role="alert" { span.badge.badge-fail { "✕ broken" } " first invalid row: "
                    (r.first_invalid_id.map(|i| i.to_string()).unwrap_or_else(|| "—".into()))
                    (r.reason.as_ref().map(|f| format!(" ({})", serde_json::to_value(f).ok().map(|v| v.to_string()).unwrap_or_default())).unwrap_or_default()) },
            }
        }
    }
}

fn filters(query: &AuditQuery) -> Markup {
    html! {
        form #audit-filters.filters method="get" action={ (crate::BASE) "/audit" } role="search" {
            div.field { label for="model_id" { "Model id" } input #model_id type="text" inputmode="numeric" name="model_id" value=(query.model_id); }
            div.field {
                label for="outcome" { "Outcome" }
                select #outcome name="outcome" {
                    option value="" selected[query.outcome.is_empty()] { "any" }
                    option value=(WENT_LIVE) selected[query.outcome == WENT_LIVE] { "deployed or overridden" }
                    @for o in Outcome::ALL { option value=(o.as_str()) selected[o.as_str() == query.outcome] { (o.as_str()) } }
                }
            }
            div.field { label for="environment" { "Environment" } input #environment type="text" name="environment" value=(query.environment); }
            div.field { label for="since" { "Since (YYYY-MM-DD)" } input #since type="text" name="since" value=(query.since); }
            div.field {
                label for="override" { "Override" }
                select #override name="override" {
                    option value="" selected[query.override_used.is_empty()] { "any" }
                    option value="yes" selected[query.override_used == "yes"] { "yes" }
                    option value="no" selected[query.override_used == "no"] { "no" }
                }
            }
            button #apply-filters type="submit" { "Filter" }
            a href={ (crate::BASE) "/audit" } { "Clear" }
        }
    }
}
