//! The answers a form's target gives: a page with its status (the form again, with what was
//! refused), or a redirect (303, so that reloading does not send the form again) to the page
//! that says what was done.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use maud::Markup;

/// `page` as an HTML answer with `status`.
pub fn page(status: StatusCode, page: Markup) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(page.into_string())
}

/// A 303 to `location`.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((LOCATION, location.to_owned()))
        .finish()
}
