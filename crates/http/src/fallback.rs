//! What a request that no route took gets: 405 with `Allow` when its path is one of the API's
//! (the method is what is wrong), else 404. Both in the JSON error body.
//!
//! The known paths and their methods are read from the OpenAPI document, which is generated
//! from the same route registrations the router uses, so the two cannot disagree.

use crate::error::ApiError;
use actix_web::dev::ResourceDef;
use actix_web::http::StatusCode;
use actix_web::http::header::{ALLOW, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError};

/// Every documented path with the methods it answers.
#[derive(Debug, Clone)]
pub struct KnownRoutes(Vec<(ResourceDef, HeaderValue)>);

impl KnownRoutes {
    /// The paths and methods of `doc`.
    pub fn from_openapi(doc: &utoipa::openapi::OpenApi) -> Self {
        let routes = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let mut methods: Vec<&str> = [
                    ("GET", item.get.is_some()),
                    ("HEAD", item.head.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ]
                .into_iter()
                .filter_map(|(method, present)| present.then_some(method))
                .collect();
                // OPTIONS is answered on every path (CORS preflights).
                methods.push("OPTIONS");
                let allow = HeaderValue::from_str(&methods.join(", "))
                    .unwrap_or_else(|_| HeaderValue::from_static("OPTIONS"));
                (ResourceDef::new(path.as_str()), allow)
            })
            .collect();
        Self(routes)
    }

    /// The `Allow` value of the documented path `path` matches, if any.
    fn allow(&self, path: &str) -> Option<&HeaderValue> {
        self.0
            .iter()
            .find(|(def, _)| def.is_match(path))
            .map(|(_, allow)| allow)
    }

    /// The answer for a request no route took.
    pub fn respond(&self, req: &HttpRequest) -> HttpResponse {
        match self.allow(req.match_info().as_str()) {
            Some(allow) => {
                let mut response = ApiError::new(
                    StatusCode::METHOD_NOT_ALLOWED,
                    "method_not_allowed",
                    format!(
                        "{} is not allowed on {}; allowed: {}",
                        req.method(),
                        req.path(),
                        allow.to_str().unwrap_or_default()
                    ),
                )
                .error_response();
                response.headers_mut().insert(ALLOW, allow.clone());
                response
            }
            None => {
                ApiError::new(StatusCode::NOT_FOUND, "not_found", "No such route").error_response()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn routes() -> KnownRoutes {
        KnownRoutes::from_openapi(&crate::openapi())
    }

    #[test]
    fn a_known_path_with_a_wrong_method_is_405_with_allow() {
        let req = TestRequest::delete().uri("/models").to_http_request();
        let response = routes().respond(&req);
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(
            response.headers().get(ALLOW).expect("Allow"),
            "GET, POST, OPTIONS"
        );
        let req = TestRequest::post().uri("/models/7").to_http_request();
        let response = routes().respond(&req);
        assert_eq!(
            response.headers().get(ALLOW).expect("Allow"),
            "GET, PATCH, DELETE, OPTIONS"
        );
    }

    #[test]
    fn an_unknown_path_is_404() {
        let req = TestRequest::get().uri("/nothing/here").to_http_request();
        let response = routes().respond(&req);
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert!(response.headers().get(ALLOW).is_none());
    }
}
