//! The UI's errors: what a handler can fail with, and the HTML error pages (403, 404, 500,
//! …) that carry the request id. A request that needs a session and has none (or an
//! expired one) goes to the sign-in page, which then returns to the page asked for.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_TYPE, HeaderValue, LOCATION, RETRY_AFTER};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, HttpResponse, ResponseError};
use driftguard_core::DomainError;
use driftguard_observability::RequestId;
use maud::html;

use crate::layout;

/// Why a page could not be shown.
#[derive(Debug, thiserror::Error)]
pub enum UiError {
    /// No session, or an expired or revoked one: sign in first.
    #[error("sign in first")]
    SignIn,
    /// The user may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// Nothing here.
    #[error("{0}")]
    NotFound(String),
    /// A form or a query that does not make sense.
    #[error("{0}")]
    Invalid(String),
    /// What a use case answered.
    #[error(transparent)]
    Domain(#[from] DomainError),
}

/// What the error page says, carried from the error to [`render_errors`].
#[derive(Debug, Clone)]
struct Failure(String);

/// Marks the answer that sends the browser to the sign-in page.
#[derive(Debug, Clone, Copy)]
struct NeedsSignIn;

impl ResponseError for UiError {
    fn status_code(&self) -> StatusCode {
        match self {
            UiError::SignIn => StatusCode::UNAUTHORIZED,
            UiError::Forbidden(_) => StatusCode::FORBIDDEN,
            UiError::NotFound(_) => StatusCode::NOT_FOUND,
            UiError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            UiError::Domain(e) => {
                StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            }
        }
    }

    fn error_response(&self) -> HttpResponse<BoxBody> {
        let status = self.status_code();
        let mut response = HttpResponse::new(status);
        if let Some(seconds) = self.retry_after_secs() {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(seconds));
        }
        match self {
            // An expired token is a 401 from the use case too: both go to the sign-in page.
            UiError::SignIn | UiError::Domain(DomainError::Unauthorized(_)) => {
                response.extensions_mut().insert(NeedsSignIn);
            }
            // Internals stay in the log (the request log reports the error), not on the page.
            UiError::Domain(
                DomainError::Internal { .. }
                | DomainError::Unavailable { .. }
                | DomainError::StorageFull { .. },
            ) => {}
            other => {
                response.extensions_mut().insert(Failure(other.to_string()));
            }
        }
        response
    }
}

impl UiError {
    fn retry_after_secs(&self) -> Option<u64> {
        match self {
            UiError::Domain(e) => e.retry_after_secs(),
            _ => None,
        }
    }
}

/// The default service under `/ui`: a 404 page.
pub(crate) async fn not_found() -> HttpResponse {
    not_found_response()
}

/// A 404 page (rendered by [`render_errors`]).
pub(crate) fn not_found_response() -> HttpResponse {
    UiError::NotFound("There is no page at this address.".into()).error_response()
}

/// Turns every error answer under `/ui` into an HTML page with the request id, and a
/// missing session into a redirect to the sign-in page that comes back here afterwards.
pub(crate) async fn render_errors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .map(|id| id.0.clone())
        .unwrap_or_default();
    let response = next.call(req).await?.map_into_boxed_body();
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return Ok(response);
    }
    if is_page(&response) {
        // Already a page (the sign-in form after a wrong password).
        return Ok(response);
    }
    if response
        .response()
        .extensions()
        .get::<NeedsSignIn>()
        .is_some()
    {
        let back = response.request().uri().to_string();
        let mut redirect = HttpResponse::SeeOther();
        // Only a page is worth coming back to: after a form, start from the overview.
        if response.request().method().is_safe() {
            redirect.insert_header((LOCATION, crate::pages::sign_in::sign_in_url(&back)));
        } else {
            redirect.insert_header((LOCATION, crate::pages::sign_in::sign_in_url(crate::BASE)));
        }
        let (req, _) = response.into_parts();
        return Ok(ServiceResponse::new(req, redirect.finish()));
    }
    let message = response
        .response()
        .extensions()
        .get::<Failure>()
        .map(|f| f.0.clone());
    let page = error_markup(status, message.as_deref(), &request_id);
    let (req, old) = response.into_parts();
    // The old response with the page as its body: it keeps its headers and the error it
    // carries, which the request log reports.
    let mut new = old.set_body(BoxBody::new(page.into_string()));
    new.headers_mut()
        .remove(actix_web::http::header::CONTENT_LENGTH);
    new.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    Ok(ServiceResponse::new(req, new))
}

fn is_page<B>(response: &ServiceResponse<B>) -> bool {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

/// The error page of `status` with the request id, for what the server answers before the
/// UI's routes run (a 429 from the rate limiter).
pub fn error_page(status: StatusCode, request_id: &str) -> String {
    error_markup(status, None, request_id).into_string()
}

fn error_markup(status: StatusCode, message: Option<&str>, request_id: &str) -> maud::Markup {
    let title = match status {
        StatusCode::FORBIDDEN => "You may not see this page",
        StatusCode::NOT_FOUND => "Page not found",
        StatusCode::TOO_MANY_REQUESTS => "Too many requests",
        StatusCode::SERVICE_UNAVAILABLE => "DriftGuard is briefly unavailable",
        s if s.is_server_error() => "Something went wrong",
        _ => "This request could not be served",
    };
    let fallback = match status {
        s if s.is_server_error() => {
            "The error was logged. Try again, or tell your administrator the request id below."
        }
        StatusCode::FORBIDDEN => {
            "Your role does not allow this. Ask an administrator if you need it."
        }
        StatusCode::TOO_MANY_REQUESTS => {
            "This address sent too many requests in a short time. Wait a minute, then try again."
        }
        _ => "Check the address, or start again from the overview.",
    };
    layout::bare(
        title,
        html! {
            h1 { (title) }
            p.lead { (message.unwrap_or(fallback)) }
            p { "Status " (status.as_u16()) " · request id " code #request-id { (request_id) } }
            p { a href=(crate::BASE) { "Go to the overview" } }
        },
    )
}
