//! Deploying from the model page: the governance result a deploy would be decided on now,
//! the deploy form (engineers and above; disabled with the reason for the others), and the
//! ways to an override (approvers, when the result fails) and to retirement (approvers),
//! each confirmed on a page of its own. The form calls the use case of
//! `POST /models/{id}/deploy`, which decides everything (allowed, blocked and recorded,
//! refused); the page the browser lands on says what happened, with the history row written.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use driftguard_app::Approvals;
use driftguard_app::audit::DeploymentRecord;
use driftguard_app::{DeployOutcome, DeployRequestBody};
use driftguard_auth::Action;
use driftguard_core::{DomainError, FieldError, ModelId, UserId};
use driftguard_governance::{GovernanceResult, Status};
use driftguard_registry::{Model, ModelStatus};
use maud::{Markup, html};
use serde::Deserialize;

use crate::errors::UiError;
use crate::fields::Field;
use crate::notice::Done;
use crate::respond;
use crate::session::{CSRF_FIELD, Viewer};
use crate::state::Ui;

/// The environment a form starts with (the API's default too).
pub const DEFAULT_ENVIRONMENT: &str = "production";

/// The deploy form's fields as sent, and what was refused in them.
#[derive(Debug, Deserialize)]
pub struct DeployForm {
    #[serde(default)]
    csrf_token: String,
    /// Where to.
    #[serde(default)]
    pub environment: String,
    /// Free notes, kept in the history.
    #[serde(default)]
    pub notes: String,
    /// The use case's refusals of the last try (never read from the form).
    #[serde(skip)]
    pub errors: Vec<FieldError>,
}

impl Default for DeployForm {
    fn default() -> Self {
        Self {
            csrf_token: String::new(),
            environment: DEFAULT_ENVIRONMENT.to_owned(),
            notes: String::new(),
            errors: Vec::new(),
        }
    }
}

/// Text typed into an optional field: none when blank.
pub fn optional(text: &str) -> Option<String> {
    Some(text.trim().to_owned()).filter(|t| !t.is_empty())
}

/// The field of a deploy or override form an error names (`{prefix}-environment`, …); what
/// names none of them (the artefact's digest) is shown at the environment.
pub fn field_id(prefix: &str, field: &str) -> String {
    let name = match field {
        "justification" | "notes" => field,
        _ => "environment",
    };
    format!("{prefix}-{name}")
}

/// The messages of `errors` that land on the field `id`.
pub fn errors_at<'a>(prefix: &str, errors: &'a [FieldError], id: &str) -> Vec<&'a str> {
    errors
        .iter()
        .filter(|e| field_id(prefix, &e.field) == id)
        .map(|e| e.message.as_str())
        .collect()
}

/// The summary's rows: each error, named by its field's label, with the field it links to.
pub fn located(prefix: &str, errors: &[FieldError]) -> Vec<(Option<String>, String)> {
    errors
        .iter()
        .map(|e| {
            let id = field_id(prefix, &e.field);
            let label = match id.strip_prefix(prefix) {
                Some("-justification") => "Justification",
                Some("-notes") => "Notes",
                _ => "Environment",
            };
            (Some(id), format!("{label}: {}", e.message))
        })
        .collect()
}

/// Logs a deployment decision as the API's route does (`model.deployment`).
pub fn log_decision(row: &DeploymentRecord, by: UserId) {
    tracing::info!(
        model_id = row.entry.model_id.0,
        status = row.entry.outcome.as_str(),
        override_used = row.entry.override_used,
        deployed_by = by.0,
        "model.deployment"
    );
}

/// Why `viewer` may not deploy `model`, if they may not.
fn deploy_refusal(viewer: &Viewer, model: &Model) -> Option<String> {
    if model.status == ModelStatus::Retired {
        return Some("This version is retired: register a new version to deploy it.".into());
    }
    (!viewer.actor().may(Action::Deploy)).then(|| {
        format!(
            "Engineers, approvers and admins can deploy; you are signed in as {}.",
            viewer.user.role.as_str()
        )
    })
}

/// Why `viewer` may not take `action` (override, retire) on `model`, if they may not.
fn approver_refusal(viewer: &Viewer, model: &Model, action: Action, what: &str) -> Option<String> {
    if model.status == ModelStatus::Retired {
        return Some("This version is retired.".into());
    }
    (!viewer.actor().may(action)).then(|| {
        format!(
            "{what} needs the approver role; you are signed in as {}.",
            viewer.user.role.as_str()
        )
    })
}

