//! Users (admins only): the accounts and their roles, and changing a role through the same
//! use case as `PUT /users/{id}/role` (recorded; the last admin keeps the role).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use driftguard_auth::{Action, RoleChange, User};
use driftguard_core::{DomainError, Page, Role, UserId};
use maud::{Markup, html};
use serde::Deserialize;

use crate::errors::UiError;
use crate::fields::error_summary;
use crate::layout::{self, Nav};
use crate::notice::Done;
use crate::respond::{self, see_other};
use crate::session::{CSRF_FIELD, Viewer};
use crate::state::Ui;
use crate::widgets::{link, pager, when};

/// The user list's query.
#[derive(Debug, Default, Deserialize)]
pub struct UsersQuery {
    /// Rows skipped.
    #[serde(default)]
    pub skip: u64,
    /// What the role form just did ([`crate::notice`]): the page says so, with the record.
    #[serde(default)]
    pub done: Option<String>,
}

/// The role form's fields.
#[derive(Debug, Deserialize)]
pub struct RoleForm {
    role: Role,
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    skip: u64,
}

/// A role change the store refused, shown on the page it came from.
struct Refusal {
    user: UserId,
    message: String,
}

/// `GET /ui/users`.
pub async fn handler(
    viewer: Viewer,
    ui: web::Data<Ui>,
    query: web::Query<UsersQuery>,
) -> Result<Markup, UiError> {
    render(&ui, &viewer, &query, None).await
}

/// `POST /ui/users/{id}/role`: changes the role, then shows the list with what was recorded;
/// a refusal (the last admin) is the list again with the reason at the top and at the row.
pub async fn change_role(
    viewer: Viewer,
    ui: web::Data<Ui>,
    id: web::Path<UserId>,
    form: web::Form<RoleForm>,
) -> Result<HttpResponse, UiError> {
    viewer.check_csrf(&form.csrf_token)?;
    viewer.actor().require(Action::ManageUsers)?;
    let user_id = id.into_inner();
    let change = RoleChange {
        user_id,
        role: form.role,
        changed_by: viewer.user.id,
    };
    match ui.services.auth.set_role(change).await {
        Ok(changed) => {
            tracing::info!(user_id = changed.id.0, role = %changed.role, by = viewer.user.id.0, "user.role_changed");
            let back = Done::RoleChange(user_id).link(
                &format!("{}/users", crate::BASE),
                &[("skip", form.skip.to_string())],
            );
            Ok(see_other(&back))
        }
        Err(DomainError::Conflict(message)) => {
            let query = UsersQuery {
                skip: form.skip,
                done: None,
            };
            let refusal = Refusal {
                user: user_id,
                message,
            };
            let page = render(&ui, &viewer, &query, Some(&refusal)).await?;
            Ok(respond::page(StatusCode::CONFLICT, page))
        }
        Err(e) => Err(e.into()),
    }
}

/// The user list; needs the right to manage users (the permission table's, as the API).
async fn render(
    ui: &Ui,
    viewer: &Viewer,
    query: &UsersQuery,
    refusal: Option<&Refusal>,
) -> Result<Markup, UiError> {
    viewer.actor().require(Action::ManageUsers)?;
    let notice = crate::notice::message(ui, viewer, query.done.as_deref()).await?;
    let page = Page::new(query.skip.min(i64::MAX as u64), Page::DEFAULT_LIMIT)
        .map_err(UiError::Invalid)?;
    let (users, total) = ui.services.auth.list_users(page).await?;
    let href = |skip: u64| {
        link(
            &format!("{}/users", crate::BASE),
            &[("skip", skip.to_string())],
        )
    };
    let summary: Vec<(Option<String>, String)> = refusal
        .map(|r| (Some(format!("role-{}", r.user.0)), r.message.clone()))
        .into_iter()
        .collect();
    Ok(layout::page(
        viewer,
        Nav::Users,
        "Users",
        html! {
            h1 { "Users" }
            (notice)
            (error_summary("The role was not changed", &summary))
            table #users-table {
                thead { tr {
                    th scope="col" { "Email" } th scope="col" { "Name" } th scope="col" { "Role" }
                    th scope="col" { "Since" } th scope="col" { "Change role" }
                } }
                tbody { @for u in &users {
                    tr {
                        th scope="row" { (u.email) }
                        td { (u.full_name.as_deref().unwrap_or("—")) }
                        td { (u.role.as_str()) }
                        td { (when(u.created_at)) }
                        td { (role_form(viewer, u, query.skip, refusal.filter(|r| r.user == u.id))) }
                    }
                } }
            }
            (pager(page, total, href))
        },
    ))
}

/// The form that gives `user` another role, with the refusal of the last try at it.
fn role_form(viewer: &Viewer, user: &User, skip: u64, refusal: Option<&Refusal>) -> Markup {
    let field = format!("role-{}", user.id.0);
    let error = format!("role-error-{}", user.id.0);
    html! {
        form.inline method="post" action={ (crate::BASE) "/users/" (user.id.0) "/role" } {
            input type="hidden" name=(CSRF_FIELD) value=(viewer.csrf);
            input type="hidden" name="skip" value=(skip);
            label.visually-hidden for=(field) { "Role of " (user.email) }
            select #(field) name="role"
              aria-invalid=[refusal.map(|_| "true")]
              aria-describedby=[refusal.map(|_| error.as_str())] {
                @for role in Role::ALL {
                    option value=(role.as_str()) selected[role == user.role] { (role.as_str()) }
                }
            }
            button type="submit" { "Change" }
            @if let Some(refusal) = refusal {
                p.field-error id=(error) { (refusal.message) }
            }
        }
    }
}
