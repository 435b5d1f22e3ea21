//! The catalogue of hostile requests (issue: "a huge header, a huge row, 10^5 columns, a
//! gzip bomb, deeply nested JSON, 10^6 distinct categories, crafted hash collisions, a
//! 10,000 × 1,000 exact-KS request"), with the answers each may get.

use super::bodies;
use super::http::{Answer, Payload, Request};
use super::session::Session;

/// The sizes the cases are built from.
pub struct Params {
    /// `max_upload_bytes` of the server.
    pub upload_limit: usize,
    /// `max_json_bytes` of the server.
    pub json_limit: usize,
    /// Numeric columns of the exact-KS evaluation.
    pub ks_columns: usize,
}

/// One hostile request.
pub struct Case {
    /// What `--only` takes.
    pub name: &'static str,
    /// What it sends.
    pub what: &'static str,
    /// The statuses it may get (a 503 is always allowed: the bound of concurrent uploads).
    pub expected: &'static [u16],
    /// Reference data uploaded during the set-up, before the peak RSS is reset.
    pub reference: Option<fn(&Params) -> Vec<u8>>,
    /// The request, built before the clock starts.
    pub request: fn(&Params, &Session) -> anyhow::Result<Request>,
    /// A further rule on the answer: what is wrong with it, if anything.
    pub check: Option<fn(&Answer) -> Option<String>>,
}

/// Reference rows of the exact-KS case: the largest size scipy's `auto` mode (and ours)
/// still computes exactly.
const KS_ROWS: usize = 10_000;

/// The current data's shift: against 10,000 values `0..10,000`, 9,999 values shifted by `s`
/// have D = s / 10,000, and the exact recursion for those unequal sizes takes about
/// 10,000 · (2·D·9,999 + 1) steps: 9.98 · 10^6 at s = 499, just under the work bound of
/// crates/stats/src/drift/ks.rs (10^7), the most any column can cost. A larger D would be
/// cheaper: past the bound the p-value is the asymptotic one.
const KS_SHIFT: usize = 499;

/// Bytes of each line of the long-labels case, its line break included: the upload limit
/// is reached with few enough labels (about 50,000 at 64 MiB) that the category limit is
/// not, so the memory the dictionary takes per byte sent is what the case measures.
const LONG_LABEL: usize = 1_000;

fn reference_path(session: &Session) -> String {
    format!("/models/{}/reference", session.model)
}

/// A reference upload of `bytes` as the engineer.
fn upload(session: &Session, content_type: &str, bytes: Vec<u8>) -> Request {
    Request::new("PUT", reference_path(session))
        .header("Authorization", &session.engineer)
        .body(content_type, bytes)
}

/// The gzip bomb, `Content-Encoding: gzip`, signed with `token`.
fn bomb(params: &Params, session: &Session, token: &str) -> anyhow::Result<Request> {
    Ok(Request::new("PUT", reference_path(session))
        .header("Authorization", token)
        .header("Content-Encoding", "gzip")
        .body("text/csv", bodies::gzip_bomb(4 * params.upload_limit)?))
}

