//! Static assets, embedded in the binary and served under a name that carries a hash of
//! their content, so that they can be cached for a year and a new release is fetched at
//! once: the stylesheet, and the one script (the data forms' upload progress; every page
//! works without it).

use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{HttpResponse, web};
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

const STYLESHEET: &str = include_str!("../assets/style.css");
const UPLOAD_SCRIPT: &str = include_str!("../assets/upload.js");

/// `/ui/static/<stem>.<first 16 hex digits of the content's SHA-256>.<extension>`.
fn hashed_path(stem: &str, extension: &str, content: &str) -> String {
    let digest = hex::encode(Sha256::digest(content.as_bytes()));
    format!(
        "{}/static/{stem}.{}.{extension}",
        crate::BASE,
        &digest[..16]
    )
}

static STYLESHEET_PATH: LazyLock<String> =
    LazyLock::new(|| hashed_path("style", "css", STYLESHEET));
static UPLOAD_SCRIPT_PATH: LazyLock<String> =
    LazyLock::new(|| hashed_path("upload", "js", UPLOAD_SCRIPT));

/// The stylesheet's cache-busted path.
pub fn stylesheet_path() -> &'static str {
    &STYLESHEET_PATH
}

/// The upload script's cache-busted path.
pub fn upload_script_path() -> &'static str {
    &UPLOAD_SCRIPT_PATH
}

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/static/{name}", web::get().to(asset));
}

async fn asset(name: web::Path<String>) -> HttpResponse {
    let asked = format!("{}/static/{}", crate::BASE, name.into_inner());
    let (content_type, body) = if asked == stylesheet_path() {
        ("text/css; charset=utf-8", STYLESHEET)
    } else if asked == upload_script_path() {
        ("text/javascript; charset=utf-8", UPLOAD_SCRIPT)
    } else {
        // An old hash or an unknown name: the error pages say so.
        return crate::errors::not_found_response();
    };
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, content_type))
        .insert_header((CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .body(body)
}
