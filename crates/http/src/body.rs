//! Request bodies, read only when the handler asks — after it has decided who may send one —
//! and never beyond a byte limit.
//!
//! A body is refused before any byte is read when it announces too many bytes (413) or a
//! `Content-Encoding` (415: an inflated body could be far larger than the bytes sent, and
//! no client of this API needs to compress what it sends). JSON bodies must say
//! `application/json` (415 otherwise); a syntax error is a 400, and well-formed JSON of the
//! wrong shape — a missing field, a wrong type, an unknown enum value or field — a 422 whose
//! `errors` name the field by its path (`rules[2].metric`).

use crate::error::ApiError;
use crate::server::HttpSettings;
use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE};
use actix_web::web::{Bytes, BytesMut};
use actix_web::{FromRequest, HttpRequest, web};
use driftguard_app::incoming::{self, BodyError, Refusal};
use driftguard_app::{DataFormat, UploadData};
use driftguard_core::object::Object;
use driftguard_core::{DomainError, FieldError};
use futures_util::StreamExt;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::future::{Ready, ready};

/// The body of a request, not read yet.
pub struct Body {
    req: HttpRequest,
    payload: Payload,
}

impl FromRequest for Body {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        ready(Ok(Self {
            req: req.clone(),
            payload: payload.take(),
        }))
    }
}

/// A `Content-Type` without its parameters, lower-cased (`""` when absent).
pub fn media_type(req: &HttpRequest) -> String {
    req.headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        format!("Request body is larger than {limit} bytes"),
    )
}

fn read_error(e: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request(format!("Could not read the request body: {e}"))
}

/// 415 with what this route takes.
pub fn unsupported(expected: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        format!("Content-Type must be {expected}"),
    )
}

impl Body {
    /// The request this body belongs to.
    pub fn request(&self) -> &HttpRequest {
        &self.req
    }

    /// The declared length, when the client sent one.
    fn declared_length(&self) -> Result<Option<usize>, ApiError> {
        match self.req.headers().get(CONTENT_LENGTH) {
            None => Ok(None),
            Some(value) => value
                .to_str()
                .ok()
                .and_then(|v| v.trim().parse::<usize>().ok())
                .map(Some)
                .ok_or_else(|| ApiError::bad_request("Content-Length is not a number")),
        }
    }

