//! Credential redaction for log lines, request data and headers.
//!
//! Keys are matched by name ([`is_sensitive_key`]); free text is scanned for `Bearer`/`Basic`
//! credentials and `password=…`-style pairs ([`scrub_text`]). Every line the logging layers
//! write goes through [`redact_json`], so a careless field cannot leak a secret.

use std::borrow::Cow;

use serde_json::Value;

/// What a redacted value is replaced with.
pub const REDACTED: &str = "[REDACTED]";

/// Parts of a key name that mark its value as a credential (compared in lower case).
const SENSITIVE_KEY_PARTS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "authorization",
    "cookie",
    "api_key",
    "api-key",
    "apikey",
    "credential",
    "private_key",
];

/// HTTP authentication schemes whose following word is a credential.
const AUTH_SCHEMES: &[&str] = &["bearer ", "basic "];

/// Whether a field, header, query parameter or JSON key named `key` holds a credential.
pub fn is_sensitive_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    SENSITIVE_KEY_PARTS.iter().any(|part| key.contains(part))
}

/// Replaces, in place, the value of every sensitive key at any depth, and scrubs strings.
pub fn redact_json(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                if is_sensitive_key(key) && !inner.is_null() {
                    *inner = Value::String(REDACTED.to_owned());
                } else {
                    redact_json(inner);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_json),
        Value::String(text) => {
            if let Cow::Owned(scrubbed) = scrub_text(text) {
                *text = scrubbed;
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// A header value fit for a log line: itself, or [`REDACTED`] for credential headers.
pub fn redact_header<'a>(name: &str, value: &'a str) -> &'a str {
    if is_sensitive_key(name) {
        REDACTED
    } else {
        value
    }
}

/// A query string with the value of every sensitive parameter replaced by [`REDACTED`].
pub fn redact_query(query: &str) -> String {
    query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if is_sensitive_key(name) => format!("{name}={REDACTED}"),
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// A request body fit for an error report: JSON with sensitive keys redacted, else scrubbed
/// text.
pub fn redact_body(body: &str) -> String {
    match serde_json::from_str::<Value>(body) {
        Ok(mut json) => {
            redact_json(&mut json);
            json.to_string()
        }
        Err(_) => scrub_text(body).into_owned(),
    }
}

/// Free text with credentials replaced: the word after `Bearer `/`Basic `, the value in
/// `password=…`, `"token": "…"` and similar pairs, and any bare JWT (`eyJ….….…`, wherever
/// it stands). Borrows when there was nothing to replace.
pub fn scrub_text(text: &str) -> Cow<'_, str> {
    let lower = text.to_ascii_lowercase();
    let bytes = text.as_bytes();
    let mut spans: Vec<(usize, usize)> = jwt_spans(bytes);
    for scheme in AUTH_SCHEMES {
        for (at, _) in lower.match_indices(scheme) {
            let start = at + scheme.len();
            spans.push((start, value_end(bytes, start)));
        }
    }
    for part in SENSITIVE_KEY_PARTS {
        for (at, _) in lower.match_indices(part) {
            if let Some(start) = pair_value_start(bytes, at + part.len()) {
                // `Authorization: Bearer x` hides the scheme and the credential as one.
                let credential = AUTH_SCHEMES
                    .iter()
                    .find(|scheme| lower[start..].starts_with(*scheme))
                    .map_or(start, |scheme| start + scheme.len());
                spans.push((start, value_end(bytes, credential)));
            }
        }
    }
    // Already-redacted values stay as they are, so redacting twice changes nothing.
    spans.retain(|&(start, end)| end > start && !text[start..].starts_with(REDACTED));
    if spans.is_empty() {
        return Cow::Borrowed(text);
    }
    spans.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (start, end) in spans {
        if start < copied {
            // Overlaps a span already replaced.
            continue;
        }
        // Span bounds sit next to ASCII bytes, so they are char boundaries.
        out.push_str(&text[copied..start]);
        out.push_str(REDACTED);
        copied = end;
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

fn is_base64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// Where JWTs stand in `bytes`: three base64url parts joined by dots, the first starting
/// with `eyJ` (a JSON header, `{"`), not inside a longer word.
fn jwt_spans(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut from = 0;
    while let Some(offset) = memchr_str(&bytes[from..], b"eyJ") {
        let start = from + offset;
        from = start + 3;
        if start > 0 && is_base64url(bytes[start - 1]) {
            continue;
        }
        let mut end = start;
        let mut dots = 0;
        while end < bytes.len() && (is_base64url(bytes[end]) || (bytes[end] == b'.' && dots < 2)) {
            dots += usize::from(bytes[end] == b'.');
            end += 1;
        }
        if dots == 2 {
            spans.push((start, end));
            from = end;
        }
    }
    spans
}

/// The first place `needle` stands in `haystack`.
fn memchr_str(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// After a sensitive word ending at `i`: where the value of a `key=value` / `"key": "value"`
/// pair starts, if a pair follows.
fn pair_value_start(bytes: &[u8], mut i: usize) -> Option<usize> {
    let skip = |i: &mut usize, pred: fn(u8) -> bool| {
        while *i < bytes.len() && pred(bytes[*i]) {
            *i += 1;
        }
    };
    // The rest of the key (`token_type`, `password2`), its closing quote, spaces.
    skip(&mut i, |b| {
        b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
    });
    skip(&mut i, |b| b == b'"' || b == b'\'');
    skip(&mut i, |b| b == b' ');
    if i >= bytes.len() || !(bytes[i] == b'=' || bytes[i] == b':') {
        return None;
    }
    i += 1;
    skip(&mut i, |b| b == b' ');
    skip(&mut i, |b| b == b'"' || b == b'\'');
    Some(i)
}

/// Where a credential starting at `start` ends: at whitespace, a quote or a separator.
fn value_end(bytes: &[u8], start: usize) -> usize {
    bytes[start.min(bytes.len())..]
        .iter()
        .position(|b| b.is_ascii_whitespace() || b"\"'&,;}]".contains(b))
        .map_or(bytes.len(), |offset| start + offset)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sensitive_keys_are_recognised_in_any_case() {
        for key in [
            "password",
            "Authorization",
            "X-Api-Key",
            "access_token",
            "COOKIE",
        ] {
            assert!(is_sensitive_key(key), "{key}");
        }
        for key in ["email", "user_agent", "key_class", "duration_ms"] {
            assert!(!is_sensitive_key(key), "{key}");
        }
    }

    #[test]
    fn json_values_are_redacted_at_any_depth() {
        let mut value = json!({
            "email": "a@b.c",
            "password": "hunter2",
            "nested": [{"client_secret": "s3cr3t", "note": "Bearer abc.def"}],
            "token": null,
        });
        redact_json(&mut value);
        assert_eq!(
            value,
            json!({
                "email": "a@b.c",
                "password": REDACTED,
                "nested": [{"client_secret": REDACTED, "note": "Bearer [REDACTED]"}],
                "token": null,
            })
        );
    }

    #[test]
    fn free_text_loses_credentials_and_keeps_the_rest() {
        assert_eq!(
            scrub_text("login password=hunter2 for a@b.c"),
            "login password=[REDACTED] for a@b.c"
        );
        assert_eq!(
            scrub_text(r#"{"access_token": "eyJ.x.y", "ok": true}"#),
            r#"{"access_token": "[REDACTED]", "ok": true}"#
        );
        assert_eq!(
            scrub_text("Authorization: Bearer eyJ.x"),
            "Authorization: [REDACTED]"
        );
        assert_eq!(scrub_text("nothing to see"), "nothing to see");
        assert_eq!(
            scrub_text("résumé token=é€x, done"),
            "résumé token=[REDACTED], done"
        );
        assert_eq!(scrub_text("ends with secret:"), "ends with secret:");
        assert_eq!(
            scrub_text("sent eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln-_x to a peer"),
            "sent [REDACTED] to a peer",
            "a bare JWT, wherever it stands"
        );
        assert_eq!(
            scrub_text("unsigned eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0. end"),
            "unsigned [REDACTED] end"
        );
        assert_eq!(
            scrub_text("keyJ.a.b"),
            "keyJ.a.b",
            "inside a word it is not a token"
        );
        assert_eq!(scrub_text("eyJ only.one"), "eyJ only.one");
        let once = scrub_text("token=abc&password=[x]").into_owned();
        assert_eq!(scrub_text(&once), once, "idempotent");
    }

    #[test]
    fn queries_headers_and_bodies() {
        assert_eq!(
            redact_query("skip=0&token=abc&limit=10"),
            "skip=0&token=[REDACTED]&limit=10"
        );
        assert_eq!(redact_header("authorization", "Bearer x"), REDACTED);
        assert_eq!(redact_header("user-agent", "curl"), "curl");
        assert_eq!(
            redact_body(r#"{"email":"a@b.c","password":"pw"}"#),
            r#"{"email":"a@b.c","password":"[REDACTED]"}"#
        );
        assert_eq!(redact_body("password=pw&x=1"), "password=[REDACTED]&x=1");
    }
}
