//! The one HTTP error type and the error policy: every failure, ours or actix's, answers
//! with the JSON body of SPEC §3 — `{detail, code, request_id}` plus `errors` for invalid
//! fields. Internal details are logged, never sent: a 500 says only that something failed.

use crate::middleware::request_id::RequestId;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_TYPE, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, ResponseError};
use driftguard_core::{DomainError, FieldError};
use serde::Serialize;

/// The JSON error body.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// What went wrong, for a person.
    pub detail: String,
    /// A stable machine-readable code.
    pub code: String,
    /// The request's id, to quote when asking for help.
    pub request_id: String,
    /// The invalid fields of a 422.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub errors: Option<Vec<FieldError>>,
    /// Extra structured context (for example the governance result of a blocked deploy).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub extra: Option<serde_json::Map<String, serde_json::Value>>,
}

/// An error on its way to becoming an HTTP response.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    detail: String,
    errors: Option<Vec<FieldError>>,
    extra: Option<Box<serde_json::Map<String, serde_json::Value>>>,
    retry_after: Option<u64>,
    /// The fault underneath (a domain error and its causes) and the event it is logged as,
    /// for the one log line of the request; never in the body.
    cause: Option<Box<(String, &'static str)>>,
}

impl ApiError {
    /// An error with this status, code and message.
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            code,
            detail: detail.into(),
            errors: None,
            extra: None,
            retry_after: None,
            cause: None,
        }
    }

    /// Adds `Retry-After: seconds` to the response (503 when busy, 429).
    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// Adds the fields of a JSON object to the body (for example the `governance_result` of
    /// a blocked deploy); anything but an object adds nothing.
    pub fn with_extra(mut self, extra: serde_json::Value) -> Self {
        if let serde_json::Value::Object(map) = extra {
            self.extra = Some(Box::new(map));
        }
        self
    }

    /// 400: the body is not valid JSON (or CSV, or whatever it claims to be).
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", detail)
    }

    /// 422 about one field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        DomainError::invalid_field(field, message).into()
    }

    /// The invalid fields of a 422.
    pub fn field_errors(&self) -> Option<&[FieldError]> {
        self.errors.as_deref()
    }

    /// The status this error answers with.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The event the request log reports this error as: `database.query_error` for a
    /// database fault, else `api.request_error`.
    pub fn log_event(&self) -> &'static str {
        self.cause
            .as_ref()
            .map_or("api.request_error", |cause| cause.1)
    }

    /// The body for a request with this id.
    fn body(&self, request_id: String) -> ErrorBody {
        ErrorBody {
            detail: self.detail.clone(),
            code: self.code.to_owned(),
            request_id,
            errors: self.errors.clone(),
            extra: self.extra.as_deref().cloned(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.detail)?;
        match &self.cause {
            Some(cause) => write!(f, " ({})", cause.0),
            None => Ok(()),
        }
    }
}

