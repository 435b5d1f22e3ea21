//! Judgement: an evaluation's metrics checked against the policies of a risk tier, giving
//! `pass`, `warn` or `fail` with the violations and skipped rules that explain it.

use driftguard_core::{PolicyId, RiskTier};
use serde::{Deserialize, Serialize};

use crate::metric_map::MetricMap;
use crate::metrics::{MetricKind, validate_metric};
use crate::policy::{Policy, PolicyRef};
use crate::rule::{Op, Rule, Severity};

/// The overall result; ordered so that the worse result is the larger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// No rule violated.
    Pass,
    /// Only `warn` rules violated.
    Warn,
    /// At least one `block` rule violated: a deploy needs an override.
    Fail,
}

impl Status {
    /// Every status, best first.
    pub const ALL: [Status; 3] = [Status::Pass, Status::Warn, Status::Fail];

    /// The name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Warn => "warn",
            Self::Fail => "fail",
        }
    }
}

impl std::str::FromStr for Status {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or_else(|| "must be one of pass, warn, fail".to_owned())
    }
}

/// A rule that did not hold (or a required metric that was missing).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Violation {
    /// Which part of the evaluation, from the metric's prefix.
    #[serde(rename = "type")]
    pub kind: MetricKind,
    /// The rule's metric.
    pub metric: String,
    /// The rule's operator; `None` only for `no_evaluation`.
    pub op: Option<Op>,
    /// The rule's threshold; `None` only for `no_evaluation`.
    pub threshold: Option<f64>,
    /// The value found; `None` when the metric was missing (a required rule).
    pub observed: Option<f64>,
    /// The rule's severity.
    pub severity: Severity,
    /// The policy the rule belongs to; `None` only for `no_evaluation`.
    pub policy_id: Option<PolicyId>,
    /// That policy's version; `None` only for `no_evaluation`.
    pub policy_version: Option<i32>,
}

/// A rule that was not applied because its metric is absent from the evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkippedRule {
    /// The rule's metric.
    pub metric: String,
    /// The policy the rule belongs to.
    pub policy_id: PolicyId,
    /// That policy's version.
    pub policy_version: i32,
    /// Why it was skipped, for a person.
    pub reason: String,
}

/// The result of judging metrics against policies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Judgement {
    /// `fail` if a block rule is violated, else `warn` if a warn rule is, else `pass`.
    pub status: Status,
    /// Violated rules, policy by policy, in rule order.
    pub violations: Vec<Violation>,
    /// Rules whose metric was absent and not required.
    pub skipped_rules: Vec<SkippedRule>,
    /// The policy versions that judged (the active ones covering the tier).
    pub policy_versions: Vec<PolicyRef>,
}

impl Judgement {
    /// The judgement of a deploy with no evaluation at all: `fail`, with the one violation
    /// `no_evaluation`, recording the policies that would have judged it.
    pub fn no_evaluation(policies: &[Policy], tier: RiskTier) -> Self {
        Self {
            status: Status::Fail,
            violations: vec![Violation {
                kind: MetricKind::NoEvaluation,
                metric: "evaluation".to_owned(),
                op: None,
                threshold: None,
                observed: None,
                severity: Severity::Block,
                policy_id: None,
                policy_version: None,
            }],
            skipped_rules: Vec::new(),
            policy_versions: judging(policies, tier).map(Policy::reference).collect(),
        }
    }
}

/// What became of one rule of a judging policy.
#[derive(Debug, Clone, PartialEq)]
pub enum RuleOutcome {
    /// The metric was there and the rule held.
    Held,
    /// The rule did not hold, or its metric was missing and it is `required`.
    Violated(Violation),
    /// The rule was not applied: its metric is absent (and not required) or unknown.
    Skipped(SkippedRule),
}

/// One rule of a judging policy, the value it was checked against, and its outcome: the
/// rule-by-rule view of a [`Judgement`] (a report that lists every rule, e.g. JUnit).
#[derive(Debug, Clone, PartialEq)]
pub struct RuleCheck<'a> {
    /// The policy the rule belongs to.
    pub policy: &'a Policy,
    /// The rule.
    pub rule: &'a Rule,
    /// The metric's value in the evaluation, if it produced one.
    pub observed: Option<f64>,
    /// Held, violated or skipped.
    pub outcome: RuleOutcome,
}

/// Checks every rule of the policies among `policies` that are active and cover `tier`,
/// policy by policy, in rule order.
///
/// A rule states what must hold: it is violated when `observed <op> threshold` is false.
/// A rule whose metric is absent is skipped, unless it is `required`, then it is violated
/// with `observed: null`.
pub fn check_rules<'a>(
    metrics: &'a MetricMap,
    policies: &'a [Policy],
    tier: RiskTier,
) -> impl Iterator<Item = RuleCheck<'a>> {
    judging(policies, tier).flat_map(move |policy| {
        policy.rules.iter().map(move |rule| {
            let observed = metrics.get(&rule.metric).copied();
            RuleCheck {
                policy,
                rule,
                observed,
                outcome: outcome(rule, observed, policy),
            }
        })
    })
}

