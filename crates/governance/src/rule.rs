//! A policy rule: a condition on one metric that must hold, and how bad it is when it does not.

use serde::{Deserialize, Serialize};

/// A comparison of the observed value (left) with the rule's threshold (right).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Op {
    /// `>`
    #[serde(rename = ">")]
    Gt,
    /// `>=`
    #[serde(rename = ">=")]
    Ge,
    /// `<`
    #[serde(rename = "<")]
    Lt,
    /// `<=`
    #[serde(rename = "<=")]
    Le,
    /// `==` (exact: meant for counts and flags, not for computed fractions)
    #[serde(rename = "==")]
    Eq,
    /// `!=`
    #[serde(rename = "!=")]
    Ne,
}

impl Op {
    /// Every operator.
    pub const ALL: [Op; 6] = [Op::Gt, Op::Ge, Op::Lt, Op::Le, Op::Eq, Op::Ne];

    /// The operator as written in a rule.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Gt => ">",
            Self::Ge => ">=",
            Self::Lt => "<",
            Self::Le => "<=",
            Self::Eq => "==",
            Self::Ne => "!=",
        }
    }

    /// Whether `observed <op> threshold` holds.
    pub fn holds(self, observed: f64, threshold: f64) -> bool {
        match self {
            Self::Gt => observed > threshold,
            Self::Ge => observed >= threshold,
            Self::Lt => observed < threshold,
            Self::Le => observed <= threshold,
            Self::Eq => observed == threshold,
            Self::Ne => observed != threshold,
        }
    }
}

/// What a violated rule does to the result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The result is at least `warn`.
    Warn,
    /// The result is `fail`, which blocks a deployment.
    Block,
}

impl Severity {
    /// Every severity.
    pub const ALL: [Severity; 2] = [Severity::Warn, Severity::Block];

    /// The severity as written in a rule.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Warn => "warn",
            Self::Block => "block",
        }
    }
}

/// A rule: `metric op threshold` must hold, e.g. `fairness.disparate_impact >= 0.8`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// A name from the metric catalogue.
    pub metric: String,
    /// How the observed value compares with the threshold when all is well.
    pub op: Op,
    /// The threshold; finite.
    pub threshold: f64,
    /// What a violation does.
    pub severity: Severity,
    /// When true, an evaluation without this metric violates the rule instead of skipping it.
    #[serde(default)]
    pub required: bool,
}

impl Rule {
    /// A rule that is not required.
    pub fn new(metric: &str, op: Op, threshold: f64, severity: Severity) -> Self {
        Self {
            metric: metric.to_owned(),
            op,
            threshold,
            severity,
            required: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_compare_observed_with_threshold() {
        let cases = [
            (Op::Gt, [false, false, true]),
            (Op::Ge, [false, true, true]),
            (Op::Lt, [true, false, false]),
            (Op::Le, [true, true, false]),
            (Op::Eq, [false, true, false]),
            (Op::Ne, [true, false, true]),
        ];
        for (op, expected) in cases {
            let got = [0.4, 0.5, 0.6].map(|observed| op.holds(observed, 0.5));
            assert_eq!(got, expected, "{}", op.as_str());
        }
    }

    #[test]
    fn json_names_are_the_contract() {
        let rule: Rule = serde_json::from_str(
            r#"{"metric": "fairness.disparate_impact", "op": ">=", "threshold": 0.8, "severity": "block"}"#,
        )
        .expect("valid rule");
        assert_eq!(
            rule,
            Rule::new("fairness.disparate_impact", Op::Ge, 0.8, Severity::Block)
        );
        let json = serde_json::to_value(&rule).expect("serialises");
        assert_eq!(
            json,
            serde_json::json!({"metric": "fairness.disparate_impact", "op": ">=",
                "threshold": 0.8, "severity": "block", "required": false})
        );
        for op in ["<", "<=", ">", "==", "!="] {
            let json =
                format!(r#"{{"metric":"risk.score","op":"{op}","threshold":1,"severity":"warn"}}"#);
            let rule: Rule = serde_json::from_str(&json).expect("valid op");
            assert_eq!(rule.op.as_str(), op);
        }
        assert!(
            serde_json::from_str::<Rule>(
                r#"{"metric":"risk.score","op":"=>","threshold":1,"severity":"warn"}"#
            )
            .is_err()
        );
    }
}