/// A button that opens the confirmation page at `href` (a form that GETs it), or the same
/// button disabled with the reason beside it.
fn step_button(id: &str, label: &str, href: &str, refusal: Option<&str>) -> Markup {
    html! {
        @match refusal {
            None => form.inline method="get" action=(href) { button id=(id) type="submit" { (label) } },
            Some(why) => {
                span.inline {
                    button id=(id) type="button" disabled aria-describedby={ (id) "-why" } { (label) }
                    span.muted id={ (id) "-why" } { (why) }
                }
            }
        }
    }
}

/// The deploy section of `model`'s page: the result a deploy would get now, the form (as
/// last sent, with its errors), and the override and retire buttons.
pub fn section(
    viewer: &Viewer,
    model: &Model,
    result: &GovernanceResult,
    approvals: Approvals,
    form: &DeployForm,
) -> Markup {
    let refusal = deploy_refusal(viewer, model);
    let failing = result.status == Status::Fail;
    let base = format!("{}/models/{}", crate::BASE, model.id);
    let environment_errors = errors_at("deploy", &form.errors, "deploy-environment");
    let notes_errors = errors_at("deploy", &form.errors, "deploy-notes");
    html! {
        section #deploy aria-labelledby="deploy-title" {
            h2 #deploy-title { "Deploy" }
            (crate::violations::result("deploy-violations", result))
            p #deploy-outlook {
                @if failing {
                    "Deploying now would be blocked (the attempt is recorded in the audit log), unless an approver overrides the result."
                    @if approvals == Approvals::Two {
                        " This " (model.risk_tier.as_str()) "-tier model needs two approvers for an override: the first asks, a second, different approver approves."
                    }
                } @else {
                    "Deploying now is allowed; other deployed versions of " (model.name) " become superseded."
                }
            }
            form #deploy-form.stack method="post" action={ (base) "/deploy" } {
                fieldset disabled[refusal.is_some()] aria-describedby=[refusal.as_ref().map(|_| "deploy-why")] {
                    legend { "Deploy " (model.name) " " (model.version) }
                    @if let Some(why) = &refusal { p #deploy-why { (why) } }
                    input type="hidden" name=(CSRF_FIELD) value=(viewer.csrf);
                    (Field::new("deploy-environment", "environment", "Environment", &environment_errors).text(&form.environment))
                    (Field::new("deploy-notes", "notes", "Notes (optional)", &notes_errors)
                        .textarea(&form.notes, "Kept with the deployment in the audit log."))
                    button #deploy-button type="submit" { "Deploy" }
                }
            }
            div.actions {
                @if failing {
                    (step_button("override-start", "Override the result…", &format!("{base}/override"),
                        approver_refusal(viewer, model, Action::OverrideDeploy, "Overriding a failing result").as_deref()))
                }
                (step_button("retire-start", "Retire…", &format!("{base}/retire"),
                    approver_refusal(viewer, model, Action::Retire, "Retiring a model").as_deref()))
            }
        }
    }
}

/// `POST /ui/models/{id}/deploy`: deploys (or is blocked, recorded) through the API's use
/// case, then shows the model page with what happened; a refusal of the form's values is
/// the model page again (422) with the errors at the top and at the fields.
pub async fn submit(
    viewer: Viewer,
    ui: web::Data<Ui>,
    id: web::Path<ModelId>,
    form: web::Form<DeployForm>,
) -> Result<HttpResponse, UiError> {
    let mut form = form.into_inner();
    viewer.check_csrf(&form.csrf_token)?;
    let id = id.into_inner();
    let request = DeployRequestBody {
        environment: form.environment.clone(),
        notes: optional(&form.notes),
        ..DeployRequestBody::default()
    };
    match ui
        .services
        .deployments
        .deploy(id, request, &viewer.actor())
        .await
    {
        Ok(outcome) => Ok(landed(&viewer, id, &outcome)),
        Err(DomainError::Invalid { errors, message }) => {
            form.errors = if errors.is_empty() {
                vec![FieldError::new("environment", message)]
            } else {
                errors
            };
            let page =
                super::render_with(&ui, &viewer, id, &super::ModelPageQuery::default(), &form)
                    .await?;
            Ok(respond::page(StatusCode::UNPROCESSABLE_ENTITY, page))
        }
        Err(e) => Err(e.into()),
    }
}

/// The model page saying what a deploy request did, with its history row.
pub fn landed(viewer: &Viewer, model: ModelId, outcome: &DeployOutcome) -> HttpResponse {
    let row = match outcome {
        DeployOutcome::Deployed { deployment, .. }
        | DeployOutcome::Blocked { deployment, .. }
        | DeployOutcome::OverrideRequested { deployment, .. } => deployment,
    };
    log_decision(row, viewer.user.id);
    respond::see_other(&Done::History(row.id).link(&format!("{}/models/{model}", crate::BASE), &[]))
}
