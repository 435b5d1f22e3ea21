//! The libpq TLS parameters of a PostgreSQL URL (`sslmode`, `sslrootcert`, `sslcert`,
//! `sslkey`): taken out of the URL before tokio-postgres reads the rest (it knows only part of
//! them), and added to it from the settings where the URL does not name them, so that every
//! tool that gets the URL — the pool, migrations, `pg_dump` — connects the same way.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// What a query value keeps unescaped: letters, digits and the characters paths use.
const VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'/')
    .remove(b'.')
    .remove(b'-')
    .remove(b'_')
    .remove(b'~');

/// A URL split into its TLS parameters and the rest.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct TlsParams {
    /// The URL without the TLS parameters.
    pub(super) rest: String,
    pub(super) sslmode: Option<String>,
    pub(super) sslrootcert: Option<String>,
    pub(super) sslcert: Option<String>,
    pub(super) sslkey: Option<String>,
}

/// Splits the TLS parameters (percent-decoded) off `url`; a later repeat of a key wins, as in
/// libpq.
pub(super) fn split(url: &str) -> TlsParams {
    let Some((base, query)) = url.split_once('?') else {
        return TlsParams {
            rest: url.to_owned(),
            ..TlsParams::default()
        };
    };
    let mut params = TlsParams::default();
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let decoded = || Some(percent_decode_str(value).decode_utf8_lossy().into_owned());
        match key {
            "sslmode" => params.sslmode = decoded(),
            "sslrootcert" => params.sslrootcert = decoded(),
            "sslcert" => params.sslcert = decoded(),
            "sslkey" => params.sslkey = decoded(),
            _ => kept.push(pair),
        }
    }
    params.rest = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    params
}

/// `url` with `key=value` added for each pair whose key the URL does not name yet (the URL
/// wins, as libpq's URL parameters win over its environment variables).
pub fn with_default_params(url: &str, defaults: &[(&str, Option<&str>)]) -> String {
    let present = |key: &str| {
        url.split_once('?').is_some_and(|(_, query)| {
            query
                .split('&')
                .any(|pair| pair.split_once('=').map_or(pair, |(k, _)| k) == key)
        })
    };
    let mut out = url.to_owned();
    for (key, value) in defaults {
        let Some(value) = value else { continue };
        if present(key) {
            continue;
        }
        out.push(if out.contains('?') { '&' } else { '?' });
        out.push_str(key);
        out.push('=');
        out.extend(utf8_percent_encode(value, VALUE));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_parameters_leave_the_url() {
        let params = split(
            "postgres://u@db:5432/dg?sslmode=verify-full&application_name=x&sslrootcert=%2Fetc%2Fca%20b.pem",
        );
        assert_eq!(params.rest, "postgres://u@db:5432/dg?application_name=x");
        assert_eq!(params.sslmode.as_deref(), Some("verify-full"));
        assert_eq!(params.sslrootcert.as_deref(), Some("/etc/ca b.pem"));
        assert_eq!(params.sslcert, None);
        assert_eq!(
            split("postgres://u@db/dg?sslmode=require").rest,
            "postgres://u@db/dg"
        );
        assert_eq!(split("postgres://u@db/dg").sslmode, None);
    }

    #[test]
    fn settings_fill_in_what_the_url_leaves_out() {
        let url = with_default_params(
            "postgres://u@db/dg?sslrootcert=/url/ca.pem",
            &[
                ("sslrootcert", Some("/settings/ca.pem")),
                ("sslcert", Some("/a dir/client.pem")),
                ("sslkey", None),
            ],
        );
        assert_eq!(
            url,
            "postgres://u@db/dg?sslrootcert=/url/ca.pem&sslcert=/a%20dir/client.pem"
        );
        let params = split(&url);
        assert_eq!(params.sslcert.as_deref(), Some("/a dir/client.pem"));
        assert_eq!(
            with_default_params("postgres://u@db/dg", &[("sslmode", Some("require"))]),
            "postgres://u@db/dg?sslmode=require"
        );
    }
}
