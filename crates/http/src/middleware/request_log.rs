//! Request logging: `api.request_start`, `api.request_complete` and `api.request_error`.
//! Headers other than the user agent and bodies are never logged; the query is redacted.

use std::rc::Rc;
use std::time::{Duration, Instant};

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceRequest};
use actix_web::http::header::USER_AGENT;
use driftguard_observability::redact::redact_query;

use super::around::{Around, Next, Reply, around_transform};
use super::client_ip::ClientIp;
use crate::error::ApiError;

/// A request slower than this is flagged `slow` in `api.request_complete`.
const SLOW: Duration = Duration::from_secs(1);

/// The `route` of a request no route matched (keeps the label set closed).
pub const UNMATCHED_ROUTE: &str = "unmatched";

/// Middleware logging the start, end and errors of each request; wrap it inside
/// [`AssignRequestId`](super::request_id::AssignRequestId) so its lines carry the id.
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestLog;

impl Around for RequestLog {
    type Body<B: MessageBody + 'static> = B;

    fn around<S: Next<B>, B: MessageBody + 'static>(
        &self,
        next: Rc<S>,
        req: ServiceRequest,
    ) -> Reply<B> {
        let started = Instant::now();
        let method = req.method().to_string();
        let path = req.path().to_owned();
        tracing::info!(
            method = %method,
            path = %path,
            query = %redact_query(req.query_string()),
            client_ip = %ClientIp::logged(req.request()),
            user_agent = %req.headers().get(USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or(""),
            "api.request_start"
        );
        let fut = next.call(req);
        Box::pin(async move {
            let result = fut.await;
            let (status, route) = match &result {
                Ok(res) => {
                    if let Some(error) = res.response().error() {
                        log_error(&method, &path, res.status().as_u16(), error, started);
                    }
                    (res.status().as_u16(), super::routed::pattern(res.request()))
                }
                Err(error) => {
                    let status = error.as_response_error().status_code().as_u16();
                    log_error(&method, &path, status, error, started);
                    (status, None)
                }
            };
            let route = route.as_deref().unwrap_or(UNMATCHED_ROUTE);
            let elapsed = started.elapsed();
            let duration_ms = millis(elapsed);
            let slow = elapsed > SLOW;
            if status >= 400 {
                tracing::warn!(method = %method, route, status, duration_ms, slow, "api.request_complete");
            } else {
                tracing::info!(method = %method, route, status, duration_ms, slow, "api.request_complete");
            }
            result
        })
    }
}

around_transform!(RequestLog);

/// An error a handler or middleware surfaced, logged once here with its causes: ERROR for a
/// 5xx (a fault of ours), WARN otherwise — and for a 503: a database outage answers every
/// request with one, which must not be an ERROR (a Sentry event) per request.
fn log_error(method: &str, path: &str, status: u16, error: &Error, started: Instant) {
    let duration_ms = millis(started.elapsed());
    let event = error
        .as_error::<ApiError>()
        .map_or("api.request_error", ApiError::log_event);
    if status >= 500 && status != 503 {
        tracing::error!(method, path, status, error = %error, duration_ms, "{event}");
    } else {
        tracing::warn!(method, path, status, error = %error, duration_ms, "{event}");
    }
}

