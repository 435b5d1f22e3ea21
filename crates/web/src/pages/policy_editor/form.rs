//! The policy form's state: read from the posted fields (rule rows are numbered, so the
//! form is read as a list of pairs), turned into the draft the use cases take, and drawn
//! again with the errors of the last try at their fields.

use driftguard_core::{FieldError, RiskTier};
use driftguard_governance::metrics::fixed_metric_names;
use driftguard_governance::{AppliesTo, Op, Policy, PolicyDraft, Rule, Severity};
use maud::{Markup, html};

use crate::fields::{Field, error_summary};
use crate::session::{CSRF_FIELD, Viewer};

/// Most rule rows a form shows (a policy has at most 100 rules).
const MAX_ROWS: usize = 100;

/// Empty rows offered below the rules, and added by "More rule rows".
const BLANK_ROWS: usize = 3;

/// One rule row as typed (the threshold stays text until it is read).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleRow {
    pub metric: String,
    pub op: String,
    pub threshold: String,
    pub severity: String,
    pub required: bool,
}

impl RuleRow {
    fn is_blank(&self) -> bool {
        self.metric.trim().is_empty() && self.threshold.trim().is_empty()
    }
}

/// The whole form as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PolicyForm {
    pub name: String,
    pub description: String,
    pub active: bool,
    pub tiers: Vec<RiskTier>,
    pub rows: Vec<RuleRow>,
    /// The button pressed: `save`, `preview` or `more-rows`.
    pub action: String,
    pub csrf_token: String,
}

impl PolicyForm {
    /// A new policy's form: active, every tier, blank rows.
    pub fn blank() -> Self {
        Self {
            active: true,
            rows: vec![RuleRow::default(); BLANK_ROWS],
            ..Self::default()
        }
    }

    /// The form of a stored policy's latest version, with blank rows below its rules.
    pub fn of(policy: &Policy) -> Self {
        let mut rows: Vec<RuleRow> = policy
            .rules
            .iter()
            .map(|r| RuleRow {
                metric: r.metric.clone(),
                op: r.op.as_str().to_owned(),
                threshold: r.threshold.to_string(),
                severity: r.severity.as_str().to_owned(),
                required: r.required,
            })
            .collect();
        rows.extend(std::iter::repeat_n(RuleRow::default(), BLANK_ROWS));
        rows.truncate(MAX_ROWS);
        Self {
            name: policy.name.clone(),
            description: policy.description.clone().unwrap_or_default(),
            active: policy.active,
            tiers: policy.applies_to.risk_tiers.clone(),
            rows,
            ..Self::default()
        }
    }

    /// The form from its posted fields. Unknown fields and rows past the last are ignored;
    /// an unknown tier is left out (the checkboxes only send known ones).
    pub fn read(pairs: Vec<(String, String)>) -> Self {
        let mut form = Self::default();
        for (key, value) in pairs {
            match key.as_str() {
                "name" => form.name = value,
                "description" => form.description = value,
                "active" => form.active = true,
                "tier" => {
                    if let Ok(tier) = value.parse::<RiskTier>()
                        && !form.tiers.contains(&tier)
                    {
                        form.tiers.push(tier);
                    }
                }
                "action" => form.action = value,
                CSRF_FIELD => form.csrf_token = value,
                _ => form.read_rule_field(&key, value),
            }
        }
        form
    }

    /// `rule-<row>-<field>`.
    fn read_rule_field(&mut self, key: &str, value: String) {
        let Some((row, field)) = key
            .strip_prefix("rule-")
            .and_then(|rest| rest.split_once('-'))
            .and_then(|(row, field)| Some((row.parse::<usize>().ok()?, field)))
        else {
            return;
        };
        if row >= MAX_ROWS {
            return;
        }
        if self.rows.len() <= row {
            self.rows.resize(row + 1, RuleRow::default());
        }
        let rule = &mut self.rows[row];
        match field {
            "metric" => rule.metric = value,
            "op" => rule.op = value,
            "threshold" => rule.threshold = value,
            "severity" => rule.severity = value,
            "required" => rule.required = true,
            _ => {}
        }
    }

    /// The same form with more blank rows (up to the most a policy can have).
    pub fn with_more_rows(mut self) -> Self {
        let rows = (self.rows.len() + BLANK_ROWS).min(MAX_ROWS);
        self.rows.resize(rows, RuleRow::default());
        self
    }