fn outcome(rule: &Rule, observed: Option<f64>, policy: &Policy) -> RuleOutcome {
    let violated = match observed {
        Some(value) => !rule.op.holds(value, rule.threshold),
        None => rule.required,
    };
    // Policies are validated when saved; a name outside the catalogue can only come
    // from an older catalogue, and such a rule can never be met.
    let kind = validate_metric(&rule.metric);
    match (violated, kind) {
        (true, Ok(kind)) => RuleOutcome::Violated(violation(rule, kind, observed, policy)),
        (false, _) if observed.is_some() => RuleOutcome::Held,
        (_, kind) => RuleOutcome::Skipped(SkippedRule {
            metric: rule.metric.clone(),
            policy_id: policy.id,
            policy_version: policy.version,
            reason: match kind {
                Ok(_) => "metric not produced by this evaluation".to_owned(),
                Err(message) => message,
            },
        }),
    }
}

/// Judges `metrics` against the policies among `policies` that are active and cover `tier`
/// (see [`check_rules`] for how each rule is checked).
pub fn judge(metrics: &MetricMap, policies: &[Policy], tier: RiskTier) -> Judgement {
    let mut violations = Vec::new();
    let mut skipped_rules = Vec::new();
    for check in check_rules(metrics, policies, tier) {
        match check.outcome {
            RuleOutcome::Held => {}
            RuleOutcome::Violated(v) => violations.push(v),
            RuleOutcome::Skipped(s) => skipped_rules.push(s),
        }
    }
    let status = violations
        .iter()
        .map(|v| match v.severity {
            Severity::Block => Status::Fail,
            Severity::Warn => Status::Warn,
        })
        .max()
        .unwrap_or(Status::Pass);
    Judgement {
        status,
        violations,
        skipped_rules,
        policy_versions: judging(policies, tier).map(Policy::reference).collect(),
    }
}

fn judging(policies: &[Policy], tier: RiskTier) -> impl Iterator<Item = &Policy> {
    policies.iter().filter(move |p| p.judges(tier))
}