impl From<DomainError> for ApiError {
    /// The status is the domain's ([`DomainError::status`], shared with the UI); the code
    /// and the words are the API's.
    fn from(e: DomainError) -> Self {
        let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let retry_after = e.retry_after_secs();
        let error = match e {
            DomainError::NotFound(m) => Self::new(status, "not_found", m),
            DomainError::Conflict(m) => Self::new(status, "conflict", m),
            DomainError::Invalid { message, errors } => Self {
                errors: Some(errors),
                ..Self::new(status, "validation_error", message)
            },
            DomainError::Unauthorized(m) => Self::new(status, "unauthorized", m),
            DomainError::Forbidden(m) => Self::new(status, "forbidden", m),
            DomainError::TooLarge(m) => Self::new(status, "too_large", m),
            DomainError::Busy(m) => Self::new(status, "busy", m),
            // Not logged here: the request log's `api.request_error` logs it once, with the
            // chain of causes kept in `cause` (WARN for a 503, ERROR for a 500).
            e @ DomainError::Unavailable { .. } => Self {
                cause: Some(Box::new((e.chain(), e.log_event()))),
                ..Self::new(
                    status,
                    "unavailable",
                    "The service is temporarily unavailable; try again shortly",
                )
            },
            e @ DomainError::StorageFull { .. } => Self {
                cause: Some(Box::new((e.chain(), e.log_event()))),
                ..Self::new(
                    status,
                    "insufficient_storage",
                    "The database has no space left: nothing was saved. Reads still work; \
                     try again once space has been freed",
                )
            },
            e @ DomainError::Internal { .. } => Self {
                cause: Some(Box::new((e.chain(), e.log_event()))),
                ..Self::new(status, "internal_error", "Internal server error")
            },
        };
        match retry_after {
            Some(seconds) => error.with_retry_after(seconds),
            None => error,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    /// The body is rendered without a request id here (actix gives no request); the
    /// [`finalize_errors`] middleware renders it again with the id.
    fn error_response(&self) -> HttpResponse<BoxBody> {
        self.response_with_id(String::new())
    }
}

impl ApiError {
    /// The response with `request_id` already in its body: for middleware that answers
    /// outside [`finalize_errors`] (the rate limiter), and for `error_response`.
    pub fn response_with_id(&self, request_id: String) -> HttpResponse<BoxBody> {
        let body = self.body(request_id);
        let mut response = HttpResponse::build(self.status).json(&body);
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(
                actix_web::http::header::RETRY_AFTER,
                HeaderValue::from(seconds),
            );
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                actix_web::http::header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer"),
            );
        }
        response.extensions_mut().insert(body);
        response
    }
}

/// The code and message for an error response that did not come from [`ApiError`] (actix's
/// own 404s, 405s, payload errors), by status.
fn generic(status: StatusCode) -> ApiError {
    let (code, detail) = match status {
        StatusCode::NOT_FOUND => ("not_found", "Not found"),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "Method not allowed"),
        StatusCode::PAYLOAD_TOO_LARGE => ("too_large", "Request body is too large"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ("unsupported_media_type", "Unsupported content type")
        }
        StatusCode::UNAUTHORIZED => ("unauthorized", "Not authenticated"),
        StatusCode::FORBIDDEN => ("forbidden", "Forbidden"),
        StatusCode::TOO_MANY_REQUESTS => ("rate_limited", "Rate limit exceeded"),
        s if s.is_client_error() => ("bad_request", "Bad request"),
        _ => ("internal_error", "Internal server error"),
    };
    ApiError::new(status, code, detail)
}

/// Whether a response is an HTML page.
fn is_html<B>(response: &ServiceResponse<B>) -> bool {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

/// Makes every error response but an HTML page the JSON error body with the request's id:
/// ours are rendered again with the id, anything else (actix's plain-text defaults) is
/// replaced.
pub async fn finalize_errors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .map(|id| id.0.clone())
        .unwrap_or_default();
    let response = next.call(req).await?.map_into_boxed_body();
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || is_html(&response) {
        // An HTML error page (the dashboard UI's) is already what its reader needs.
        return Ok(response);
    }
    let ours = response.response().extensions().get::<ErrorBody>().cloned();
    let body = match ours {
        Some(mut body) => {
            body.request_id = request_id;
            body
        }
        None => generic(status).body(request_id),
    };
    let (req, old) = response.into_parts();
    // The old response with the new body: it keeps its headers and the error it carries,
    // which the request log reports (once, with its causes).
    let json = serde_json::to_vec(&body).unwrap_or_default();
    let mut new = old.set_body(BoxBody::new(json));
    new.headers_mut()
        .remove(actix_web::http::header::CONTENT_LENGTH);
    new.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok(ServiceResponse::new(req, new))
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftguard_core::DatabaseFault;

    #[test]
    fn a_full_disk_is_a_507_logged_as_a_database_error() {
        let full = DomainError::storage_full_caused(
            "the database has no space left; nothing was written",
            DatabaseFault("database or disk is full".into()),
        );
        let error = ApiError::from(full);
        assert_eq!(error.status(), StatusCode::INSUFFICIENT_STORAGE);
        assert_eq!(error.log_event(), "database.query_error");
        let body = error.body("req-1".into());
        assert_eq!(body.code, "insufficient_storage");
        assert!(body.detail.contains("no space left"), "{}", body.detail);
        assert!(
            !body.detail.contains("database or disk is full"),
            "the database's own words stay in the log"
        );
    }
}
