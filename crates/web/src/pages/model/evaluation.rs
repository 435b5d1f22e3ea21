//! A model's latest evaluation: its status, the risk score with each component's
//! contribution, the violations with the rule each broke, the drift table (most drifted
//! first, each row expanding to its bins), fairness per sensitive column against the
//! four-fifths line, and performance now against the baseline.

use driftguard_governance::risk::Component;
use driftguard_governance::sections::FairnessColumn;
use driftguard_governance::{EvaluationResult, FairnessSection, PerformanceSection, Violation};
use driftguard_stats::drift::{Bins, ColumnDrift};
use maud::{Markup, PreEscaped, html};
use serde_json::Value;

use crate::charts::{self, Contribution, GroupRate, Tone};
use crate::widgets::{fixed, maybe, risk_badge, status_badge};

/// The four-fifths rule: a selection rate below 0.8 of the highest is adverse impact.
const FOUR_FIFTHS: f64 = 0.8;

/// The evaluation's sections, or a note when the stored body cannot be read as one.
pub fn sections(body: &serde_json::Map<String, Value>) -> Markup {
    match serde_json::from_value::<EvaluationResult>(Value::Object(body.clone())) {
        Ok(result) => result_sections(&result),
        Err(e) => {
            tracing::warn!(error = %e, "ui.evaluation_unreadable");
            html! { p.alert { "This evaluation was stored in a form this version cannot show." } }
        }
    }
}

/// The sections of an evaluation's result: a stored one, or a simulated one (what-if).
pub fn result_sections(result: &EvaluationResult) -> Markup {
    html! {
        (summary(result))
        (violations(&result.judgement.violations))
        (drift(result))
        @if let Some(fairness) = &result.fairness { (fairness_section(fairness)) }
        @if let Some(performance) = &result.performance { (performance_section(performance)) }
    }
}

fn summary(result: &EvaluationResult) -> Markup {
    let risk = &result.risk;
    let parts: [(&str, Option<Component>); 3] = [
        ("drift", risk.components.drift),
        ("fairness", risk.components.fairness),
        ("performance", risk.components.performance),
    ];
    let chart = charts::contributions(
        "risk-contributions",
        "Points each component adds to the risk score",
        &parts
            .iter()
            .filter_map(|(name, c)| {
                c.map(|c| Contribution {
                    label: (*name).to_owned(),
                    points: c.contribution,
                })
            })
            .collect::<Vec<_>>(),
        risk.score,
    );
    html! {
        section aria-labelledby="result" {
            h3 #result { "Result: " (status_badge(Some(result.judgement.status.as_str()))) " " (risk_badge(Some(risk.score))) }
            (PreEscaped(chart.svg))
            table #risk-breakdown {
                caption { "How the risk score adds up (tier multiplier " (fixed(risk.tier_multiplier, 2)) ")" }
                thead { tr { th scope="col" { "Component" } th scope="col" { "Severity (0–1)" } th scope="col" { "Weight" } th scope="col" { "Points" } } }
                tbody {
                    @for (name, component) in parts {
                        tr {
                            th scope="row" { (name) }
                            @if let Some(c) = component {
                                td.num { (fixed(c.severity, 3)) } td.num { (fixed(c.weight, 3)) } td.num { (fixed(c.contribution, 1)) }
                            } @else {
                                td colspan="3" .muted { "not measured (weights renormalised)" }
                            }
                        }
                    }
                }
                tfoot { tr {
                    th scope="row" { "Total" } td {} td {}
                    td.num { (fixed(risk.components.total(), 1))
                        @if (risk.components.total() - risk.score).abs() > 1e-9 { " (score clamped to " (fixed(risk.score, 1)) ")" } }
                } }
            }
        }
    }
}

fn violations(violations: &[Violation]) -> Markup {
    html! {
        section aria-labelledby="violations" {
            h3 #violations { "Violations" }
            (crate::violations::table("violations-table", "Each rule broken and the value observed", violations))
        }
    }
}