    /// The draft the form says, or the errors of the fields that cannot be read (named as the
    /// API names them: `rules[2].threshold`, counting only the rows that are not blank).
    /// Errors the draft's own validation finds come from the use case.
    pub fn draft(&self) -> Result<PolicyDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut rules = Vec::new();
        for (index, row) in self.rows.iter().filter(|r| !r.is_blank()).enumerate() {
            let field = |name: &str| format!("rules[{index}].{name}");
            let op = Op::ALL.into_iter().find(|op| op.as_str() == row.op);
            let severity = Severity::ALL
                .into_iter()
                .find(|s| s.as_str() == row.severity);
            let threshold = row.threshold.trim().parse::<f64>().ok();
            if op.is_none() {
                errors.push(FieldError::new(field("op"), "choose a comparison"));
            }
            if severity.is_none() {
                errors.push(FieldError::new(field("severity"), "choose warn or block"));
            }
            if threshold.is_none() {
                errors.push(FieldError::new(field("threshold"), "must be a number"));
            }
            if let (Some(op), Some(severity), Some(threshold)) = (op, severity, threshold) {
                rules.push(Rule {
                    metric: row.metric.trim().to_owned(),
                    op,
                    threshold,
                    severity,
                    required: row.required,
                });
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(PolicyDraft {
            name: self.name.clone(),
            description: Some(self.description.clone()).filter(|d| !d.trim().is_empty()),
            active: self.active,
            applies_to: AppliesTo {
                risk_tiers: self.tiers.clone(),
            },
            rules,
        })
    }

    /// The id of the field an error names (`rules[2].threshold` is the threshold of the
    /// third row that is not blank), if it is one of this form's.
    fn field_id(&self, field: &str) -> Option<String> {
        let field = field.strip_prefix("policy.").unwrap_or(field);
        match field {
            "name" => return Some("policy-name".into()),
            "description" => return Some("policy-description".into()),
            "rules" => return Some("rule-0-metric".into()),
            f if f.starts_with("applies_to") => return Some("tier-low".into()),
            _ => {}
        }
        let (index, name) = field.strip_prefix("rules[")?.split_once("].")?;
        let index: usize = index.parse().ok()?;
        let row = self
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| !r.is_blank())
            .nth(index)?
            .0;
        Some(format!("rule-{row}-{name}"))
    }

    /// The form, posting to `action`, with `errors` in a summary at the top (each a link to
    /// its field) and again at each field.
    pub fn render(&self, viewer: &Viewer, action: &str, errors: &[FieldError]) -> Markup {
        let located: Vec<(Option<String>, &FieldError)> = errors
            .iter()
            .map(|e| (self.field_id(&e.field), e))
            .collect();
        let error_at = |id: &str| -> Vec<&str> {
            located
                .iter()
                .filter(|(at, _)| at.as_deref() == Some(id))
                .map(|(_, e)| e.message.as_str())
                .collect()
        };
        let summary: Vec<(Option<String>, String)> = located
            .iter()
            .map(|(at, e)| (at.clone(), format!("{}: {}", e.field, e.message)))
            .collect();
        let plural = if errors.len() > 1 { "s" } else { "" };
        let summary_title = format!("The policy was not saved: {} problem{plural}", errors.len());
        let metrics = fixed_metric_names();
        html! {
            (error_summary(&summary_title, &summary))
            form #policy-form.stack method="post" action=(action) {
                input type="hidden" name=(CSRF_FIELD) value=(viewer.csrf);
                (Field { id: "policy-name", name: "name", label: "Name", hidden_label: false, errors: &error_at("policy-name") }.text(&self.name))
                (Field { id: "policy-description", name: "description", label: "Description (optional)", hidden_label: false, errors: &error_at("policy-description") }.text(&self.description))
                fieldset #tiers {
                    legend { "Risk tiers it judges (none ticked: every tier)" }
                    @for tier in RiskTier::ALL {
                        label.check {
                            input type="checkbox" id={ "tier-" (tier.as_str()) } name="tier" value=(tier.as_str()) checked[self.tiers.contains(tier)];
                            " " (tier.as_str())
                        }
                    }
                    (Field { id: "tier-low", name: "tier", label: "", hidden_label: true, errors: &error_at("tier-low") }.errors())
                }
                label.check {
                    input #policy-active type="checkbox" name="active" value="on" checked[self.active];
                    " Active: judges evaluations and deploys once saved"
                }
                datalist #metric-catalogue {
                    @for m in &metrics { option value=(m) {} }
                }
                table #rules-table {
                    caption { "Rules: a row with neither metric nor threshold is left out. Per-column drift: "
                        code { "drift.column.<column>.<method>" } "." }
                    thead { tr {
                        th scope="col" { "Metric" } th scope="col" { "Must be" } th scope="col" { "Threshold" }
                        th scope="col" { "Severity" } th scope="col" { "Required" }
                    } }
                    tbody { @for (i, row) in self.rows.iter().enumerate() {
                        (rule_row(i, row, &error_at))
                    } }
                }
                div.actions {
                    button #preview type="submit" name="action" value="preview" { "Preview impact" }
                    button #more-rows type="submit" name="action" value="more-rows" { "More rule rows" }
                    button #save type="submit" name="action" value="save" { "Save" }
                }
            }
        }
    }
}