    /// The refusals before any byte is read: 415 for a `Content-Encoding`, 413 for an
    /// announced length over `limit`. Answers the announced length.
    fn check(&self, limit: usize) -> Result<Option<usize>, ApiError> {
        let encoding = self
            .req
            .headers()
            .get(CONTENT_ENCODING)
            .map(|v| v.to_str().unwrap_or("?").trim().to_ascii_lowercase());
        if encoding.is_some_and(|e| !e.is_empty() && e != "identity") {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Request bodies are not taken compressed: send them without Content-Encoding",
            ));
        }
        let declared = self.declared_length()?;
        if declared.is_some_and(|n| n > limit) {
            return Err(too_large(limit));
        }
        Ok(declared)
    }

    /// Every byte of the body, at most `limit` of them.
    pub async fn bytes(self, limit: usize) -> Result<Bytes, ApiError> {
        let declared = self.check(limit)?;
        let mut payload = self.payload;
        if let Some(length) = declared {
            // Sized once: the announced length is at most the limit.
            let mut bytes = BytesMut::with_capacity(length);
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(read_error)?;
                if bytes.len() + chunk.len() > limit {
                    return Err(too_large(limit));
                }
                bytes.extend_from_slice(&chunk);
            }
            return Ok(bytes.freeze());
        }
        // Of unknown length: the chunks as they come, joined once at the end. A buffer grown
        // by doubling would hold the old and the new copy at once (a peak near three bodies,
        // measured by `cargo xtask abuse`); a refused body then costs one body at most.
        let mut chunks = Vec::new();
        let mut total = 0;
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(read_error)?;
            if total + chunk.len() > limit {
                return Err(too_large(limit));
            }
            total += chunk.len();
            chunks.push(chunk);
        }
        if chunks.len() == 1 {
            return Ok(chunks.swap_remove(0));
        }
        let mut bytes = BytesMut::with_capacity(total);
        for chunk in chunks {
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes.freeze())
    }

    fn settings<T>(&self, pick: impl Fn(&HttpSettings) -> T) -> T {
        self.req
            .app_data::<web::Data<HttpSettings>>()
            .map_or_else(|| pick(&HttpSettings::default()), |s| pick(s))
    }

    /// The largest JSON body the settings allow.
    fn json_limit(&self) -> usize {
        self.settings(|s| s.max_json_bytes)
    }

    /// A data upload (reference or current data): CSV, Parquet or the JSON envelope, at most
    /// the settings' upload limit; its format is the one the `Content-Type` names (415 for
    /// another), read here once for the use case. Refused before any byte is read as
    /// [`Body::bytes`] refuses.
    pub fn upload(self) -> Result<Upload, ApiError> {
        let Some(format) = DataFormat::from_content_type(&media_type(&self.req)) else {
            return Err(unsupported(DataFormat::CONTENT_TYPES));
        };
        let limit = self.settings(|s| s.max_upload_bytes);
        let announced = self.check(limit)?;
        Ok(Upload {
            format,
            body: self,
            limit,
            announced,
        })
    }

    /// Whether the request says its body is JSON.
    fn says_json(&self) -> bool {
        is_json(&media_type(&self.req))
    }

    /// The body as JSON of type `T`.
    pub async fn json<T: DeserializeOwned>(self) -> Result<T, ApiError> {
        if !self.says_json() {
            return Err(unsupported("application/json"));
        }
        let limit = self.json_limit();
        parse_json(&self.bytes(limit).await?)
    }

    /// The body as JSON of type `T`, or `T::default()` when there is no body at all (none
    /// sent, or zero bytes). A body that is there must be JSON and must parse.
    pub async fn json_or_default<T: DeserializeOwned + Default>(self) -> Result<T, ApiError> {
        let says_json = self.says_json();
        let limit = self.json_limit();
        let bytes = self.bytes(limit).await?;
        if bytes.is_empty() {
            return Ok(T::default());
        }
        if !says_json {
            return Err(unsupported("application/json"));
        }
        parse_json(&bytes)
    }
}

/// A data upload whose format is known and whose announced length is within the limit,
/// not read yet.
pub struct Upload {
    /// The format the `Content-Type` names.
    pub format: DataFormat,
    body: Body,
    limit: usize,
    announced: Option<usize>,
}

impl Upload {
    /// Every byte (a JSON envelope, which is read whole: see `docs/api.md`).
    pub async fn bytes(self) -> Result<Bytes, ApiError> {
        self.body.bytes(self.limit).await
    }

    /// Runs `use_case` on the data as it arrives, the byte limit held as the bytes come:
    /// 413 past it, 408 for a body that stalls, 400 for one that breaks off, whatever the
    /// use case made of the part it got.
    pub async fn streamed<T, F>(self, use_case: impl FnOnce(UploadData) -> F) -> Result<T, ApiError>
    where
        F: Future<Output = Result<T, DomainError>>,
    {
        let announced = self.announced.map(|n| n as u64);
        let answer = incoming::streamed(self.body.payload, announced, self.limit, use_case).await;
        answer.map_err(|refusal| match refusal {
            Refusal::UseCase(e) => e.into(),
            Refusal::Body(BodyError::TooLarge { limit }) => too_large(limit),
            Refusal::Body(BodyError::Stalled) => ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                "timeout",
                format!(
                    "The request body stalled: nothing arrived for {} s",
                    incoming::IDLE_LIMIT.as_secs()
                ),
            ),
            Refusal::Body(BodyError::Broken(how)) => read_error(how),
        })
    }
}

