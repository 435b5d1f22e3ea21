//! Policies: the list, and each policy's versions with what changed from one to the next;
//! for admins, the ways into the editor and the switch on or off.

use actix_web::web;
use driftguard_auth::Action;
use driftguard_core::{Page, PolicyId};
use driftguard_governance::{Policy, Rule};
use maud::{Markup, html};
use serde::Deserialize;

use crate::errors::UiError;
use crate::layout::{self, Nav};
use crate::session::{CSRF_FIELD, Viewer};
use crate::state::Ui;
use crate::widgets::{link, pager, when};

/// The policy list's query.
#[derive(Debug, Default, Deserialize)]
pub struct PoliciesQuery {
    /// Rows skipped.
    #[serde(default)]
    pub skip: u64,
}

/// `GET /ui/policies`.
pub async fn handler(
    viewer: Viewer,
    ui: web::Data<Ui>,
    query: web::Query<PoliciesQuery>,
) -> Result<Markup, UiError> {
    render(&ui, &viewer, &query).await
}

/// The policy list.
pub async fn render(ui: &Ui, viewer: &Viewer, query: &PoliciesQuery) -> Result<Markup, UiError> {
    let page = Page::new(query.skip.min(i64::MAX as u64), Page::DEFAULT_LIMIT)
        .map_err(UiError::Invalid)?;
    let (policies, total) = ui.services.policies.list(page).await?;
    let href = |skip: u64| {
        link(
            &format!("{}/policies", crate::BASE),
            &[("skip", skip.to_string())],
        )
    };
    Ok(layout::page(
        viewer,
        Nav::Policies,
        "Policies",
        html! {
            h1 { "Policies" }
            @if viewer.actor().require(Action::ManagePolicies).is_ok() {
                p { a #new-policy href={ (crate::BASE) "/policies/new" } { "New policy" } }
            }
            p { "Every evaluation and deployment is judged by the active policies that cover the model's risk tier." }
            table #policies-table {
                thead { tr { th scope="col" { "Name" } th scope="col" { "Version" } th scope="col" { "State" } th scope="col" { "Risk tiers" } th scope="col" { "Rules" } th scope="col" { "Changed" } } }
                tbody { @for p in &policies {
                    tr {
                        th scope="row" { a href={ (crate::BASE) "/policies/" (p.id) } { (p.name) } }
                        td.num { (p.version) }
                        td { @if p.active { span.badge.badge-pass { "✓ active" } } @else { span.badge.badge-none { "inactive" } } }
                        td { (tiers(p)) }
                        td.num { (p.rules.len()) }
                        td { (when(p.updated_at)) }
                    }
                } }
            }
            (pager(page, total, href))
        },
    ))
}

fn tiers(policy: &Policy) -> String {
    let tiers = &policy.applies_to.risk_tiers;
    if tiers.is_empty() {
        "all".to_owned()
    } else {
        tiers
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A policy page's query.
#[derive(Debug, Default, Deserialize)]
pub struct VersionsQuery {
    /// What the editor or the switch just did ([`crate::notice`]).
    #[serde(default)]
    pub done: Option<String>,
}

/// `GET /ui/policies/{id}`.
pub async fn versions_handler(
    viewer: Viewer,
    ui: web::Data<Ui>,
    id: web::Path<PolicyId>,
    query: web::Query<VersionsQuery>,
) -> Result<Markup, UiError> {
    render_versions(&ui, &viewer, id.into_inner(), query.done.as_deref()).await
}

/// A policy's versions, newest first, each with what changed from the one before.
pub async fn render_versions(
    ui: &Ui,
    viewer: &Viewer,
    id: PolicyId,
    done: Option<&str>,
) -> Result<Markup, UiError> {
    let notice = crate::notice::message(ui, viewer, done).await?;
    let mut versions = ui.services.policies.versions(id).await?;
    versions.sort_by_key(|p| p.version);
    let Some(current) = versions.last() else {
        return Err(UiError::NotFound(format!("policy {id} has no version")));
    };
    let title = current.name.clone();
    Ok(layout::page(
        viewer,
        Nav::Policies,
        &title,
        html! {
            nav aria-label="Breadcrumb" { a href={ (crate::BASE) "/policies" } { "Policies" } " / " (title) }
            h1 { (title) }
            (notice)
            @if let Some(d) = &current.description { p { (d) } }
            @if viewer.actor().require(Action::ManagePolicies).is_ok() {
                div.actions {
                    a #edit-policy href={ (crate::BASE) "/policies/" (id) "/edit" } { "Edit (writes version " (current.version + 1) ")" }
                    form.inline method="post" action={ (crate::BASE) "/policies/" (id) "/active" } {
                        input type="hidden" name=(CSRF_FIELD) value=(viewer.csrf);
                        input type="hidden" name="active" value=(!current.active);
                        button #toggle-active type="submit" { @if current.active { "Deactivate" } @else { "Activate" } }
                    }
                }
            }
            @for (i, version) in versions.iter().enumerate().rev() {
                section.policy-version aria-labelledby={ "v" (version.version) } {
                    h2 id={ "v" (version.version) } { "Version " (version.version) }
                    p.muted { "Written " (when(version.updated_at)) "; risk tiers: " (tiers(version)) "; "
                        @if version.active { "active" } @else { "inactive" } "." }
                    (rules_table(&version.rules))
                    @if i > 0 { (changes(&versions[i - 1], version)) }
                }
            }
        },
    ))
}

fn rule_text(rule: &Rule) -> String {
    format!(
        "{} {} {} ({}{})",
        rule.metric,
        rule.op.as_str(),
        rule.threshold,
        rule.severity.as_str(),
        if rule.required { ", required" } else { "" }
    )
}

fn rules_table(rules: &[Rule]) -> Markup {
    html! {
        table.rules {
            thead { tr { th scope="col" { "Metric" } th scope="col" { "Must be" } th scope="col" { "Threshold" } th scope="col" { "Severity" } th scope="col" { "Required" } } }
            tbody { @for r in rules {
                tr {
                    th scope="row" { code { (r.metric) } }
                    td { (r.op.as_str()) }
                    td.num { (r.threshold) }
                    td { span class={ "badge badge-" (if r.severity.as_str() == "block" { "fail" } else { "warn" }) } { (r.severity.as_str()) } }
                    td { @if r.required { "yes" } @else { "no" } }
                }
            } }
        }
    }
}

/// What changed from `before` to `after`: rules removed and added (a changed rule is both),
/// and the tiers and state.
fn changes(before: &Policy, after: &Policy) -> Markup {
    let removed: Vec<&Rule> = before
        .rules
        .iter()
        .filter(|r| !after.rules.contains(r))
        .collect();
    let added: Vec<&Rule> = after
        .rules
        .iter()
        .filter(|r| !before.rules.contains(r))
        .collect();
    html! {
        h3 { "Changed from version " (before.version) }
        ul.changes {
            @for r in &removed { li { span.badge.badge-fail { "− removed" } " " code { (rule_text(r)) } } }
            @for r in &added { li { span.badge.badge-pass { "+ added" } " " code { (rule_text(r)) } } }
            @if before.applies_to != after.applies_to { li { "Risk tiers: " (tiers(before)) " → " (tiers(after)) } }
            @if before.active != after.active { li { "State: " @if after.active { "activated" } @else { "deactivated" } } }
            @if before.name != after.name { li { "Name: " (before.name) " → " (after.name) } }
            @if removed.is_empty() && added.is_empty() && before.applies_to == after.applies_to
                && before.active == after.active && before.name == after.name { li { "Nothing but the description." } }
        }
    }
}
