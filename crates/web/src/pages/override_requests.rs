//! Four-eyes override requests in the UI: the pending ones, shown on the overview and on the
//! model page with their approve and reject forms, and the forms' targets, which call the same
//! use cases as `POST /override-requests/{id}/approve|reject` and return to the page with a
//! status message naming the history row they wrote. Approving is offered only to an approver
//! who is not the requester; the others see the button disabled and why.

use actix_web::{HttpResponse, web};
use driftguard_app::{OverrideRequest, OverrideService};
use driftguard_auth::Action;
use driftguard_core::{DomainError, DomainResult, ModelId, OverrideRequestId, Page};
use driftguard_registry::Model;
use maud::{Markup, html};
use serde::Deserialize;
use std::collections::BTreeMap;

use crate::errors::UiError;
use crate::notice::Done;
use crate::respond::see_other;
use crate::session::{CSRF_FIELD, Viewer};
use crate::state::Ui;
use crate::widgets::when;

/// Pending requests listed on a page (the newest).
const SHOWN: u64 = 10;

/// The pending requests of every model (`None`) or of one, with their models.
pub async fn pending(
    ui: &Ui,
    model_id: Option<ModelId>,
) -> DomainResult<(Vec<(OverrideRequest, Model)>, u64)> {
    let page = Page::new(0, SHOWN).map_err(DomainError::internal)?;
    let (requests, total) = ui.services.overrides.pending(model_id, page).await?;
    let mut models: BTreeMap<ModelId, Model> = BTreeMap::new();
    for request in &requests {
        if !models.contains_key(&request.model_id) {
            let model = ui.services.models.get(request.model_id).await?;
            models.insert(model.id, model);
        }
    }
    let listed = requests
        .into_iter()
        .filter_map(|r| models.get(&r.model_id).cloned().map(|m| (r, m)))
        .collect();
    Ok((listed, total))
}

/// The section listing `requests` (of `total` pending) with their forms; `back` is the page
/// the forms return to.
pub fn section(
    viewer: &Viewer,
    requests: &[(OverrideRequest, Model)],
    total: u64,
    back: &str,
) -> Markup {
    html! {
        section aria-labelledby="override-requests" {
            h2 #override-requests { "Overrides waiting for a second approver" }
            @if requests.is_empty() {
                p.muted { "None pending." }
            } @else {
                @if total > requests.len() as u64 {
                    p.muted { "The newest " (requests.len()) " of " (total) "; "
                        code { "GET /override-requests?status=pending" } " lists them all." }
                }
                ul.override-requests {
                    @for (request, model) in requests {
                        li { (card(viewer, request, model, back)) }
                    }
                }
            }
        }
    }
}

fn card(viewer: &Viewer, r: &OverrideRequest, model: &Model, back: &str) -> Markup {
    let id = r.id;
    let actor = viewer.actor();
    let approve_refusal = OverrideService::approval_refusal(r, &actor);
    let reject_refusal = (!actor.may(Action::OverrideDeploy))
        .then_some("rejecting an override needs the approver role");
    let own = r.requested_by == actor.id;
    html! {
        article.override-request id={ "override-request-" (id) } aria-labelledby={ "override-request-title-" (id) } {
            h3 id={ "override-request-title-" (id) } {
                "Request " (id) ": "
                a href={ (crate::BASE) "/models/" (model.id) } { (model.name) " " (model.version) }
                " to " (r.environment)
            }
            dl.facts {
                dt { "Risk tier" } dd { (model.risk_tier.as_str()) }
                dt { "Asked by" } dd { "user " (r.requested_by) @if own { " (you)" } }
                dt { "Asked" } dd { (when(r.requested_at)) }
                dt { "Expires" } dd { (when(r.expires_at)) }
                dt { "Justification" } dd { (r.justification) }
                dt { "Violations" } dd {
                    @if r.governance_result.violations.is_empty() { "—" }
                    @else {
                        ul { @for v in &r.governance_result.violations {
                            li { code { (v.metric) } " " (v.severity.as_str()) }
                        } }
                    }
                }
            }
            form.stack method="post" action={ (crate::BASE) "/override-requests/" (id) "/approve" } {
                input type="hidden" name=(CSRF_FIELD) value=(viewer.csrf);
                input type="hidden" name="back" value=(back);
                label for={ "approve-note-" (id) } { "Approval note (optional)" }
                textarea id={ "approve-note-" (id) } name="note" rows="2" maxlength="2000" disabled[approve_refusal.is_some()] {}
                @match &approve_refusal {
                    Some(why) => {
                        button type="submit" id={ "approve-" (id) } disabled aria-describedby={ "approve-why-" (id) } { "Approve and deploy" }
                        p.muted id={ "approve-why-" (id) } { "You cannot approve: " (why) "." }
                    }
                    None => button type="submit" id={ "approve-" (id) } { "Approve and deploy" },
                }
            }
            form.stack method="post" action={ (crate::BASE) "/override-requests/" (id) "/reject" } {
                input type="hidden" name=(CSRF_FIELD) value=(viewer.csrf);
                input type="hidden" name="back" value=(back);
                label for={ "reject-reason-" (id) } { @if own { "Why you withdraw it" } @else { "Reason for rejecting" } }
                textarea id={ "reject-reason-" (id) } name="reason" rows="2" maxlength="2000" required disabled[reject_refusal.is_some()] {}
                @match reject_refusal {
                    Some(why) => {
                        button type="submit" id={ "reject-" (id) } disabled aria-describedby={ "reject-why-" (id) } { "Reject" }
                        p.muted id={ "reject-why-" (id) } { "You cannot reject: " (why) "." }
                    }
                    None => button type="submit" id={ "reject-" (id) } { @if own { "Withdraw" } @else { "Reject" } },
                }
            }
        }
    }
}

