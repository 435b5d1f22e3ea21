//! Overriding a failing governance result (approvers), in two server-rendered steps that work
//! without JavaScript: a form with the environment and the justification (at least 20
//! characters), then a confirmation that names the model, the environment and the
//! violations being overridden, whose button has no default focus. Both steps go through the
//! deploy use case: `review` checks and decides without recording anything (the refusals are
//! the deploy's own), and confirming calls `deploy` with the override. A risk tier that needs
//! two approvers makes a pending override request instead; the page the browser lands on
//! says so and links to it.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use driftguard_app::audit::Outcome;
use driftguard_app::{DeployRequestBody, DeployReview};
use driftguard_auth::Action;
use driftguard_core::{DomainError, FieldError, ModelId};
use driftguard_governance::GovernanceResult;
use maud::{Markup, html};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::breadcrumb;
use super::deploy::{DEFAULT_ENVIRONMENT, errors_at, landed, located, optional};
use crate::errors::UiError;
use crate::fields::{Field, error_summary};
use crate::layout::{self, Nav};
use crate::respond;
use crate::session::{CSRF_FIELD, Viewer};
use crate::state::Ui;

/// The form's fields, in both steps (the confirmation carries them hidden).
#[derive(Debug, Default, Deserialize)]
pub struct OverrideForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    environment: String,
    #[serde(default)]
    justification: String,
    #[serde(default)]
    notes: String,
    /// `review` (from the form), `confirm` or `edit` (from the confirmation).
    #[serde(default)]
    step: String,
    /// The fingerprint of the governance result the confirmation showed.
    #[serde(default)]
    reviewed: String,
}

impl OverrideForm {
    fn request(&self) -> DeployRequestBody {
        DeployRequestBody {
            environment: self.environment.clone(),
            override_requested: true,
            justification: optional(&self.justification),
            notes: optional(&self.notes),
            artifact_digest: None,
        }
    }
}

/// The override page's query: the environment to start with (a blocked deploy's).
#[derive(Debug, Default, Deserialize)]
pub struct OverrideQuery {
    #[serde(default)]
    environment: Option<String>,
}

/// What the confirmation vouches for: the evaluation judged, the policy versions that
/// judged it and the violations found. Confirming a result that has changed since (a new
/// evaluation, another policy version) shows the confirmation again with the new one.
fn fingerprint(result: &GovernanceResult) -> String {
    let judged = serde_json::json!([
        result.evaluation_id,
        result.policy_versions,
        result.violations
    ]);
    hex::encode(Sha256::digest(judged.to_string().as_bytes()))
}

/// `GET /ui/models/{id}/override`: the first step's form, with the result it would override.
pub async fn form(
    viewer: Viewer,
    ui: web::Data<Ui>,
    id: web::Path<ModelId>,
    query: web::Query<OverrideQuery>,
) -> Result<Markup, UiError> {
    viewer.actor().require(Action::OverrideDeploy)?;
    let sent = OverrideForm {
        environment: query
            .environment
            .clone()
            .unwrap_or_else(|| DEFAULT_ENVIRONMENT.to_owned()),
        ..OverrideForm::default()
    };
    first_step(&ui, &viewer, id.into_inner(), &sent, &[]).await
}

/// `POST /ui/models/{id}/override`: a step of the override.
pub async fn submit(
    viewer: Viewer,
    ui: web::Data<Ui>,
    id: web::Path<ModelId>,
    form: web::Form<OverrideForm>,
) -> Result<HttpResponse, UiError> {
    let form = form.into_inner();
    viewer.check_csrf(&form.csrf_token)?;
    let id = id.into_inner();
    let actor = viewer.actor();
    let deployments = &ui.services.deployments;
    if form.step == "edit" {
        let page = first_step(&ui, &viewer, id, &form, &[]).await?;
        return Ok(respond::page(StatusCode::OK, page));
    }
    let review = match deployments.review(id, &form.request(), &actor).await {
        Ok(review) => review,
        Err(DomainError::Invalid { errors, message }) => {
            let errors = if errors.is_empty() {
                vec![FieldError::new("justification", message)]
            } else {
                errors
            };
            let page = first_step(&ui, &viewer, id, &form, &errors).await?;
            return Ok(respond::page(StatusCode::UNPROCESSABLE_ENTITY, page));
        }
        Err(e) => return Err(e.into()),
    };
    if form.step != "confirm" {
        return Ok(respond::page(
            StatusCode::OK,
            confirmation(&viewer, &review, &form, false),
        ));
    }
    if fingerprint(&review.result) != form.reviewed {
        return Ok(respond::page(
            StatusCode::CONFLICT,
            confirmation(&viewer, &review, &form, true),
        ));
    }
    let outcome = deployments.deploy(id, form.request(), &actor).await?;
    Ok(landed(&viewer, id, &outcome))
}

