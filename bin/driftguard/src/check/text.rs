//! The readable report of `driftguard check` (`--format text`): status, risk breakdown,
//! drift per column, metrics, violations and skipped rules.

use driftguard_governance::{EvaluationResult, Severity};
use std::fmt::Write as _;

fn number(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| format!("{v:.4}"))
}

/// The readable report.
pub fn text(result: &EvaluationResult) -> String {
    let mut out = String::new();
    let judgement = &result.judgement;
    let risk = &result.risk;
    let _ = writeln!(out, "status: {}", judgement.status.as_str().to_uppercase());
    let _ = writeln!(
        out,
        "risk score: {:.1} / 100 (tier multiplier {})",
        risk.score, risk.tier_multiplier
    );
    for (name, component) in [
        ("drift", &risk.components.drift),
        ("fairness", &risk.components.fairness),
        ("performance", &risk.components.performance),
    ] {
        if let Some(c) = component {
            let _ = writeln!(
                out,
                "  {name:<12} severity {:.3}  weight {:.3}  {:+.1} points",
                c.severity, c.weight, c.contribution
            );
        }
    }
    let drift = &result.drift;
    let _ = writeln!(
        out,
        "\ndrift: {} of {} columns drifted (share {:.2}, dataset drift at {:.2})",
        drift.drifted_columns, drift.total_columns, drift.share, drift.share_threshold
    );
    let _ = writeln!(
        out,
        "  {:<24} {:<14} {:>10} {:>10}  drifted",
        "column", "method", "score", "threshold"
    );
    for c in &drift.columns {
        let method = c.method.map_or_else(|| "-".to_owned(), |m| m.to_string());
        let mark = if c.drifted { "YES" } else { "no" };
        let _ = writeln!(
            out,
            "  {:<24} {:<14} {:>10} {:>10}  {mark}{}",
            c.column,
            method,
            number(c.score),
            number(c.threshold),
            c.reason
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default()
        );
    }
    let _ = writeln!(out, "\nmetrics:");
    for (name, value) in &result.metrics {
        let _ = writeln!(out, "  {name:<44} {value:.4}");
    }
    if judgement.violations.is_empty() {
        let _ = writeln!(out, "\nviolations: none");
    } else {
        let _ = writeln!(out, "\nviolations:");
        for v in &judgement.violations {
            let rule = match (v.op, v.threshold) {
                (Some(op), Some(t)) => format!("{} {} {t}", v.metric, op.as_str()),
                _ => v.metric.clone(),
            };
            let _ = writeln!(
                out,
                "  [{}] {rule}: observed {}",
                match v.severity {
                    Severity::Block => "block",
                    Severity::Warn => "warn",
                },
                number(v.observed)
            );
        }
    }
    for s in &judgement.skipped_rules {
        let _ = writeln!(out, "  skipped {}: {}", s.metric, s.reason);
    }
    out
}