fn rule_row<'a>(i: usize, row: &RuleRow, error_at: &dyn Fn(&str) -> Vec<&'a str>) -> Markup {
    let number = i + 1;
    let ids = ["metric", "op", "threshold", "severity"].map(|name| format!("rule-{i}-{name}"));
    let errors = ids.each_ref().map(|id| error_at(id));
    let labels = ["metric", "comparison", "threshold", "severity"]
        .map(|words| format!("Rule {number} {words}"));
    let field = |n: usize| Field {
        id: &ids[n],
        name: &ids[n],
        label: &labels[n],
        hidden_label: true,
        errors: &errors[n],
    };
    let ops = Op::ALL.map(Op::as_str);
    let severities = Severity::ALL.map(Severity::as_str);
    html! {
        tr {
            td { (field(0).text_with_list(&row.metric, "metric-catalogue")) }
            td { (field(1).select(&ops, &row.op)) }
            td { (field(2).text(&row.threshold)) }
            td { (field(3).select(&severities, &row.severity)) }
            td {
                label.check {
                    input type="checkbox" id={ "rule-" (i) "-required" } name={ "rule-" (i) "-required" } value="on" checked[row.required];
                    span.visually-hidden { "Rule " (number) " required" }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(fields: &[(&str, &str)]) -> Vec<(String, String)> {
        fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn blank_rows_are_left_out_and_errors_name_the_rules_as_the_api_does() {
        let form = PolicyForm::read(pairs(&[
            ("name", "Drift"),
            ("tier", "high"),
            ("tier", "nonsense"),
            ("rule-0-metric", "drift.share"),
            ("rule-0-op", "<="),
            ("rule-0-threshold", "0.3"),
            ("rule-0-severity", "block"),
            ("rule-1-metric", ""),
            ("rule-1-threshold", ""),
            ("rule-2-metric", "risk.score"),
            ("rule-2-op", "<"),
            ("rule-2-threshold", "lots"),
            ("rule-2-severity", "warn"),
        ]));
        assert_eq!(form.tiers, vec![RiskTier::High]);
        let errors = form.draft().expect_err("a threshold that is not a number");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "rules[1].threshold");
        assert_eq!(
            form.field_id(&errors[0].field).as_deref(),
            Some("rule-2-threshold")
        );
    }

    #[test]
    fn a_stored_policy_reads_back_as_the_same_draft() {
        let form = PolicyForm::read(pairs(&[
            ("name", "Fairness"),
            ("active", "on"),
            ("rule-0-metric", "fairness.demographic_parity_ratio"),
            ("rule-0-op", ">="),
            ("rule-0-threshold", "0.8"),
            ("rule-0-severity", "warn"),
            ("rule-0-required", "on"),
        ]));
        let draft = form.draft().expect("a readable form");
        assert!(draft.active);
        assert!(draft.applies_to.risk_tiers.is_empty());
        assert_eq!(draft.rules.len(), 1);
        assert!(draft.rules[0].required);
        assert_eq!(draft.rules[0].threshold, 0.8);
        assert_eq!(draft.rules[0].op, Op::Ge);
    }

    #[test]
    fn rows_past_the_most_a_policy_has_are_ignored() {
        let form = PolicyForm::read(pairs(&[("rule-100000000-metric", "drift.share")]));
        assert!(form.rows.is_empty());
        assert_eq!(
            PolicyForm::blank().with_more_rows().rows.len(),
            2 * BLANK_ROWS
        );
    }
}
