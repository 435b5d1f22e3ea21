//! DriftGuard's dashboard UI: server-rendered pages under `/ui` and the SVG charts they draw,
//! on top of the same `app::Services` use cases as the HTTP API (SPEC §6).
//!
//! Every page works without JavaScript (one script only shows upload progress): forms post,
//! `<details>` expand, sorting and paging are links. See `docs/ui.md` for the choices made.

mod assets;
pub mod charts;
mod errors;
mod fields;
mod layout;
mod notice;
pub mod pages;
mod respond;
mod security;
mod session;
mod settings;
mod state;
mod violations;
mod widgets;

pub use assets::stylesheet_path;
pub use errors::error_page;
pub use security::csrf_token_for;
pub use session::{CSRF_FIELD, SIGN_IN_CSRF_COOKIE, Viewer};
pub use settings::UiSettings;
pub use state::Ui;

use actix_web::{HttpResponse, web};
use std::sync::Arc;

/// Where the UI lives.
pub const BASE: &str = "/ui";

/// The UI's routes, to mount beside the API: `/` redirects to `/ui`, and everything under
/// `/ui` is a page, a form's target or a static asset.
pub fn routes(ui: Ui) -> Arc<dyn Fn(&mut web::ServiceConfig) + Send + Sync> {
    let ui = web::Data::new(ui);
    Arc::new(move |cfg: &mut web::ServiceConfig| {
        cfg.route(
            "/",
            web::get().to(|| async {
                HttpResponse::SeeOther()
                    .insert_header(("location", BASE))
                    .finish()
            }),
        )
        .service(
            web::scope(BASE)
                .app_data(ui.clone())
                .configure(pages::configure)
                .configure(assets::configure)
                .default_service(web::to(errors::not_found))
                // Outermost last: headers on everything, error pages for everything inside.
                .wrap(actix_web::middleware::from_fn(security::refuse_cross_site))
                .wrap(actix_web::middleware::from_fn(errors::render_errors))
                .wrap(security::headers()),
        );
    })
}
