//! Signing in and out. The sign-in form sets the session cookie and returns to the page
//! that was asked for; signing out ends every session of the user through the same use case
//! as `POST /auth/logout`.

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, web};
use driftguard_core::DomainError;
use maud::{Markup, html};
use serde::Deserialize;

use crate::errors::UiError;
use crate::layout;
use crate::session::{
    self, CSRF_FIELD, SIGN_IN_CSRF_COOKIE, Viewer, check_sign_in_token, sign_in_token,
};
use crate::state::Ui;
use crate::widgets::link;

/// The sign-in page's address, returning to `next` afterwards.
pub fn sign_in_url(next: &str) -> String {
    link(
        &format!("{}/sign-in", crate::BASE),
        &[("next", next.to_owned())],
    )
}

/// Where to go after signing in: a page of the UI, never another site (`//host`,
/// `/\host`) nor a form's target.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if (n == crate::BASE || n.starts_with(&format!("{}/", crate::BASE)))
                && !n.contains('\\')
                && !n.starts_with(&format!("{}/sign-", crate::BASE)) =>
        {
            n.to_owned()
        }
        _ => crate::BASE.to_owned(),
    }
}

/// The sign-in page's query.
#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// The sign-in form's fields.
#[derive(Debug, Deserialize)]
pub struct SignInForm {
    email: String,
    password: String,
    #[serde(default)]
    csrf_token: String,
    next: Option<String>,
}

/// The sign-in form (`problem` says why the last try failed).
pub fn render(csrf: &str, next: &str, email: &str, problem: Option<&str>) -> Markup {
    layout::bare(
        "Sign in",
        html! {
            h1 { "Sign in to DriftGuard" }
            @if let Some(problem) = problem {
                p #sign-in-error.alert role="alert" { (problem) }
            }
            form #sign-in-form.stack method="post" action={ (crate::BASE) "/sign-in" } {
                input type="hidden" name=(CSRF_FIELD) value=(csrf);
                input type="hidden" name="next" value=(next);
                label for="email" { "Email" }
                input #email type="email" name="email" autocomplete="username" required value=(email);
                label for="password" { "Password" }
                input #password type="password" name="password" autocomplete="current-password" required;
                button #sign-in type="submit" { "Sign in" }
            }
            p.muted { "No account? An administrator creates one (" code { "driftguard user create" } "), or register through the API." }
        },
    )
}

/// `GET /ui/sign-in`.
pub async fn form(
    req: HttpRequest,
    ui: web::Data<Ui>,
    query: web::Query<NextQuery>,
) -> HttpResponse {
    let (token, cookie) = sign_in_token(&req, &ui);
    let next = safe_next(query.next.as_deref());
    let mut response = HttpResponse::Ok();
    if let Some(cookie) = cookie {
        response.cookie(cookie);
    }
    response
        .content_type("text/html; charset=utf-8")
        .body(render(&token, &next, "", None).into_string())
}

/// `POST /ui/sign-in`.
pub async fn submit(
    req: HttpRequest,
    ui: web::Data<Ui>,
    form: web::Form<SignInForm>,
) -> Result<HttpResponse, UiError> {
    let form = form.into_inner();
    check_sign_in_token(&req, &form.csrf_token)?;
    let next = safe_next(form.next.as_deref());
    match ui.services.auth.login(&form.email, &form.password).await {
        Ok(outcome) => {
            tracing::info!(user_id = outcome.user.id.0, "user.login_success");
            let mut used = session::ended_session_cookie(&req, &ui);
            used.set_name(SIGN_IN_CSRF_COOKIE);
            Ok(HttpResponse::SeeOther()
                .cookie(session::session_cookie(
                    &req,
                    &ui,
                    outcome.access_token,
                    outcome.expires_in,
                ))
                .cookie(used)
                .insert_header((LOCATION, next))
                .finish())
        }
        Err(DomainError::Unauthorized(message)) => {
            tracing::warn!("user.login_failed");
            Ok(HttpResponse::build(StatusCode::UNAUTHORIZED)
                .content_type("text/html; charset=utf-8")
                .body(render(&form.csrf_token, &next, &form.email, Some(&message)).into_string()))
        }
        Err(e) => Err(e.into()),
    }
}

/// The sign-out form's fields.
#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf_token: String,
}

/// `POST /ui/sign-out`: ends every session of the user (as `POST /auth/logout` does).
pub async fn sign_out(
    req: HttpRequest,
    ui: web::Data<Ui>,
    viewer: Viewer,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, UiError> {
    viewer.check_csrf(&form.csrf_token)?;
    ui.services.auth.end_sessions(viewer.user.id).await?;
    tracing::info!(user_id = viewer.user.id.0, "user.logout");
    Ok(HttpResponse::SeeOther()
        .cookie(session::ended_session_cookie(&req, &ui))
        .insert_header((LOCATION, format!("{}/sign-in", crate::BASE)))
        .finish())
}
