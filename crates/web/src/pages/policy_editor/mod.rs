//! Writing policies (admins): a new policy or the next version of one, with rule rows, a
//! preview of the impact through the same simulation as `POST /simulation/policy` before
//! saving, and switching a policy on or off. Each action calls the use case the API calls.

mod form;
mod impact;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use driftguard_app::simulate::PolicySimulationRequest;
use driftguard_auth::Action;
use driftguard_core::{DomainError, FieldError, PolicyId};
use driftguard_governance::Policy;
use maud::{Markup, html};
use serde::Deserialize;

use crate::errors::UiError;
use crate::layout::{self, Nav};
use crate::notice::Done;
use crate::respond::{page as html, see_other};
use crate::session::Viewer;
use crate::state::Ui;
use form::PolicyForm;

/// `GET /ui/policies/new`.
pub async fn new_form(viewer: Viewer) -> Result<Markup, UiError> {
    viewer.actor().require(Action::ManagePolicies)?;
    Ok(page(&viewer, None, &PolicyForm::blank(), &[], None))
}

/// `GET /ui/policies/{id}/edit`: the latest version's form.
pub async fn edit_form(
    viewer: Viewer,
    ui: web::Data<Ui>,
    id: web::Path<PolicyId>,
) -> Result<Markup, UiError> {
    viewer.actor().require(Action::ManagePolicies)?;
    let policy = ui.services.policies.get(id.into_inner()).await?;
    Ok(page(
        &viewer,
        Some((policy.id, &policy.name)),
        &PolicyForm::of(&policy),
        &[],
        None,
    ))
}

/// `POST /ui/policies/new`.
pub async fn submit_new(
    viewer: Viewer,
    ui: web::Data<Ui>,
    fields: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, UiError> {
    submit(&viewer, &ui, None, PolicyForm::read(fields.into_inner())).await
}

/// `POST /ui/policies/{id}/edit`.
pub async fn submit_edit(
    viewer: Viewer,
    ui: web::Data<Ui>,
    id: web::Path<PolicyId>,
    fields: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, UiError> {
    let id = id.into_inner();
    let name = ui.services.policies.get(id).await?.name;
    submit(
        &viewer,
        &ui,
        Some((id, &name)),
        PolicyForm::read(fields.into_inner()),
    )
    .await
}

/// One press of a form button: more rows, a preview, or saving (then the policy's page).
async fn submit(
    viewer: &Viewer,
    ui: &Ui,
    stored: Option<(PolicyId, &str)>,
    form: PolicyForm,
) -> Result<HttpResponse, UiError> {
    viewer.check_csrf(&form.csrf_token)?;
    let actor = viewer.actor();
    actor.require(Action::ManagePolicies)?;
    if form.action == "more-rows" {
        let form = form.with_more_rows();
        return Ok(html(StatusCode::OK, page(viewer, stored, &form, &[], None)));
    }
    let draft = match form.draft() {
        Ok(draft) => draft,
        Err(errors) => return Ok(refused(viewer, stored, &form, errors)),
    };
    let id = stored.map(|(id, _)| id);
    let answer = if form.action == "preview" {
        let request = PolicySimulationRequest {
            policy: draft,
            replaces_policy_id: id,
        };
        match ui.services.simulation.policy(request, &actor).await {
            Ok(simulation) => {
                let preview = impact::render(&simulation);
                return Ok(html(
                    StatusCode::OK,
                    page(viewer, stored, &form, &[], Some(preview)),
                ));
            }
            Err(e) => Err(e),
        }
    } else {
        let policies = &ui.services.policies;
        match id {
            None => policies.create(draft, &actor).await,
            Some(id) => policies.update(id, draft, &actor).await,
        }
        .inspect(|saved| {
            tracing::info!(
                policy_id = saved.id.0,
                version = saved.version,
                "policy.saved"
            );
        })
    };
    match answer {
        Ok(saved) => Ok(see_other(&saved_link(&saved))),
        Err(DomainError::Invalid { errors, .. }) => Ok(refused(viewer, stored, &form, errors)),
        Err(e) => Err(e.into()),
    }
}

/// The form's state after a refusal: 422 with the errors shown.
fn refused(
    viewer: &Viewer,
    stored: Option<(PolicyId, &str)>,
    form: &PolicyForm,
    errors: Vec<FieldError>,
) -> HttpResponse {
    html(
        StatusCode::UNPROCESSABLE_ENTITY,
        page(viewer, stored, form, &errors, None),
    )
}

/// The switch's field.
#[derive(Debug, Deserialize)]
pub struct ActiveForm {
    active: bool,
    #[serde(default)]
    csrf_token: String,
}

/// `POST /ui/policies/{id}/active`: switches the policy on (the latest version again, as
/// `PUT` with `active: true` does) or off (as `DELETE` does); either writes a version.
pub async fn set_active(
    viewer: Viewer,
    ui: web::Data<Ui>,
    id: web::Path<PolicyId>,
    form: web::Form<ActiveForm>,
) -> Result<HttpResponse, UiError> {
    viewer.check_csrf(&form.csrf_token)?;
    let actor = viewer.actor();
    let id = id.into_inner();
    let policies = &ui.services.policies;
    let saved = if form.active {
        let latest = policies.get(id).await?;
        let mut draft = PolicyForm::of(&latest)
            .draft()
            .map_err(|_| UiError::Invalid("the stored policy cannot be read back".into()))?;
        draft.active = true;
        policies.update(id, draft, &actor).await?
    } else {
        policies.deactivate(id, &actor).await?
    };
    tracing::info!(
        policy_id = saved.id.0,
        active = saved.active,
        "policy.saved"
    );
    Ok(see_other(&saved_link(&saved)))
}

/// The policy's page, saying which version was just written.
fn saved_link(saved: &Policy) -> String {
    Done::PolicyVersion(saved.id, saved.version)
        .link(&format!("{}/policies/{}", crate::BASE, saved.id), &[])
}

/// The editor's page: a new policy, or the next version of a stored one.
fn page(
    viewer: &Viewer,
    stored: Option<(PolicyId, &str)>,
    form: &PolicyForm,
    errors: &[FieldError],
    preview: Option<Markup>,
) -> Markup {
    let (title, action) = match stored {
        None => (
            "New policy".to_owned(),
            format!("{}/policies/new", crate::BASE),
        ),
        Some((id, name)) => (
            format!("Edit {name}"),
            format!("{}/policies/{id}/edit", crate::BASE),
        ),
    };
    layout::page(
        viewer,
        Nav::Policies,
        &title,
        html! {
            nav aria-label="Breadcrumb" {
                a href={ (crate::BASE) "/policies" } { "Policies" }
                @if let Some((id, name)) = stored { " / " a href={ (crate::BASE) "/policies/" (id) } { (name) } }
                " / " (title)
            }
            h1 { (title) }
            @if stored.is_some() {
                p { "Saving writes the next version; the earlier ones stay, and the evaluations and deployments that cite them keep citing them." }
            }
            @if let Some(preview) = preview { (preview) }
            (form.render(viewer, &action, errors))
        },
    )
}
