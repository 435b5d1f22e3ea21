//! Policies: named, versioned sets of rules for some risk tiers; the draft a caller writes,
//! its validation, and the default policy a fresh database starts with.

use driftguard_core::{
    DomainError, DomainResult, FieldError, PolicyId, RiskTier, Timestamp, UserId,
};
use serde::{Deserialize, Serialize};

use crate::metrics::validate_rule_metric;
use crate::rule::{Op, Rule, Severity};

/// Longest policy name, in characters.
pub const MAX_NAME: usize = 200;
/// Longest description, in characters.
pub const MAX_DESCRIPTION: usize = 10_000;
/// Most rules in one policy.
pub const MAX_RULES: usize = 100;

/// Which models a policy judges.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppliesTo {
    /// The risk tiers it applies to; empty = every tier.
    #[serde(default)]
    pub risk_tiers: Vec<RiskTier>,
}

impl AppliesTo {
    /// Whether a model of this tier is judged by the policy.
    pub fn covers(&self, tier: RiskTier) -> bool {
        self.risk_tiers.is_empty() || self.risk_tiers.contains(&tier)
    }
}

/// One version of a stored policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    /// The policy's id; the same for all its versions.
    pub id: PolicyId,
    /// Name, 1 to 200 characters.
    pub name: String,
    /// What the policy is for.
    pub description: Option<String>,
    /// 1 on creation, one more on each update.
    pub version: i32,
    /// Whether deploys and evaluations are judged by it now.
    pub active: bool,
    /// The tiers it judges.
    pub applies_to: AppliesTo,
    /// The rules, 1 to 100.
    pub rules: Vec<Rule>,
    /// The user who created the policy; `None` for the built-in default policy.
    pub created_by: Option<UserId>,
    /// When version 1 was created.
    pub created_at: Timestamp,
    /// When this version was written.
    pub updated_at: Timestamp,
}

impl Policy {
    /// Whether this policy judges a model of `tier` now: it is active and covers the tier.
    pub fn judges(&self, tier: RiskTier) -> bool {
        self.active && self.applies_to.covers(tier)
    }

    /// The `{policy_id, version}` an evaluation or deployment records.
    pub fn reference(&self) -> PolicyRef {
        PolicyRef {
            policy_id: self.id,
            version: self.version,
        }
    }
}

/// A policy version that judged an evaluation or deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PolicyRef {
    /// The policy's id.
    pub policy_id: PolicyId,
    /// Its version at the time.
    pub version: i32,
}

/// What a caller writes to create or update a policy (`POST`/`PUT /policies`), and the
/// draft of `POST /simulation/policy`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyDraft {
    /// Name, 1 to 200 characters.
    pub name: String,
    /// What the policy is for, at most 10,000 characters.
    #[serde(default)]
    pub description: Option<String>,
    /// Whether it judges models once saved; `false` saves a draft that judges nothing.
    #[serde(default = "active_by_default")]
    pub active: bool,
    /// The tiers it judges; absent = every tier.
    #[serde(default, deserialize_with = "driftguard_core::object::one")]
    pub applies_to: AppliesTo,
    /// The rules, 1 to 100.
    #[serde(deserialize_with = "driftguard_core::object::list")]
    pub rules: Vec<Rule>,
}

fn active_by_default() -> bool {
    true
}