/// How strongly a column drifted, comparable across methods: the score over the threshold
/// for distances, the threshold over the score for p-values; untested columns last.
fn strength(column: &ColumnDrift) -> f64 {
    match (column.method, column.score, column.threshold) {
        (Some(method), Some(score), Some(threshold)) if method.is_p_value() => {
            threshold / score.max(f64::MIN_POSITIVE)
        }
        (Some(_), Some(score), Some(threshold)) if threshold > 0.0 => score / threshold,
        _ => -1.0,
    }
}

fn drift(result: &EvaluationResult) -> Markup {
    let report = &result.drift;
    let mut columns: Vec<&ColumnDrift> = report.columns.iter().collect();
    columns.sort_by(|a, b| {
        b.drifted
            .cmp(&a.drifted)
            .then(strength(b).total_cmp(&strength(a)))
    });
    html! {
        section aria-labelledby="drift" {
            h3 #drift { "Drift" }
            p { (report.drifted_columns) " of " (report.total_columns) " columns drifted (share "
                (fixed(report.share, 2)) "; the dataset drifts at " (fixed(report.share_threshold, 2)) ")." }
            table #drift-table {
                caption { "Columns, most drifted first; open a row to compare the distributions" }
                thead { tr {
                    th scope="col" { "Column" } th scope="col" { "Kind" } th scope="col" { "Method" }
                    th scope="col" aria-sort="descending" { "Score" } th scope="col" { "Threshold" } th scope="col" { "Drifted" }
                    th scope="col" { "Distributions" }
                } }
                tbody { @for (i, c) in columns.iter().enumerate() { (drift_row(i, c)) } }
            }
        }
    }
}

