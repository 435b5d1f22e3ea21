//! Users (admins only): the accounts and their roles.

use actix_web::web;
use driftguard_auth::Action;
use driftguard_core::Page;
use maud::{Markup, html};
use serde::Deserialize;

use crate::errors::UiError;
use crate::layout::{self, Nav};
use crate::session::Viewer;
use crate::state::Ui;
use crate::widgets::{link, pager, when};

/// The user list's query.
#[derive(Debug, Default, Deserialize)]
pub struct UsersQuery {
    /// Rows skipped.
    #[serde(default)]
    pub skip: u64,
}

/// `GET /ui/users`.
pub async fn handler(
    viewer: Viewer,
    ui: web::Data<Ui>,
    query: web::Query<UsersQuery>,
) -> Result<Markup, UiError> {
    render(&ui, &viewer, &query).await
}

/// The user list; needs the right to manage users (the permission table's, as the API).
pub async fn render(ui: &Ui, viewer: &Viewer, query: &UsersQuery) -> Result<Markup, UiError> {
    viewer.actor().require(Action::ManageUsers)?;
    let page = Page::new(query.skip.min(i64::MAX as u64), Page::DEFAULT_LIMIT)
        .map_err(UiError::Invalid)?;
    let (users, total) = ui.services.auth.list_users(page).await?;
    let href = |skip: u64| {
        link(
            &format!("{}/users", crate::BASE),
            &[("skip", skip.to_string())],
        )
    };
    Ok(layout::page(
        viewer,
        Nav::Users,
        "Users",
        html! {
            h1 { "Users" }
            table #users-table {
                thead { tr { th scope="col" { "Email" } th scope="col" { "Name" } th scope="col" { "Role" } th scope="col" { "Since" } } }
                tbody { @for u in &users {
                    tr {
                        th scope="row" { (u.email) }
                        td { (u.full_name.as_deref().unwrap_or("—")) }
                        td { (u.role.as_str()) }
                        td { (when(u.created_at)) }
                    }
                } }
            }
            (pager(page, total, href))
        },
    ))
}
