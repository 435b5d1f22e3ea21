//! CORS from an allow-list in the settings; a wildcard is refused in production.

use actix_cors::Cors;
use actix_web::http::Method;
use actix_web::http::Uri;
use actix_web::http::header::{AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use serde::Deserialize;

use super::rate_limit::{X_RATELIMIT_LIMIT, X_RATELIMIT_REMAINING, X_RATELIMIT_RESET};
use super::request_id::X_REQUEST_ID;

/// How long browsers may cache a preflight answer, in seconds.
const MAX_AGE_SECS: usize = 3600;

/// Cross-origin settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct CorsSettings {
    /// Origins allowed to call the API, as `scheme://host[:port]`; `*` allows any (refused in
    /// production). Default none: only same-origin use, as the bundled UI does.
    pub origins: Vec<String>,
    /// Whether browsers may send cookies and credentials cross-origin. Default false.
    pub allow_credentials: bool,
}

/// Why CORS settings are refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CorsError {
    /// `*` in production.
    #[error("CORS origins may not be \"*\" in production: list the allowed origins")]
    WildcardInProduction,
    /// `*` together with credentials would let any site act as the signed-in user.
    #[error("CORS origin \"*\" cannot be combined with allow_credentials")]
    WildcardWithCredentials,
    /// Not of the form `scheme://host[:port]`.
    #[error("CORS origin {0:?} is not of the form scheme://host[:port]")]
    InvalidOrigin(String),
}

impl CorsSettings {
    /// Checks the settings; call at start-up and refuse to start on an error.
    pub fn validate(&self, production: bool) -> Result<(), CorsError> {
        if self.has_wildcard() {
            if production {
                return Err(CorsError::WildcardInProduction);
            }
            if self.allow_credentials {
                return Err(CorsError::WildcardWithCredentials);
            }
        }
        match self.origins.iter().find(|o| *o != "*" && !is_origin(o)) {
            Some(bad) => Err(CorsError::InvalidOrigin(bad.clone())),
            None => Ok(()),
        }
    }

    fn has_wildcard(&self) -> bool {
        self.origins.iter().any(|o| o == "*")
    }
}

/// An origin as browsers send it: scheme and host (and port), no path, no trailing slash.
fn is_origin(origin: &str) -> bool {
    origin.parse::<Uri>().is_ok_and(|uri| {
        uri.scheme().is_some() && uri.authority().is_some() && !origin.ends_with('/')
    })
}

/// The CORS middleware for `settings` (which [`CorsSettings::validate`] should have passed:
/// origins that do not parse are left out rather than failing every worker).
pub fn cors(settings: &CorsSettings) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allowed_headers([AUTHORIZATION, CONTENT_TYPE])
        .expose_headers([
            X_REQUEST_ID,
            X_RATELIMIT_LIMIT,
            X_RATELIMIT_REMAINING,
            X_RATELIMIT_RESET,
            RETRY_AFTER,
        ])
        .max_age(MAX_AGE_SECS);
    if settings.has_wildcard() {
        // Never with credentials: any site could then act as the signed-in user.
        return cors.allow_any_origin();
    }
    for origin in &settings.origins {
        if is_origin(origin) {
            cors = cors.allowed_origin(origin);
        } else {
            tracing::warn!(origin = %origin, "cors.invalid_origin_ignored");
        }
    }
    if settings.allow_credentials {
        cors = cors.supports_credentials();
    }
    cors
}

#[cfg(test)]
mod tests {
    use actix_web::http::StatusCode;
    use actix_web::http::header::{
        ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_ORIGIN,
        ACCESS_CONTROL_REQUEST_METHOD, ORIGIN,
    };
    use actix_web::test as web_test;
    use actix_web::{App, HttpResponse, web};

    use super::*;

    fn settings(origins: &[&str], allow_credentials: bool) -> CorsSettings {
        CorsSettings {
            origins: origins.iter().map(|o| (*o).to_owned()).collect(),
            allow_credentials,
        }
    }

    #[actix_web::test]
    async fn only_listed_origins_get_the_allow_origin_header() {
        let app = web_test::init_service(
            App::new()
                .route("/models", web::get().to(HttpResponse::Ok))
                .wrap(cors(&settings(&["https://app.example.com"], false))),
        )
        .await;
        let simple = |origin: &'static str| {
            web_test::TestRequest::get()
                .uri("/models")
                .insert_header((ORIGIN, origin))
        };
        let preflight = |origin: &'static str| {
            web_test::TestRequest::default()
                .method(Method::OPTIONS)
                .uri("/models")
                .insert_header((ORIGIN, origin))
                .insert_header((ACCESS_CONTROL_REQUEST_METHOD, "POST"))
        };

        let allowed = simple("https://app.example.com").send_request(&app).await;
        assert_eq!(
            allowed
                .headers()
                .get(ACCESS_CONTROL_ALLOW_ORIGIN)
                .map(|v| v.as_bytes()),
            Some(&b"https://app.example.com"[..])
        );
        assert!(
            allowed
                .headers()
                .get(ACCESS_CONTROL_ALLOW_CREDENTIALS)
                .is_none()
        );
        let ok_preflight = preflight("https://app.example.com")
            .send_request(&app)
            .await;
        assert!(ok_preflight.status().is_success());
        assert!(
            ok_preflight
                .headers()
                .get(ACCESS_CONTROL_ALLOW_ORIGIN)
                .is_some()
        );

        let evil = simple("https://evil.example").send_request(&app).await;
        assert!(evil.headers().get(ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
        let evil_preflight = preflight("https://evil.example").send_request(&app).await;
        assert_eq!(evil_preflight.status(), StatusCode::BAD_REQUEST);
        assert!(
            evil_preflight
                .headers()
                .get(ACCESS_CONTROL_ALLOW_ORIGIN)
                .is_none()
        );
    }

    #[actix_web::test]
    async fn credentials_only_when_set() {
        let app = web_test::init_service(
            App::new()
                .route("/models", web::get().to(HttpResponse::Ok))
                .wrap(cors(&settings(&["https://app.example.com"], true))),
        )
        .await;
        let res = web_test::TestRequest::get()
            .uri("/models")
            .insert_header((ORIGIN, "https://app.example.com"))
            .send_request(&app)
            .await;
        assert_eq!(
            res.headers()
                .get(ACCESS_CONTROL_ALLOW_CREDENTIALS)
                .map(|v| v.as_bytes()),
            Some(&b"true"[..])
        );
    }

    #[test]
    fn validation() {
        assert_eq!(
            settings(&["*"], false).validate(true),
            Err(CorsError::WildcardInProduction)
        );
        assert_eq!(settings(&["*"], false).validate(false), Ok(()));
        assert_eq!(
            settings(&["*"], true).validate(false),
            Err(CorsError::WildcardWithCredentials)
        );
        assert_eq!(
            settings(&["https://a.example", "http://localhost:5173"], true).validate(true),
            Ok(())
        );
        for bad in ["a.example", "https://a.example/", "not an origin"] {
            assert_eq!(
                settings(&[bad], false).validate(false),
                Err(CorsError::InvalidOrigin(bad.to_owned()))
            );
        }
        assert_eq!(CorsSettings::default().validate(true), Ok(()));
    }
}
