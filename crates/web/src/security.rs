//! What keeps the UI safe in a browser: the response headers (a strict Content-Security
//! Policy, no framing, no referrer beyond the origin), the refusal of cross-site unsafe
//! requests (`Sec-Fetch-Site`, `Origin`), and the per-session CSRF token every form carries.

use actix_web::Error;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::{DefaultHeaders, Next};
use sha2::{Digest, Sha256};

use crate::errors::UiError;

/// Only this origin's stylesheet and script files (the one script shows upload progress and
/// talks only to this origin), images drawn inline as SVG, and forms posting back here; no
/// inline script or style, no framing.
const CSP: &str = "default-src 'none'; style-src 'self'; script-src 'self'; \
    connect-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; \
    base-uri 'none'";

/// The headers every UI response carries.
pub(crate) fn headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add(("Content-Security-Policy", CSP))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "same-origin"))
        .add(("X-Content-Type-Options", "nosniff"))
}

/// Refuses (403) an unsafe request that a browser says comes from another site, or whose
/// `Origin` is not this server's: the first line against cross-site request forgery, before
/// the CSRF token.
pub(crate) async fn refuse_cross_site(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    if !req.method().is_safe() && !is_same_origin(&req) {
        let refusal = UiError::Forbidden("This form was sent from another site.".into());
        return Ok(req.into_response(actix_web::ResponseError::error_response(&refusal)));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

fn is_same_origin(req: &ServiceRequest) -> bool {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    // `none` is the user typing or bookmarking; `same-site` is another origin of the site,
    // which is not this server either.
    if let Some(site) = header("sec-fetch-site")
        && !matches!(site, "same-origin" | "none")
    {
        return false;
    }
    match header("origin") {
        None => true,
        Some(origin) => {
            let info = req.connection_info();
            origin == format!("{}://{}", info.scheme(), info.host())
        }
    }
}

/// The CSRF token of a session: a digest of its sign-in token, so that only a page served
/// to that session (which cannot be read from another site) knows it, and it needs no
/// storage. A new sign-in makes a new token.
pub fn csrf_token_for(session_token: &str) -> String {
    let digest = Sha256::new()
        .chain_update(b"driftguard-ui-csrf\0")
        .chain_update(session_token.as_bytes())
        .finalize();
    hex::encode(digest)
}

/// Compares two tokens in time that does not depend on where they differ.
pub(crate) fn tokens_match(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}