/// The approve form's fields.
#[derive(Debug, Deserialize)]
pub struct ApproveForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    back: Option<String>,
}

/// The reject form's fields.
#[derive(Debug, Deserialize)]
pub struct RejectForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    back: Option<String>,
}

/// Where a form returns, saying what was done: the overview or a model page it was sent
/// from, never elsewhere.
fn back_to(back: Option<&str>, done: Done) -> String {
    let page = match back {
        Some(b)
            if b == crate::BASE
                || b.strip_prefix(&format!("{}/models/", crate::BASE))
                    .is_some_and(|id| !id.is_empty() && id.bytes().all(|c| c.is_ascii_digit())) =>
        {
            b
        }
        _ => crate::BASE,
    };
    done.link(page, &[])
}

/// `POST /ui/override-requests/{id}/approve`.
pub async fn approve(
    viewer: Viewer,
    ui: web::Data<Ui>,
    id: web::Path<OverrideRequestId>,
    form: web::Form<ApproveForm>,
) -> Result<HttpResponse, UiError> {
    let form = form.into_inner();
    viewer.check_csrf(&form.csrf_token)?;
    let approved = ui
        .services
        .overrides
        .approve(id.into_inner(), form.note, &viewer.actor())
        .await?;
    tracing::info!(
        model_id = approved.model.id.0,
        status = "overridden",
        override_used = true,
        deployed_by = viewer.user.id.0,
        requested_by = approved.request.requested_by.0,
        "model.deployment"
    );
    Ok(see_other(&back_to(
        form.back.as_deref(),
        Done::History(approved.deployment.id),
    )))
}

/// `POST /ui/override-requests/{id}/reject`.
pub async fn reject(
    viewer: Viewer,
    ui: web::Data<Ui>,
    id: web::Path<OverrideRequestId>,
    form: web::Form<RejectForm>,
) -> Result<HttpResponse, UiError> {
    let form = form.into_inner();
    viewer.check_csrf(&form.csrf_token)?;
    let (_, row) = ui
        .services
        .overrides
        .reject(id.into_inner(), form.reason, &viewer.actor())
        .await?;
    Ok(see_other(&back_to(
        form.back.as_deref(),
        Done::History(row.id),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftguard_core::DeploymentId;

    #[test]
    fn forms_return_only_to_the_overview_or_a_model_page() {
        let done = Done::History(DeploymentId(5));
        assert_eq!(back_to(Some("/ui"), done), "/ui?done=history-5");
        assert_eq!(
            back_to(Some("/ui/models/12"), done),
            "/ui/models/12?done=history-5"
        );
        for elsewhere in [
            None,
            Some("https://evil.example"),
            Some("//evil.example"),
            Some("/ui/models/12/../../x"),
            Some("/ui/models/"),
        ] {
            assert_eq!(back_to(elsewhere, done), "/ui?done=history-5");
        }
    }
}
