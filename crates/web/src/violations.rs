//! Violations as a table — each with its rule (metric, comparison, threshold, severity), the
//! value observed and the policy it belongs to — and a governance result (status, risk score,
//! the evaluation judged, its violations): what an evaluation, the deploy panel, a blocked
//! deploy and an override's confirmation all show the same way.

use driftguard_governance::{GovernanceResult, Violation};
use maud::{Markup, html};

use crate::widgets::{maybe, risk_badge, status_badge};

/// The violations in a table `#id` with `caption`, or a line saying there are none.
pub fn table(id: &str, caption: &str, violations: &[Violation]) -> Markup {
    html! {
        @if violations.is_empty() {
            p id={ "no-" (id) } { "No rule was broken." }
        } @else {
            table id=(id) {
                caption { (caption) }
                thead { tr {
                    th scope="col" { "Metric" } th scope="col" { "Must be" } th scope="col" { "Threshold" }
                    th scope="col" { "Severity" } th scope="col" { "Observed" } th scope="col" { "Type" } th scope="col" { "Policy" }
                } }
                tbody { @for v in violations {
                    tr {
                        th scope="row" { code { (v.metric) } }
                        td { (v.op.map_or("—", |o| o.as_str())) }
                        td.num { (maybe(v.threshold, 4)) }
                        td { span class={ "badge badge-" (if v.severity.as_str() == "block" { "fail" } else { "warn" }) } { (v.severity.as_str()) } }
                        td.num { @match v.observed { Some(x) => (maybe(Some(x), 4)), None => span.muted { "missing" } } }
                        td { (v.kind.as_str()) }
                        td { @if let (Some(id), Some(version)) = (v.policy_id, v.policy_version) {
                            a href={ (crate::BASE) "/policies/" (id) } { "policy " (id) " v" (version) }
                        } @else { "—" } }
                    }
                } }
            }
        }
    }
}

/// A governance result: its status and risk score, the evaluation it judged, and its
/// violations in the table `#id`.
pub fn result(id: &str, result: &GovernanceResult) -> Markup {
    html! {
        p {
            "Governance result: " (status_badge(Some(result.status.as_str()))) " " (risk_badge(result.risk_score))
            @match result.evaluation_id {
                Some(e) => { ", from evaluation " (e) "." },
                None => { ": the model has no evaluation yet." },
            }
        }
        (table(id, "Violations: each rule broken and the value observed", &result.violations))
    }
}