/// The form of the first step, as last sent, with `errors` at the top and at the fields.
async fn first_step(
    ui: &Ui,
    viewer: &Viewer,
    id: ModelId,
    sent: &OverrideForm,
    errors: &[FieldError],
) -> Result<Markup, UiError> {
    let model = ui.services.models.get(id).await?;
    let result = ui.services.deployments.preview(&model, None).await?;
    let environment_errors = errors_at("override", errors, "override-environment");
    let justification_errors = errors_at("override", errors, "override-justification");
    let notes_errors = errors_at("override", errors, "override-notes");
    let title = format!("Override: {} {}", model.name, model.version);
    Ok(layout::page(
        viewer,
        Nav::Models,
        &title,
        html! {
            (breadcrumb(&model, "Override"))
            h1 { (title) }
            (error_summary("Nothing was overridden", &located("override", errors)))
            p.lead { "Deploy this " (model.risk_tier.as_str()) "-tier model although its governance result fails. "
                "You will see what you are about to override, and confirm it, on the next page." }
            (crate::violations::result("override-current", &result))
            form #override-form.stack method="post" action={ (crate::BASE) "/models/" (model.id) "/override" } {
                input type="hidden" name=(CSRF_FIELD) value=(viewer.csrf);
                input type="hidden" name="step" value="review";
                (Field::new("override-environment", "environment", "Environment", &environment_errors).text(&sent.environment))
                (Field::new("override-justification", "justification", "Justification", &justification_errors)
                    .textarea(&sent.justification, "At least 20 characters: why deploying despite these violations is acceptable, and what is done about them. Kept in the audit log."))
                (Field::new("override-notes", "notes", "Notes (optional)", &notes_errors)
                    .textarea(&sent.notes, "Kept with the deployment in the audit log."))
                div.actions {
                    button #override-review type="submit" { "Review the override" }
                    a href={ (crate::BASE) "/models/" (model.id) } { "Cancel" }
                }
            }
        },
    ))
}

/// The confirmation: what is overridden, where to, why, and what confirming does. `changed`
/// when the result differs from the one the user confirmed. No element takes the focus on
/// its own: the user moves to the button.
fn confirmation(
    viewer: &Viewer,
    review: &DeployReview,
    sent: &OverrideForm,
    changed: bool,
) -> Markup {
    let model = &review.model;
    let environment = &review.environment;
    let (effect, button) = match review.outcome {
        Outcome::OverrideRequested => (
            "Confirming asks for the override: this risk tier needs a second, different approver, and nothing is deployed until one approves the request.",
            format!("Ask a second approver to deploy to {environment}"),
        ),
        Outcome::Overridden => (
            "Confirming deploys it now; the audit log records the override with your justification.",
            format!("Override and deploy to {environment}"),
        ),
        _ => (
            "Its governance result does not fail now: there is nothing to override, and confirming deploys it as a plain deploy.",
            format!("Deploy to {environment}"),
        ),
    };
    let title = format!("Confirm the override of {} {}", model.name, model.version);
    layout::page(
        viewer,
        Nav::Models,
        &title,
        html! {
            (breadcrumb(model, "Override"))
            h1 { (title) }
            @if changed {
                div #result-changed.alert role="alert" {
                    p { "The governance result changed since you reviewed it (a new evaluation or another policy version). "
                        "Nothing was deployed: check the violations below, then confirm again." }
                }
            }
            dl.facts #override-summary {
                dt { "Model" } dd { a href={ (crate::BASE) "/models/" (model.id) } { (model.name) " " (model.version) } }
                dt { "Risk tier" } dd { (model.risk_tier.as_str()) }
                dt { "Environment" } dd #override-environment-named { (environment) }
                dt { "Justification" } dd #override-justification-named { (sent.justification.trim()) }
                @if let Some(notes) = optional(&sent.notes) { dt { "Notes" } dd { (notes) } }
            }
            section aria-labelledby="overridden-title" {
                h2 #overridden-title { "Violations being overridden" }
                (crate::violations::result("overridden-violations", &review.result))
            }
            p #override-effect { (effect) }
            form #override-confirm-form method="post" action={ (crate::BASE) "/models/" (model.id) "/override" } {
                input type="hidden" name=(CSRF_FIELD) value=(viewer.csrf);
                input type="hidden" name="environment" value=(sent.environment);
                input type="hidden" name="justification" value=(sent.justification);
                input type="hidden" name="notes" value=(sent.notes);
                input type="hidden" name="reviewed" value=(fingerprint(&review.result));
                div.actions {
                    button #override-confirm type="submit" name="step" value="confirm" { (button) }
                    button #override-change type="submit" name="step" value="edit" { "Change the justification" }
                    a href={ (crate::BASE) "/models/" (model.id) } { "Cancel" }
                }
            }
        },
    )
}
