//! Cross-cutting HTTP middleware: request ids, request logging, metrics, rate limiting and
//! CORS. (Cached answers are invalidated by the use cases that write, through the
//! `ChangeFeed` port the answer cache implements, not here.)
//!
//! Intended order, outermost first:
//!
//! 1. [`cors::cors`] — outside the limiter, so that 429s and errors keep their CORS headers;
//! 2. [`request_id::AssignRequestId`] — every later layer and log line sees the id, then
//!    [`client_ip::ResolveClientIp`] — every later layer and log line sees the same client;
//! 3. [`request_log::RequestLog`] and [`metrics::RecordMetrics`] — they see the final status,
//!    429s included;
//! 4. [`rate_limit::RateLimit`] — before routing and before any extractor reads the body, so
//!    malformed requests count too;
//! 5. the application (routes, error finalisation).
//!
//! actix applies `.wrap()` in reverse (the last one wrapped is the outermost), so:
//!
//! ```ignore
//! App::new()
//!     // ... routes, .wrap(from_fn(finalize_errors)) ...
//!     .wrap(RateLimit::new(rate_limit_settings, limiter, metrics.clone())?)
//!     .wrap(RecordMetrics::new(metrics))
//!     .wrap(RequestLog)
//!     .wrap(ResolveClientIp::new(trusted_proxies))
//!     .wrap(AssignRequestId)
//!     .wrap(cors(&cors_settings))
//! ```

pub mod around;
pub mod client_ip;
pub mod cors;
pub mod metrics;
pub mod rate_limit;
pub mod rate_limit_rules;
pub mod request_id;
pub mod request_log;
pub mod routed;

#[cfg(test)]
mod stack_tests;
