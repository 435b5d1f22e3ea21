//! Static assets, embedded in the binary and served under a name that carries a hash of
//! their content, so that they can be cached for a year and a new release is fetched at
//! once. (The UI has one asset, its stylesheet; it has no script.)

use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{HttpResponse, web};
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

const STYLESHEET: &str = include_str!("../assets/style.css");

/// `/ui/static/style.<first 16 hex digits of its SHA-256>.css`.
static STYLESHEET_PATH: LazyLock<String> = LazyLock::new(|| {
    let digest = hex::encode(Sha256::digest(STYLESHEET.as_bytes()));
    format!("{}/static/style.{}.css", crate::BASE, &digest[..16])
});

/// The stylesheet's cache-busted path.
pub fn stylesheet_path() -> &'static str {
    &STYLESHEET_PATH
}

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/static/{name}", web::get().to(asset));
}

async fn asset(name: web::Path<String>) -> HttpResponse {
    let asked = format!("{}/static/{}", crate::BASE, name.into_inner());
    if asked != stylesheet_path() {
        // An old hash or an unknown name: the error pages say so.
        return crate::errors::not_found_response();
    }
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/css; charset=utf-8"))
        .insert_header((CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .body(STYLESHEET)
}
