//! Retiring a model version (approvers), confirmed on a page of its own: it names the model
//! and what retiring does, takes optional notes, and calls the use case of
//! `POST /models/{id}/retire`; the model page then says so, with the history row written.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use driftguard_auth::Action;
use driftguard_core::{DomainError, FieldError, ModelId};
use driftguard_registry::{Model, ModelStatus};
use maud::{Markup, html};
use serde::Deserialize;

use super::deploy::{log_decision, optional};
use crate::errors::UiError;
use crate::fields::{Field, error_summary};
use crate::layout::{self, Nav};
use crate::notice::Done;
use crate::respond;
use crate::session::{CSRF_FIELD, Viewer};
use crate::state::Ui;
use crate::widgets::lifecycle_badge;

/// The confirmation's fields.
#[derive(Debug, Default, Deserialize)]
pub struct RetireForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    notes: String,
}

/// `GET /ui/models/{id}/retire`: the confirmation.
pub async fn confirm(
    viewer: Viewer,
    ui: web::Data<Ui>,
    id: web::Path<ModelId>,
) -> Result<Markup, UiError> {
    viewer.actor().require(Action::Retire)?;
    let model = ui.services.models.get(id.into_inner()).await?;
    Ok(page(&viewer, &model, "", &[]))
}

/// `POST /ui/models/{id}/retire`.
pub async fn submit(
    viewer: Viewer,
    ui: web::Data<Ui>,
    id: web::Path<ModelId>,
    form: web::Form<RetireForm>,
) -> Result<HttpResponse, UiError> {
    viewer.check_csrf(&form.csrf_token)?;
    let id = id.into_inner();
    match ui
        .services
        .deployments
        .retire(id, optional(&form.notes), &viewer.actor())
        .await
    {
        Ok((model, row)) => {
            log_decision(&row, viewer.user.id);
            let back = format!("{}/models/{}", crate::BASE, model.id);
            Ok(respond::see_other(&Done::History(row.id).link(&back, &[])))
        }
        Err(DomainError::Invalid { errors, .. }) => {
            let model = ui.services.models.get(id).await?;
            let markup = page(&viewer, &model, &form.notes, &errors);
            Ok(respond::page(StatusCode::UNPROCESSABLE_ENTITY, markup))
        }
        Err(e) => Err(e.into()),
    }
}

fn page(viewer: &Viewer, model: &Model, notes: &str, errors: &[FieldError]) -> Markup {
    let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
    let located: Vec<(Option<String>, String)> = messages
        .iter()
        .map(|m| (Some("retire-notes".to_owned()), format!("Notes: {m}")))
        .collect();
    let title = format!("Retire {} {}", model.name, model.version);
    let retired = model.status == ModelStatus::Retired;
    layout::page(
        viewer,
        Nav::Models,
        &title,
        html! {
            (super::breadcrumb(model, "Retire"))
            h1 { (title) "?" }
            (error_summary("Nothing was retired", &located))
            dl.facts #retire-summary {
                dt { "Model" } dd { a href={ (crate::BASE) "/models/" (model.id) } { (model.name) " " (model.version) } }
                dt { "State now" } dd { (lifecycle_badge(model.status.as_str())) }
                dt { "Risk tier" } dd { (model.risk_tier.as_str()) }
            }
            @if retired {
                p #already-retired { "This version is retired already." }
            } @else {
                p #retire-effect { "Retiring takes this version out of service for good: its state becomes retired, the audit log records it, "
                    "and it cannot be deployed again (register a new version to deploy the model again)." }
                form #retire-form.stack method="post" action={ (crate::BASE) "/models/" (model.id) "/retire" } {
                    input type="hidden" name=(CSRF_FIELD) value=(viewer.csrf);
                    (Field::new("retire-notes", "notes", "Notes (optional)", &messages)
                        .textarea(notes, "Why it is retired; kept in the audit log."))
                    div.actions {
                        button #retire-confirm type="submit" { "Retire " (model.name) " " (model.version) }
                        a href={ (crate::BASE) "/models/" (model.id) } { "Cancel" }
                    }
                }
            }
        },
    )
}
