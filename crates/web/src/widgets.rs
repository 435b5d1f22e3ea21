//! Small pieces every page uses: badges that say their meaning in words as well as colour,
//! numbers and times, links with query strings, sortable column headers and the pager.

use chrono::{DateTime, Utc};
use driftguard_core::Page;
use maud::{Markup, html};

/// A governance status (`pass`, `warn`, `fail`) or none yet, as a badge with a sign and a word.
pub fn status_badge(status: Option<&str>) -> Markup {
    let (class, sign, word) = match status {
        Some("pass") => ("pass", "✓", "pass"),
        Some("warn") => ("warn", "!", "warn"),
        Some("fail") => ("fail", "✕", "fail"),
        Some(other) => ("none", "?", other),
        None => ("none", "–", "not evaluated"),
    };
    html! { span class={ "badge badge-" (class) } { span aria-hidden="true" { (sign) } " " (word) } }
}

/// A risk score as a badge: the number and its band in words.
pub fn risk_badge(score: Option<f64>) -> Markup {
    match score {
        None => html! { span.badge.badge-none { "no score" } },
        Some(score) => {
            let (class, band) = match score {
                s if s >= 70.0 => ("fail", "high"),
                s if s >= 30.0 => ("warn", "medium"),
                _ => ("pass", "low"),
            };
            html! { span class={ "badge badge-" (class) } { (fixed(score, 1)) " · " (band) } }
        }
    }
}

/// A model's lifecycle state.
pub fn lifecycle_badge(status: &str) -> Markup {
    html! { span class={ "badge badge-state-" (status) } { (status) } }
}

/// `x` with `decimals` decimals.
pub fn fixed(x: f64, decimals: usize) -> String {
    format!("{x:.decimals$}")
}

/// An optional number, or "undefined" (never a silent 0).
pub fn maybe(x: Option<f64>, decimals: usize) -> Markup {
    match x {
        Some(x) => html! { (fixed(x, decimals)) },
        None => html! { span.muted { "undefined" } },
    }
}

/// A time, readable and machine-readable.
pub fn when(at: DateTime<Utc>) -> Markup {
    html! { time datetime=(at.to_rfc3339()) { (at.format("%Y-%m-%d %H:%M UTC")) } }
}

/// `path?k=v&…` with the pairs whose value is not empty, encoded.
pub fn link(path: &str, pairs: &[(&str, String)]) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
        query.append_pair(k, v);
    }
    let query = query.finish();
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

/// A column header that sorts by `key` ascending (`key`) or descending (`-key`): a link to
/// the other order, with `aria-sort` saying the current one.
pub fn sort_header(label: &str, key: &str, current: &str, href: impl Fn(&str) -> String) -> Markup {
    let descending = format!("-{key}");
    let (aria, next) = if current == key {
        ("ascending", descending.as_str())
    } else if current == descending {
        ("descending", key)
    } else {
        ("none", key)
    };
    html! {
        th scope="col" aria-sort=(aria) {
            a href=(href(next)) {
                (label)
                @match aria {
                    "ascending" => span aria-hidden="true" { " ▲" },
                    "descending" => span aria-hidden="true" { " ▼" },
                    _ => {},
                }
            }
        }
    }
}

/// Previous / next links over a list of `total` rows, `href(skip)` making each page's
/// address.
pub fn pager(page: Page, total: u64, href: impl Fn(u64) -> String) -> Markup {
    let pages = page.pagination(total).pages;
    let current = page.skip() / page.limit() + 1;
    let previous = (page.skip() > 0).then(|| page.skip().saturating_sub(page.limit()));
    let next = (page.skip() + page.limit() < total).then(|| page.skip() + page.limit());
    html! {
        nav.pager aria-label="Pagination" {
            @if let Some(skip) = previous {
                a #page-prev rel="prev" href=(href(skip)) { "← Previous" }
            }
            span { "Page " (current) " of " (pages.max(1)) " · " (total) " in all" }
            @if let Some(skip) = next {
                a #page-next rel="next" href=(href(skip)) { "Next →" }
            }
        }
    }
}

/// A deployment attempt's outcome (`deployed`, `blocked`, `overridden`, `retired`, …).
pub fn outcome_badge(outcome: &str) -> Markup {
    let (class, sign) = match outcome {
        "blocked" => ("fail", "✕"),
        "deployed" => ("pass", "✓"),
        _ => ("warn", "!"),
    };
    html! { span class={ "badge badge-" (class) } { span aria-hidden="true" { (sign) } " " (outcome) } }
}
