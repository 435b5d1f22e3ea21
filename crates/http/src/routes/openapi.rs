//! `/openapi.json`: the API description, generated from the route handlers themselves.

use actix_web::{HttpResponse, get, web};

/// The rendered OpenAPI document, built once at start.
#[derive(Debug, Clone)]
pub struct OpenApiDocument(pub String);

/// The OpenAPI 3.1 description of every route.
#[utoipa::path(tag = "meta", responses((status = 200, description = "OpenAPI document")))]
#[get("/openapi.json")]
pub async fn document(doc: web::Data<OpenApiDocument>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(doc.0.clone())
}