/// `application/json`, or a `+json` type (`application/merge-patch+json`).
pub fn is_json(media_type: &str) -> bool {
    media_type == "application/json"
        || media_type
            .strip_prefix("application/")
            .is_some_and(|t| t.ends_with("+json"))
}

/// Parses a JSON object into `T`: 400 for a syntax error, 422 naming the field for a wrong
/// shape. Every body of this API is an object (serde alone would take an array for a struct).
pub fn parse_json<'de, T: Deserialize<'de>>(bytes: &'de [u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let Object(value) = serde_path_to_error::deserialize(&mut de).map_err(shape_error)?;
    de.end().map_err(|e| shape_error_at("", e))?;
    Ok(value)
}

fn shape_error(e: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let path = e.path().to_string();
    shape_error_at(&path, e.into_inner())
}

/// The field a serde data error is about: the path where it happened, extended by the
/// field's name for a missing or unknown field (serde reports those at the enclosing object).
fn field_of(path: &str, message: &str) -> String {
    let path = if path == "." { "" } else { path };
    let named = ["missing field `", "unknown field `"]
        .iter()
        .find_map(|prefix| message.strip_prefix(prefix))
        .and_then(|rest| rest.split('`').next());
    match (path, named) {
        ("", Some(name)) => name.to_owned(),
        (path, Some(name)) if !path.ends_with(name) => format!("{path}.{name}"),
        ("", None) => "body".to_owned(),
        (path, _) => path.to_owned(),
    }
}

fn shape_error_at(path: &str, e: serde_json::Error) -> ApiError {
    if !e.is_data() {
        return ApiError::bad_request(format!("Malformed JSON body: {e}"));
    }
    // serde_json appends " at line L column C"; the field path says more.
    let text = e.to_string();
    let message = text
        .rsplit_once(" at line ")
        .map_or(text.as_str(), |(m, _)| m)
        .to_owned();
    let field = field_of(path, &message);
    driftguard_core::DomainError::invalid_fields(vec![FieldError::new(field, message)]).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        metric: String,
        op: Op,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Op {
        Ge,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        name: String,
        rules: Vec<Inner>,
    }

    fn field(body: &str) -> (StatusCode, String) {
        let e = parse_json::<Outer>(body.as_bytes()).expect_err("refused");
        let status = e.status();
        let field = e
            .field_errors()
            .and_then(|f| f.first())
            .map(|f| f.field.clone())
            .unwrap_or_default();
        (status, field)
    }

    #[test]
    fn shape_errors_name_the_field_by_its_path() {
        let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
        assert_eq!(field(r#"{"rules": []}"#), (unprocessable, "name".into()));
        assert_eq!(
            field(r#"{"name": "x", "rules": [{"metric": "m", "op": "lt"}]}"#),
            (unprocessable, "rules[0].op".into())
        );
        assert_eq!(
            field(r#"{"name": "x", "rules": [{"metric": "m", "op": "ge", "extra": 1}]}"#),
            (unprocessable, "rules[0].extra".into())
        );
        assert_eq!(
            field(r#"{"name": "x", "rules": [{"op": "ge"}]}"#),
            (unprocessable, "rules[0].metric".into())
        );
        assert_eq!(
            field(r#"{"name": 5, "rules": []}"#),
            (unprocessable, "name".into())
        );
        assert_eq!(field(r#""text""#), (unprocessable, "body".into()));
        assert_eq!(field("[null, []]"), (unprocessable, "body".into()));
    }

    #[test]
    fn syntax_errors_are_400() {
        for body in [
            r#"{"name": "x","#,
            "{",
            r#"{"name": "x", "rules": []} trailing"#,
        ] {
            let e = parse_json::<Outer>(body.as_bytes()).expect_err("refused");
            assert_eq!(e.status(), StatusCode::BAD_REQUEST, "{body}");
        }
    }

    #[test]
    fn json_media_types() {
        assert!(is_json("application/json"));
        assert!(is_json("application/merge-patch+json"));
        assert!(!is_json("text/plain"));
        assert!(!is_json("application/jsonx"));
    }
}
