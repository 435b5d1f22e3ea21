//! The browser's session: the HttpOnly, SameSite=Strict cookie carrying the same JWT the API
//! takes as a bearer token, the signed-in [`Viewer`] of a request, and the CSRF checks of
//! forms (the session's token once signed in; a double-submit cookie on the sign-in form).

use actix_web::cookie::time::Duration as CookieDuration;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use driftguard_app::Actor;
use driftguard_auth::User;
use driftguard_auth::session::SESSION_COOKIE;
use rand::Rng;
use std::future::Future;
use std::pin::Pin;

use crate::errors::UiError;
use crate::security::{csrf_token_for, tokens_match};
use crate::state::Ui;

/// The name of the CSRF field of every form.
pub const CSRF_FIELD: &str = "csrf_token";

/// The cookie holding the sign-in form's CSRF token (there is no session yet to derive one
/// from).
pub const SIGN_IN_CSRF_COOKIE: &str = "driftguard_sign_in";

/// The signed-in user of a page and the CSRF token its forms carry.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// Who is signed in.
    pub user: User,
    /// The session's CSRF token.
    pub csrf: String,
}

impl Viewer {
    /// `user`, signed in with the session whose CSRF token is `csrf`.
    pub fn new(user: User, csrf: String) -> Self {
        Self { user, csrf }
    }

    /// The user as the use cases know them.
    pub fn actor(&self) -> Actor {
        Actor::new(self.user.id, self.user.role)
    }

    /// `Ok` when a form's token is this session's.
    pub fn check_csrf(&self, sent: &str) -> Result<(), UiError> {
        if tokens_match(&self.csrf, sent) {
            Ok(())
        } else {
            Err(csrf_refusal())
        }
    }
}

/// What a form with a missing or wrong token gets.
pub(crate) fn csrf_refusal() -> UiError {
    UiError::Forbidden(
        "This form has expired or was not sent from DriftGuard. Reload the page and try again."
            .into(),
    )
}

impl FromRequest for Viewer {
    type Error = UiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let ui = req.app_data::<web::Data<Ui>>().cloned();
        let token = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned());
        Box::pin(async move {
            let (Some(ui), Some(token)) = (ui, token) else {
                return Err(UiError::SignIn);
            };
            let user = ui
                .services
                .auth
                .authenticate(&token)
                .await
                .map_err(|_| UiError::SignIn)?;
            Ok(Viewer {
                user,
                csrf: csrf_token_for(&token),
            })
        })
    }
}

/// Whether cookies must be `Secure`: over HTTPS, or when the settings say so.
fn secure(req: &HttpRequest, ui: &Ui) -> bool {
    ui.settings.secure_cookies || req.connection_info().scheme() == "https"
}

fn cookie<'a>(req: &HttpRequest, ui: &Ui, name: &'a str, value: String) -> Cookie<'a> {
    Cookie::build(name, value)
        .path(crate::BASE)
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure(req, ui))
        .finish()
}

/// The session cookie for `token`, living as long as the token.
pub(crate) fn session_cookie(
    req: &HttpRequest,
    ui: &Ui,
    token: String,
    expires_in: u64,
) -> Cookie<'static> {
    let mut c = cookie(req, ui, SESSION_COOKIE, token);
    c.set_max_age(CookieDuration::seconds(
        i64::try_from(expires_in).unwrap_or(i64::MAX),
    ));
    c
}

/// The cookie that removes the session cookie.
pub(crate) fn ended_session_cookie(req: &HttpRequest, ui: &Ui) -> Cookie<'static> {
    let mut c = cookie(req, ui, SESSION_COOKIE, String::new());
    c.make_removal();
    c
}

/// The sign-in form's CSRF token: the one its cookie holds, or a fresh one and the cookie to
/// set.
pub(crate) fn sign_in_token(req: &HttpRequest, ui: &Ui) -> (String, Option<Cookie<'static>>) {
    if let Some(c) = req.cookie(SIGN_IN_CSRF_COOKIE)
        && c.value().len() == 64
    {
        return (c.value().to_owned(), None);
    }
    let bytes: [u8; 32] = rand::rng().random();
    let token = hex::encode(bytes);
    let c = cookie(req, ui, SIGN_IN_CSRF_COOKIE, token.clone());
    (token, Some(c))
}

/// `Ok` when the sign-in form's token matches its cookie.
pub(crate) fn check_sign_in_token(req: &HttpRequest, sent: &str) -> Result<(), UiError> {
    match req.cookie(SIGN_IN_CSRF_COOKIE) {
        Some(c) if !sent.is_empty() && tokens_match(c.value(), sent) => Ok(()),
        _ => Err(csrf_refusal()),
    }
}