fn violation(rule: &Rule, kind: MetricKind, observed: Option<f64>, policy: &Policy) -> Violation {
    Violation {
        kind,
        metric: rule.metric.clone(),
        op: Some(rule.op),
        threshold: Some(rule.threshold),
        observed,
        severity: rule.severity,
        policy_id: Some(policy.id),
        policy_version: Some(policy.version),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{AppliesTo, PolicyDraft};
    use crate::test_support::policy;

    fn metrics(pairs: &[(&str, f64)]) -> MetricMap {
        pairs.iter().map(|&(k, v)| (k.to_owned(), v)).collect()
    }

    fn default_policy() -> Policy {
        policy(1, 3, PolicyDraft::default_policy())
    }

    #[test]
    fn a_clean_evaluation_passes_and_records_the_policy_version() {
        let m = metrics(&[
            ("drift.share", 0.1),
            ("fairness.disparate_impact", 0.9),
            ("fairness.equalized_odds_difference", 0.05),
            ("performance.accuracy_drop", 0.0),
            ("risk.score", 20.0),
        ]);
        let j = judge(&m, &[default_policy()], RiskTier::High);
        assert_eq!(j.status, Status::Pass);
        assert!(j.violations.is_empty() && j.skipped_rules.is_empty());
        assert_eq!(
            j.policy_versions,
            [PolicyRef {
                policy_id: PolicyId(1),
                version: 3
            }]
        );
    }

    #[test]
    fn warn_rules_warn_and_block_rules_fail() {
        let warn = metrics(&[("drift.share", 0.3), ("risk.score", 20.0)]);
        let j = judge(&warn, &[default_policy()], RiskTier::Low);
        assert_eq!(j.status, Status::Warn);
        assert_eq!(j.violations.len(), 1);
        let v = &j.violations[0];
        assert_eq!(
            (v.kind, v.metric.as_str(), v.op, v.threshold, v.observed),
            (
                MetricKind::Drift,
                "drift.share",
                Some(Op::Lt),
                Some(0.25),
                Some(0.3)
            )
        );
        assert_eq!(
            (v.policy_id, v.policy_version),
            (Some(PolicyId(1)), Some(3))
        );

        let fail = metrics(&[("drift.share", 0.5), ("risk.score", 70.5)]);
        let j = judge(&fail, &[default_policy()], RiskTier::Low);
        assert_eq!(j.status, Status::Fail);
        let kinds: Vec<_> = j.violations.iter().map(|v| (v.kind, v.severity)).collect();
        assert_eq!(
            kinds,
            [
                (MetricKind::Drift, Severity::Block),
                (MetricKind::Drift, Severity::Warn),
                (MetricKind::Risk, Severity::Block)
            ]
        );
    }

    #[test]
    fn absent_metrics_are_skipped_unless_required() {
        let m = metrics(&[("drift.share", 0.0), ("risk.score", 0.0)]);
        let j = judge(&m, &[default_policy()], RiskTier::Medium);
        assert_eq!(j.status, Status::Pass);
        let skipped: Vec<_> = j.skipped_rules.iter().map(|s| s.metric.as_str()).collect();
        assert_eq!(
            skipped,
            [
                "fairness.disparate_impact",
                "fairness.equalized_odds_difference",
                "performance.accuracy_drop"
            ]
        );

        let mut draft = PolicyDraft::default_policy();
        draft.rules[2].required = true;
        let j = judge(&m, &[policy(2, 1, draft)], RiskTier::Medium);
        assert_eq!(j.status, Status::Fail);
        assert_eq!(j.violations[0].metric, "fairness.disparate_impact");
        assert_eq!(j.violations[0].observed, None);
        assert_eq!(j.violations[0].kind, MetricKind::Fairness);
        assert_eq!(j.skipped_rules.len(), 2);
    }

    #[test]
    fn check_rules_lists_every_rule_with_its_outcome() {
        let m = metrics(&[("drift.share", 0.3), ("risk.score", 20.0)]);
        let checks: Vec<_> =
            check_rules(&m, std::slice::from_ref(&default_policy()), RiskTier::Low)
                .map(|c| {
                    let outcome = match c.outcome {
                        RuleOutcome::Held => "held",
                        RuleOutcome::Violated(_) => "violated",
                        RuleOutcome::Skipped(_) => "skipped",
                    };
                    (c.rule.metric.clone(), c.observed, outcome)
                })
                .collect();
        let expected = [
            ("drift.share", Some(0.3), "held"),
            ("drift.share", Some(0.3), "violated"),
            ("fairness.disparate_impact", None, "skipped"),
            ("fairness.equalized_odds_difference", None, "skipped"),
            ("performance.accuracy_drop", None, "skipped"),
            ("risk.score", Some(20.0), "held"),
        ]
        .map(|(metric, observed, outcome)| (metric.to_owned(), observed, outcome));
        assert_eq!(checks, expected);
    }

    #[test]
    fn only_active_policies_covering_the_tier_judge() {
        let m = metrics(&[("risk.score", 99.0)]);
        let mut inactive = default_policy();
        inactive.active = false;
        let mut critical_only = policy(2, 1, PolicyDraft::default_policy());
        critical_only.applies_to = AppliesTo {
            risk_tiers: vec![RiskTier::Critical],
        };
        let policies = [inactive, critical_only];
        let j = judge(&m, &policies, RiskTier::High);
        assert_eq!(j.status, Status::Pass);
        assert!(j.policy_versions.is_empty());
        let j = judge(&m, &policies, RiskTier::Critical);
        assert_eq!(j.status, Status::Fail);
        assert_eq!(j.policy_versions[0].policy_id, PolicyId(2));
    }

    #[test]
    fn a_rule_outside_the_catalogue_is_skipped_with_the_reason() {
        let mut p = default_policy();
        p.rules = vec![Rule {
            required: true,
            ..Rule::new("latency.p99", Op::Le, 1.0, Severity::Block)
        }];
        let j = judge(&MetricMap::new(), &[p], RiskTier::Low);
        assert_eq!(j.status, Status::Pass);
        assert!(j.skipped_rules[0].reason.contains("unknown metric"));
    }

    #[test]
    fn no_evaluation_fails_with_its_own_violation() {
        let j = Judgement::no_evaluation(&[default_policy()], RiskTier::High);
        assert_eq!(j.status, Status::Fail);
        let json = serde_json::to_value(&j.violations[0]).expect("serialises");
        assert_eq!(json["type"], "no_evaluation");
        assert_eq!(json["severity"], "block");
        assert!(json["policy_id"].is_null());
        assert_eq!(j.policy_versions.len(), 1);
    }

    #[test]
    fn the_json_shape_is_the_contract() {
        let m = metrics(&[("drift.share", 0.6), ("risk.score", 1.0)]);
        let json = serde_json::to_value(judge(&m, &[default_policy()], RiskTier::Low))
            .expect("serialises");
        assert_eq!(json["status"], "fail");
        assert_eq!(
            json["violations"][0],
            serde_json::json!({"type": "drift", "metric": "drift.share", "op": "<",
                "threshold": 0.5, "observed": 0.6, "severity": "block",
                "policy_id": 1, "policy_version": 3})
        );
        assert_eq!(json["skipped_rules"][0]["policy_version"], 3);
        assert_eq!(
            json["policy_versions"],
            serde_json::json!([{"policy_id": 1, "version": 3}])
        );
    }
}
