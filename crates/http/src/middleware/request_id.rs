//! The request id every response and log line of a request carries.

use std::rc::Rc;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceRequest};
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{Error, HttpMessage, HttpResponse, ResponseError};
use tracing::Instrument;

use super::around::{Around, Next, Reply, around_transform};

/// The header a client may send its own id in, and every response carries.
pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest incoming id that is kept.
const MAX_ID_LEN: usize = 128;

/// The id of the request being served, stored in the request's extensions by the request-id
/// middleware and read by error mapping, logging and the UI's error pages.
pub use driftguard_observability::RequestId;

/// Whether a client-sent id is kept: 1–128 characters of `[A-Za-z0-9._-]`, so that it is safe
/// in headers and log lines.
pub fn is_valid_request_id(id: &str) -> bool {
    (1..=MAX_ID_LEN).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Middleware: keeps a valid incoming `X-Request-ID` or makes a UUID v4, stores it as
/// [`RequestId`], runs the request inside a `http_request` span carrying `request_id`, and
/// sets `X-Request-ID` on every response, errors included.
#[derive(Debug, Clone, Copy, Default)]
pub struct AssignRequestId;

impl Around for AssignRequestId {
    type Body<B: MessageBody + 'static> = B;

    fn around<S: Next<B>, B: MessageBody + 'static>(
        &self,
        next: Rc<S>,
        req: ServiceRequest,
    ) -> Reply<B> {
        let id = req
            .headers()
            .get(&X_REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .filter(|v| is_valid_request_id(v))
            .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned);
        // Both forms are only [A-Za-z0-9._-], always a valid header value.
        let header = HeaderValue::from_str(&id).ok();
        req.extensions_mut().insert(RequestId(id.clone()));
        let span = tracing::info_span!("http_request", request_id = %id);
        let fut = span.in_scope(|| next.call(req));
        Box::pin(
            async move {
                match fut.await {
                    Ok(mut res) => {
                        if let Some(header) = header {
                            res.headers_mut().insert(X_REQUEST_ID, header);
                        }
                        Ok(res)
                    }
                    // No request left to build a response on: carry the id in the error.
                    Err(error) => Err(WithRequestId { error, header }.into()),
                }
            }
            .instrument(span),
        )
    }
}

around_transform!(AssignRequestId);

/// An error from an inner layer whose response gains the `X-Request-ID` header.
#[derive(Debug)]
struct WithRequestId {
    error: Error,
    header: Option<HeaderValue>,
}

impl std::fmt::Display for WithRequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

impl ResponseError for WithRequestId {
    fn status_code(&self) -> StatusCode {
        self.error.as_response_error().status_code()
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = self.error.error_response();
        if let Some(header) = &self.header {
            res.headers_mut().insert(X_REQUEST_ID, header.clone());
        }
        res
    }
}

#[cfg(test)]
mod tests {
    use actix_web::dev::ServiceResponse;
    use actix_web::test as web_test;
    use actix_web::{App, HttpResponse, web};

    use super::*;

    async fn echo_id(req: actix_web::HttpRequest) -> HttpResponse {
        let id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
        HttpResponse::Ok().body(id.unwrap_or_default())
    }

    fn id_of<B>(res: &ServiceResponse<B>) -> String {
        res.headers()
            .get(&X_REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .unwrap_or_default()
    }

    #[actix_web::test]
    async fn keeps_a_valid_id_replaces_a_bad_one_and_covers_404s() {
        let app = web_test::init_service(
            App::new()
                .route("/echo", web::get().to(echo_id))
                .wrap(AssignRequestId),
        )
        .await;

        let kept = web_test::TestRequest::get()
            .uri("/echo")
            .insert_header((X_REQUEST_ID, "abc-123_x.y"))
            .send_request(&app)
            .await;
        assert_eq!(id_of(&kept), "abc-123_x.y");
        assert_eq!(web_test::read_body(kept).await, "abc-123_x.y");

        for bad in ["has space", "<script>", &"a".repeat(129), ""] {
            let res = web_test::TestRequest::get()
                .uri("/echo")
                .insert_header((X_REQUEST_ID, bad))
                .send_request(&app)
                .await;
            let id = id_of(&res);
            assert!(
                uuid::Uuid::parse_str(&id).is_ok(),
                "{bad:?} replaced by {id:?}"
            );
            assert_eq!(
                web_test::read_body(res).await,
                id.as_str(),
                "handler sees the same id"
            );
        }

        let missing = web_test::TestRequest::get()
            .uri("/nowhere")
            .send_request(&app)
            .await;
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        assert!(uuid::Uuid::parse_str(&id_of(&missing)).is_ok());
    }

    #[actix_web::test]
    async fn errors_from_inner_layers_carry_the_id() {
        let failing = actix_web::middleware::from_fn(
            |_req: ServiceRequest, _next: actix_web::middleware::Next<_>| async {
                Err::<ServiceResponse<actix_web::body::BoxBody>, _>(
                    actix_web::error::ErrorForbidden("no"),
                )
            },
        );
        let app = web_test::init_service(
            App::new()
                .route("/x", web::get().to(HttpResponse::Ok))
                .wrap(failing)
                .wrap(AssignRequestId),
        )
        .await;
        let req = web_test::TestRequest::get()
            .uri("/x")
            .insert_header((X_REQUEST_ID, "err-1"))
            .to_request();
        let Err(error) = web_test::try_call_service(&app, req).await else {
            panic!("the inner layer fails");
        };
        // What actix's server answers for an error.
        let res = error.error_response();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            res.headers()
                .get(&X_REQUEST_ID)
                .and_then(|v| v.to_str().ok()),
            Some("err-1")
        );
    }

    #[test]
    fn validity() {
        assert!(is_valid_request_id("a"));
        assert!(is_valid_request_id(&"Z".repeat(128)));
        assert!(!is_valid_request_id(&"Z".repeat(129)));
        assert!(!is_valid_request_id("a/b"));
        assert!(!is_valid_request_id("é"));
    }
}