fn millis(elapsed: Duration) -> f64 {
    elapsed.as_secs_f64() * 1000.0
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::AUTHORIZATION;
    use actix_web::{App, HttpResponse, test, web};

    use super::*;
    use crate::middleware::request_id::{AssignRequestId, X_REQUEST_ID};
    use driftguard_observability::LogCapture;
    use serde_json::json;

    async fn fail() -> Result<HttpResponse, Error> {
        Err(actix_web::error::ErrorInternalServerError("disk on fire"))
    }

    #[derive(Debug, thiserror::Error)]
    #[error("connection refused (planted cause)")]
    struct Refused;

    async fn database_down() -> Result<HttpResponse, ApiError> {
        let fault = driftguard_core::DatabaseFault(Box::new(Refused));
        Err(
            driftguard_core::DomainError::unavailable_caused("the database is unavailable", fault)
                .into(),
        )
    }

    async fn query_failed() -> Result<HttpResponse, ApiError> {
        let fault = driftguard_core::DatabaseFault(Box::new(Refused));
        Err(driftguard_core::DomainError::internal_caused("database query failed", fault).into())
    }

    #[actix_web::test]
    async fn a_fault_is_logged_once_with_its_causes_and_an_outage_is_a_warning() {
        let logs = LogCapture::new();
        let _installed = tracing::subscriber::set_default(logs.subscriber("info").expect("level"));
        tracing::callsite::rebuild_interest_cache();
        let app = test::init_service(
            App::new()
                .route("/down", web::get().to(database_down))
                .route("/failed", web::get().to(query_failed))
                .wrap(actix_web::middleware::from_fn(
                    crate::error::finalize_errors,
                ))
                .wrap(RequestLog)
                .wrap(AssignRequestId),
        )
        .await;
        for (path, status, id) in [("/down", 503, "req-down"), ("/failed", 500, "req-failed")] {
            let res = test::TestRequest::get()
                .uri(path)
                .insert_header((X_REQUEST_ID, id))
                .send_request(&app)
                .await;
            assert_eq!(res.status().as_u16(), status);
            let body: serde_json::Value = test::read_body_json(res).await;
            assert!(
                !body.to_string().contains("planted"),
                "a cause leaked: {body}"
            );
        }
        let text = logs.text();
        // The lines that report an error: what a fault must be reported in once.
        let of = |id: &str| -> Vec<serde_json::Value> {
            let reports =
                |m: &str| m.ends_with("database.query_error") || m.ends_with("api.request_error");
            logs.lines()
                .into_iter()
                .filter(|l| l["request_id"] == id && l["msg"].as_str().is_some_and(reports))
                .collect()
        };
        for (id, level) in [("req-down", 40), ("req-failed", 50)] {
            let faults = of(id);
            assert_eq!(faults.len(), 1, "one line for the fault of {id}:\n{text}");
            let line = &faults[0];
            assert!(
                line["msg"]
                    .as_str()
                    .is_some_and(|m| m.ends_with("database.query_error")),
                "{line}"
            );
            assert_eq!(line["level"], level, "{line}");
            assert!(
                line["error"]
                    .as_str()
                    .is_some_and(|e| e.contains("planted cause")),
                "{line}"
            );
        }
        assert!(
            logs.lines()
                .iter()
                .all(|l| l["level"] != 50 || l["request_id"] == "req-failed"),
            "the outage logged an ERROR:\n{text}"
        );
    }

    #[actix_web::test]
    async fn lines_carry_the_request_id_and_no_credentials() {
        let logs = LogCapture::new();
        let _installed = tracing::subscriber::set_default(logs.subscriber("info").expect("level"));
        // Tests on other threads may have cached "no subscriber wants this" for the request
        // span's call site before this subscriber was installed.
        tracing::callsite::rebuild_interest_cache();
        let app = test::init_service(
            App::new()
                .route("/models/{id}", web::get().to(HttpResponse::Ok))
                .route("/fail", web::get().to(fail))
                .wrap(RequestLog)
                .wrap(AssignRequestId),
        )
        .await;
        let ok = test::TestRequest::get()
            .uri("/models/7?skip=0&access_token=planted-query-token")
            .insert_header((X_REQUEST_ID, "req-log-1"))
            .insert_header((AUTHORIZATION, "Bearer planted-bearer-token"))
            .insert_header(("cookie", "session=planted-cookie"))
            .send_request(&app)
            .await;
        assert!(ok.status().is_success());
        let failed = test::TestRequest::get()
            .uri("/fail")
            .insert_header((X_REQUEST_ID, "req-log-2"))
            .send_request(&app)
            .await;
        assert_eq!(failed.status().as_u16(), 500);

        let text = logs.text();
        assert!(!text.contains("planted"), "a credential leaked:\n{text}");
        let find = |event: &str, id: &str| {
            logs.find(event, &[("request_id", json!(id))])
                .unwrap_or_else(|| panic!("no {event} for {id} in:\n{text}"))
        };
        let start = find("api.request_start", "req-log-1");
        assert_eq!(start["path"], "/models/7");
        assert_eq!(start["query"], "skip=0&access_token=[REDACTED]");
        let complete = find("api.request_complete", "req-log-1");
        assert_eq!(complete["route"], "/models/{id}");
        assert_eq!(complete["status"], 200);
        assert_eq!(complete["slow"], false);
        assert!(complete["duration_ms"].is_number());
        assert_eq!(complete["level"], 30, "INFO below 400");
        let error = find("api.request_error", "req-log-2");
        assert_eq!(error["status"], 500);
        assert_eq!(error["level"], 50);
        assert_eq!(
            find("api.request_complete", "req-log-2")["level"],
            40,
            "WARN from 400"
        );
    }
}
