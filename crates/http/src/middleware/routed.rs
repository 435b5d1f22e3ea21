//! The path as the router matches it. actix routes on the percent-decoded path (`%6C` is
//! `l`; `%2F`, `%25` and `%2B` stay encoded), while `req.path()` is the raw one: a limit, an
//! invalidation or a metric label decided on the raw path would miss `/auth/%6Cogin`, which
//! the router serves as `/auth/login`.

use actix_web::HttpRequest;
use actix_web::dev::ServiceRequest;

/// The decoded path the router matches, before or after routing.
pub fn path(req: &ServiceRequest) -> &str {
    req.match_info().as_str()
}

/// The route pattern (`/models/{id}`) the decoded path matches, if any.
pub fn pattern(req: &HttpRequest) -> Option<String> {
    req.resource_map().match_pattern(req.match_info().as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn the_router_s_decoding() {
        let req = TestRequest::post().uri("/auth/%6Cogin").to_srv_request();
        assert_eq!(path(&req), "/auth/login");
        let req = TestRequest::get().uri("/models/a%2Fb").to_srv_request();
        assert_eq!(
            path(&req),
            "/models/a%2Fb",
            "an encoded slash is not a separator"
        );
    }
}