/// Every case, in the order they run.
pub fn all() -> Vec<Case> {
    vec![
        Case {
            name: "http-header",
            what: "GET /models with a 1 MiB request header",
            expected: &[400, 413, 431],
            reference: None,
            request: |_, s| {
                Ok(Request::new("GET", "/models")
                    .header("Authorization", &s.engineer)
                    .header("X-Padding", "a".repeat(1 << 20)))
            },
            check: None,
        },
        Case {
            name: "csv-header",
            what: "PUT reference: a CSV header of 8 MiB, 64 distinct names (record limit 1 MiB)",
            expected: &[413],
            reference: None,
            request: |_, s| Ok(upload(s, "text/csv", bodies::long_header(8 << 20, 64))),
            check: None,
        },
        Case {
            name: "huge-row",
            what: "PUT reference: one row of 3/4 of the upload limit",
            expected: &[413],
            reference: None,
            request: |p, s| {
                Ok(upload(
                    s,
                    "text/csv",
                    bodies::long_row(p.upload_limit / 4 * 3),
                ))
            },
            check: None,
        },
        Case {
            name: "wide",
            what: "PUT reference: 100,000 columns (a 0.6 MiB header) and a row",
            expected: &[413],
            reference: None,
            request: |_, s| Ok(upload(s, "text/csv", bodies::wide(100_000))),
            check: None,
        },
        Case {
            name: "gzip-bomb",
            what: "PUT reference: gzip inflating to 4x the upload limit, as the engineer",
            expected: &[415],
            reference: None,
            request: |p, s| bomb(p, s, &s.engineer),
            check: None,
        },
        Case {
            name: "gzip-bomb-viewer",
            what: "the same gzip bomb from a viewer",
            expected: &[403],
            reference: None,
            request: |p, s| bomb(p, s, &s.viewer),
            check: None,
        },
        Case {
            name: "deep-json",
            what: "PUT reference: {\"data\": [[[…]]]} 100,000 arrays deep",
            expected: &[400, 422],
            reference: None,
            request: |_, s| Ok(upload(s, "application/json", bodies::deep_json(100_000))),
            check: None,
        },
        Case {
            name: "categories",
            what: "PUT reference: one column of 1,000,000 distinct labels",
            expected: &[422],
            reference: None,
            request: |_, s| Ok(upload(s, "text/csv", bodies::categories(1_000_000))),
            check: Some(|answer| {
                (!answer.text().contains("`city`"))
                    .then(|| "the answer does not name the column `city`".into())
            }),
        },
        Case {
            name: "similar-labels",
            what: "PUT reference: 90,000 distinct 200-byte labels differing in 5 bytes",
            expected: &[200, 422],
            reference: None,
            request: |_, s| Ok(upload(s, "text/csv", bodies::similar_labels(90_000, 200))),
            check: None,
        },
        Case {
            name: "long-labels",
            what: "PUT reference: distinct 1,000-byte labels filling 3/4 of the upload limit",
            expected: &[200, 413, 422],
            reference: None,
            request: |p, s| {
                let labels = p.upload_limit / 4 * 3 / LONG_LABEL;
                let csv = bodies::similar_labels(labels, LONG_LABEL - 1);
                Ok(upload(s, "text/csv", csv))
            },
            check: None,
        },
        Case {
            name: "exact-ks",
            what: "POST evaluation ?drift_method=ks: 9,999 rows against 10,000, D = 0.0499",
            expected: &[201, 413, 422],
            reference: Some(|p| bodies::numeric(p.ks_columns, KS_ROWS, 0)),
            request: |p, s| {
                let path = format!("/models/{}/evaluations?drift_method=ks", s.model);
                let csv = bodies::numeric(p.ks_columns, KS_ROWS - 1, KS_SHIFT);
                Ok(Request::new("POST", path)
                    .header("Authorization", &s.engineer)
                    .body("text/csv", csv))
            },
            check: None,
        },
        Case {
            name: "json-limit",
            what: "POST /models: a JSON body 1 byte over max_json_bytes",
            expected: &[413],
            reference: None,
            request: |p, s| {
                let head = br#"{"name": "x", "version": "1", "task": "regression", "risk_tier": "low", "description": ""#;
                let mut json = head.to_vec();
                json.resize(p.json_limit - 1, b'a');
                json.extend_from_slice(b"\"}");
                Ok(Request::new("POST", "/models")
                    .header("Authorization", &s.engineer)
                    .body("application/json", json))
            },
            check: None,
        },
        Case {
            name: "announced-length",
            what: "PUT reference: Content-Length 1 byte over the limit, no byte sent",
            expected: &[413],
            reference: None,
            request: |p, s| {
                Ok(Request::new("PUT", reference_path(s))
                    .header("Authorization", &s.engineer)
                    .header("Content-Type", "text/csv")
                    .payload(Payload::Announced(p.upload_limit as u64 + 1)))
            },
            check: None,
        },
        Case {
            name: "chunked-over",
            what: "PUT reference: chunked, no length, 1 MiB past the upload limit",
            expected: &[413],
            reference: None,
            request: |p, s| {
                Ok(Request::new("PUT", reference_path(s))
                    .header("Authorization", &s.engineer)
                    .header("Content-Type", "text/csv")
                    .payload(Payload::Chunked(p.upload_limit as u64 + (1 << 20))))
            },
            check: None,
        },
    ]
}
