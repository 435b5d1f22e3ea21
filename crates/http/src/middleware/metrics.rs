//! Request metrics: `app_requests_total` and `app_request_duration_seconds`, labelled with
//! the matched route pattern (`/models/{id}`), never the raw path, so label sets stay bounded.

use std::rc::Rc;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceRequest};
use driftguard_observability::Metrics;

use super::around::{Around, Next, Reply, around_transform};
use super::request_log::UNMATCHED_ROUTE;

/// Middleware counting and timing every request into [`Metrics`].
#[derive(Debug, Clone)]
pub struct RecordMetrics {
    metrics: Metrics,
}

impl RecordMetrics {
    /// Records into `metrics`.
    pub fn new(metrics: Metrics) -> Self {
        Self { metrics }
    }
}

impl Around for RecordMetrics {
    type Body<B: MessageBody + 'static> = B;

    fn around<S: Next<B>, B: MessageBody + 'static>(
        &self,
        next: Rc<S>,
        req: ServiceRequest,
    ) -> Reply<B> {
        let started = Instant::now();
        let method = req.method().to_string();
        let metrics = self.metrics.clone();
        let fut = next.call(req);
        Box::pin(async move {
            let result = fut.await;
            let (status, route) = match &result {
                Ok(res) => (res.status().as_u16(), super::routed::pattern(res.request())),
                Err(error) => (error.as_response_error().status_code().as_u16(), None),
            };
            let endpoint = route.as_deref().unwrap_or(UNMATCHED_ROUTE);
            metrics.observe_request(&method, endpoint, status, started.elapsed());
            result
        })
    }
}

around_transform!(RecordMetrics);

#[cfg(test)]
mod tests {
    use actix_web::{App, HttpResponse, test, web};

    use super::*;

    #[actix_web::test]
    async fn endpoints_are_route_patterns_never_raw_paths() {
        let metrics = Metrics::new().expect("registry");
        let app = test::init_service(
            App::new()
                .service(
                    web::scope("/models")
                        .route("/{id}", web::get().to(HttpResponse::Ok))
                        .route("/{id}/deploy", web::post().to(HttpResponse::Conflict)),
                )
                .wrap(RecordMetrics::new(metrics.clone())),
        )
        .await;
        for uri in ["/models/1", "/models/2", "/models/3"] {
            test::TestRequest::get().uri(uri).send_request(&app).await;
        }
        test::TestRequest::post()
            .uri("/models/9/deploy")
            .send_request(&app)
            .await;
        test::TestRequest::get()
            .uri("/no/such/path/4711")
            .send_request(&app)
            .await;

        let text = metrics.render();
        for expected in [
            r#"app_requests_total{endpoint="/models/{id}",method="GET",status="200"} 3"#,
            r#"app_requests_total{endpoint="/models/{id}/deploy",method="POST",status="409"} 1"#,
            r#"app_requests_total{endpoint="unmatched",method="GET",status="404"} 1"#,
            r#"app_request_duration_seconds_count{endpoint="/models/{id}"} 3"#,
        ] {
            assert!(text.contains(expected), "missing {expected}:\n{text}");
        }
        assert!(!text.contains("/models/1"), "raw paths never become labels");
        assert!(!text.contains("4711"));
    }
}