impl PolicyDraft {
    /// Checks every field and reports every problem at once, as `DomainError::Invalid` with
    /// field errors such as `name` or `rules[2].metric`.
    pub fn validate(&self) -> DomainResult<()> {
        let mut errors = Vec::new();
        // Counted as sent, as the OpenAPI document's maxLength counts; stored trimmed.
        if self.name.trim().is_empty() || self.name.chars().count() > MAX_NAME {
            errors.push(FieldError::new(
                "name",
                format!("must be 1 to {MAX_NAME} characters, not all white space"),
            ));
        }
        if self
            .description
            .as_deref()
            .is_some_and(|d| d.chars().count() > MAX_DESCRIPTION)
        {
            errors.push(FieldError::new(
                "description",
                format!("must be at most {MAX_DESCRIPTION} characters"),
            ));
        }
        if !(1..=MAX_RULES).contains(&self.rules.len()) {
            errors.push(FieldError::new(
                "rules",
                format!("must hold 1 to {MAX_RULES} rules"),
            ));
        }
        for (index, rule) in self.rules.iter().enumerate().take(MAX_RULES) {
            if let Err(error) = validate_rule_metric(index, &rule.metric) {
                errors.push(error);
            }
            if !rule.threshold.is_finite() {
                errors.push(FieldError::new(
                    format!("rules[{index}].threshold"),
                    "must be a finite number",
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(DomainError::invalid_fields(errors))
        }
    }

    /// Version 1 of a new policy made of this draft; what a store writes on
    /// `create`, and how the offline check and the policy simulation judge by a draft.
    pub fn into_policy(self, id: PolicyId, created_by: Option<UserId>, at: Timestamp) -> Policy {
        Policy {
            id,
            name: self.name,
            description: self.description,
            version: 1,
            active: self.active,
            applies_to: self.applies_to,
            rules: self.rules,
            created_by,
            created_at: at,
            updated_at: at,
        }
    }

    /// The default policy of SPEC §2, which a fresh database gets, active for every tier.
    pub fn default_policy() -> Self {
        let rule = Rule::new;
        Self {
            name: "Default policy".to_owned(),
            description: Some(
                "Built-in baseline: blocks heavy drift, disparate impact under the four-fifths \
                 rule and a risk score over 70; warns on moderate drift, unequal odds and an \
                 accuracy drop."
                    .to_owned(),
            ),
            active: true,
            applies_to: AppliesTo::default(),
            rules: vec![
                rule("drift.share", Op::Lt, 0.5, Severity::Block),
                rule("drift.share", Op::Lt, 0.25, Severity::Warn),
                rule("fairness.disparate_impact", Op::Ge, 0.8, Severity::Block),
                rule(
                    "fairness.equalized_odds_difference",
                    Op::Le,
                    0.1,
                    Severity::Warn,
                ),
                rule("performance.accuracy_drop", Op::Le, 0.05, Severity::Warn),
                rule("risk.score", Op::Le, 70.0, Severity::Block),
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// From `fuzz/` (policy_draft): a threshold of many digits came back from its own JSON
    /// one ulp off, until serde_json read numbers correctly rounded (`float_roundtrip`).
    #[test]
    fn a_draft_reads_back_from_its_json_unchanged() {
        let digits = "4".repeat(108);
        let text = format!(
            r#"{{"name": "n", "rules": [{{"metric": "drift.share", "op": "<=", "threshold": {digits}.2, "severity": "block"}}]}}"#
        );
        let draft: PolicyDraft = serde_json::from_str(&text).expect("a draft");
        let again: PolicyDraft =
            serde_json::from_slice(&serde_json::to_vec(&draft).expect("JSON")).expect("back");
        assert_eq!(again, draft);
        assert_eq!(
            draft.rules[0].threshold,
            format!("{digits}.2").parse::<f64>().expect("f64")
        );
    }

    fn fields(result: DomainResult<()>) -> Vec<String> {
        match result {
            Err(DomainError::Invalid { errors, .. }) => {
                errors.into_iter().map(|e| e.field).collect()
            }
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn the_default_policy_is_valid() {
        let draft = PolicyDraft::default_policy();
        assert!(draft.validate().is_ok());
        assert_eq!(draft.rules.len(), 6);
        assert!(draft.applies_to.risk_tiers.is_empty());
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        let mut draft = PolicyDraft::default_policy();
        draft.name = "  ".to_owned();
        draft.description = Some("x".repeat(MAX_DESCRIPTION + 1));
        draft.rules[2].metric = "fairness.nope".to_owned();
        draft.rules[4].threshold = f64::INFINITY;
        assert_eq!(
            fields(draft.validate()),
            [
                "name",
                "description",
                "rules[2].metric",
                "rules[4].threshold"
            ]
        );
    }

    #[test]
    fn rule_count_and_name_length_are_bounded() {
        let mut draft = PolicyDraft::default_policy();
        draft.rules.clear();
        assert_eq!(fields(draft.validate()), ["rules"]);
        draft.rules = vec![Rule::new("risk.score", Op::Le, 70.0, Severity::Block); MAX_RULES + 1];
        assert_eq!(fields(draft.validate()), ["rules"]);
        draft.rules.truncate(MAX_RULES);
        draft.name = "é".repeat(MAX_NAME);
        assert!(draft.validate().is_ok());
        draft.name.push('x');
        assert_eq!(fields(draft.validate()), ["name"]);
    }

    #[test]
    fn applies_to_empty_means_every_tier() {
        let all = AppliesTo::default();
        let high = AppliesTo {
            risk_tiers: vec![RiskTier::High, RiskTier::Critical],
        };
        for tier in RiskTier::ALL {
            assert!(all.covers(*tier));
        }
        assert!(high.covers(RiskTier::Critical));
        assert!(!high.covers(RiskTier::Low));
    }

    #[test]
    fn drafts_read_the_api_json() {
        let draft: PolicyDraft = serde_json::from_str(
            r#"{"name": "strict", "applies_to": {"risk_tiers": ["high"]},
                "rules": [{"metric": "risk.score", "op": "<=", "threshold": 50,
                           "severity": "block", "required": true}]}"#,
        )
        .expect("valid draft");
        assert_eq!(draft.applies_to.risk_tiers, [RiskTier::High]);
        assert!(draft.rules[0].required);
        assert!(
            serde_json::from_str::<PolicyDraft>(r#"{"name": "x", "rules": [], "extra": 1}"#)
                .is_err()
        );
    }
}