/// The drift table's row `i` (0-based, in the table's order). Its charts' element ids come
/// from `i`, not the column's name: ids keep only `[A-Za-z0-9_-]`, so names such as `a b`
/// and `ab` (or `é` and `ü`) would share one, and their `url(#…)` patterns would clash.
fn drift_row(i: usize, c: &ColumnDrift) -> Markup {
    let bins = c.bins.as_ref().map(|b| (chart_bins(b), b));
    let mini = |side: &str, shares: &[f64], tone: Tone, bins: &charts::Bins| {
        charts::mini_histogram(
            &format!("drift-{i}-{side}-mini"),
            &format!(
                "{} distribution of {}",
                if side == "reference" {
                    "Reference"
                } else {
                    "Current"
                },
                c.column
            ),
            bins,
            shares,
            tone,
        )
        .svg
    };
    html! {
        tr.drift-row data-column=(c.column) {
            th scope="row" { (c.column) }
            td { (serde_json::to_value(c.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()) }
            td { (c.method.map_or("—", |m| m.as_str())) }
            td.num { (maybe(c.score, 4)) }
            td.num { (maybe(c.threshold, 3)) }
            td { @if c.drifted { span.badge.badge-fail { "✕ drifted" } } @else if c.method.is_some() { span.badge.badge-pass { "✓ stable" } } @else { span.muted { (c.reason.as_deref().unwrap_or("not tested")) } } }
            td.distributions {
                @if let Some((chart_bins, bins)) = &bins {
                    span.minis {
                        (PreEscaped(mini("reference", &bins.reference, Tone::Reference, chart_bins)))
                        (PreEscaped(mini("current", &bins.current, Tone::Current, chart_bins)))
                    }
                    details.histogram {
                        summary { "Compare " span.visually-hidden { (c.column) } }
                        (PreEscaped(charts::overlaid_histograms(
                            &format!("drift-{i}-overlaid"),
                            &format!("Reference and current distributions of {}", c.column),
                            chart_bins, &bins.reference, &bins.current).html()))
                    }
                } @else { span.muted { "no values" } }
            }
        }
    }
}

/// The chart module's bins for a column's: its edges, or its values.
fn chart_bins(bins: &Bins) -> charts::Bins {
    match (&bins.labels, &bins.edges) {
        (Some(labels), _) => charts::Bins::from_categories(labels.iter().cloned()),
        (None, Some(edges)) => charts::Bins::from_edges(edges),
        (None, None) => {
            charts::Bins::from_categories((1..=bins.reference.len()).map(|i| i.to_string()))
        }
    }
}

fn fairness_section(fairness: &FairnessSection) -> Markup {
    html! {
        section aria-labelledby="fairness" {
            h3 #fairness { "Fairness" }
            @for (i, column) in fairness.columns.iter().enumerate() {
                @let highest = column.groups.iter().filter_map(|g| g.selection_rate).fold(0.0_f64, f64::max);
                h4 { "By " (column.column) }
                (PreEscaped(selection_chart(i, column).svg))
                p { "Disparate impact " (maybe(column.metrics.disparate_impact, 3))
                    " (the four-fifths rule flags below " (FOUR_FIFTHS) "); equalized odds difference "
                    (maybe(column.metrics.equalized_odds_difference, 3)) "." }
                table.fairness-table data-column=(column.column) {
                    thead { tr {
                        th scope="col" { "Group" } th scope="col" { "Rows" } th scope="col" { "Selection rate" }
                        th scope="col" { "Against the highest" } th scope="col" { "TPR" } th scope="col" { "FPR" } th scope="col" { "Accuracy" }
                    } }
                    tbody { @for g in &column.groups {
                        @let ratio = g.selection_rate.filter(|_| highest > 0.0).map(|r| r / highest);
                        tr {
                            th scope="row" { (g.group) }
                            td.num { (g.count) }
                            td.num { (maybe(g.selection_rate, 3)) }
                            td { (maybe(ratio, 2))
                                @if ratio.is_some_and(|r| r < FOUR_FIFTHS) { " " span.badge.badge-fail { "✕ below four-fifths" } } }
                            td.num { (maybe(g.tpr, 3)) } td.num { (maybe(g.fpr, 3)) } td.num { (maybe(g.accuracy, 3)) }
                        }
                    } }
                }
                @for w in &column.warnings { p.muted { (w) } }
            }
        }
    }
}

/// The selection rates of a sensitive column's groups against the four-fifths line; its id
/// comes from the column's place in the list, like the drift rows' (see [`drift_row`]).
fn selection_chart(i: usize, column: &FairnessColumn) -> charts::Chart {
    let groups: Vec<GroupRate> = column
        .groups
        .iter()
        .map(|g| GroupRate {
            group: g.group.clone(),
            rows: g.count as u64,
            rate: g.selection_rate,
        })
        .collect();
    charts::selection_rates(
        &format!("fairness-{i}"),
        &format!("Selection rate of each group of {}", column.column),
        &groups,
        FOUR_FIFTHS,
    )
}

fn performance_section(performance: &PerformanceSection) -> Markup {
    let now = serde_json::to_value(&performance.current).unwrap_or_default();
    let baseline = performance
        .baseline
        .as_ref()
        .and_then(|b| serde_json::to_value(b).ok())
        .unwrap_or_default();
    // The catalogue's order: classification metrics first, then regression ones.
    let metrics = driftguard_governance::metrics::PERFORMANCE_METRICS;
    let value = |v: &Value, k: &str| v.get(k).and_then(Value::as_f64);
    html! {
        section aria-labelledby="performance" {
            h3 #performance { "Performance" }
            table #performance-table {
                thead { tr { th scope="col" { "Metric" } th scope="col" { "Baseline" } th scope="col" { "Now" } th scope="col" { "Drop" } } }
                tbody { @for m in metrics { @if value(&now, m).is_some() || value(&baseline, m).is_some() {
                    @let drop = performance.drop.as_ref().and_then(|d| d.get(m).copied());
                    tr {
                        th scope="row" { (m) }
                        td.num { (maybe(value(&baseline, m), 3)) }
                        td.num { (maybe(value(&now, m), 3)) }
                        td.num { (maybe(drop, 3)) @if drop.is_some_and(|d| d > 0.0) { " " span aria-hidden="true" { "▼" } span.visually-hidden { "worse" } } }
                    }
                } } }
            }
        }
    }
}
