//! The deploy decision (SPEC §2, deployments): from the governance result, the requester's
//! rights and an override request to allow, block, forbid, reject or override.

use driftguard_core::{EvaluationId, FieldError};
use serde::{Deserialize, Serialize};

use crate::judge::{Judgement, Status, Violation};
use crate::metric_map::MetricMap;
use crate::metrics::RISK_SCORE;
use crate::policy::PolicyRef;
use crate::risk::RiskScore;

/// Fewest characters (after trimming) an override justification must have.
pub const MIN_JUSTIFICATION: usize = 20;

/// The governance result a deploy was decided on: `governance_result` of a blocked deploy's
/// 409 body and of the deployment history row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GovernanceResult {
    /// The judgement's status.
    pub status: Status,
    /// The evaluation's risk score; `None` without an evaluation.
    pub risk_score: Option<f64>,
    /// How the risk score was made (tier multiplier, components), when the evaluation
    /// recorded it; left out otherwise, as in results recorded before it was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk_breakdown: Option<RiskScore>,
    /// The judgement's violations.
    pub violations: Vec<Violation>,
    /// The policy versions that judged.
    pub policy_versions: Vec<PolicyRef>,
    /// The evaluation judged; `None` when the model has none.
    pub evaluation_id: Option<EvaluationId>,
}

impl GovernanceResult {
    /// The result of `judgement`, made from the latest evaluation (its id and stored
    /// metrics) or, with `None`, from finding none ([`Judgement::no_evaluation`]).
    pub fn new(judgement: Judgement, evaluation: Option<(EvaluationId, &MetricMap)>) -> Self {
        Self {
            status: judgement.status,
            risk_score: evaluation.and_then(|(_, metrics)| metrics.get(RISK_SCORE).copied()),
            risk_breakdown: None,
            violations: judgement.violations,
            policy_versions: judgement.policy_versions,
            evaluation_id: evaluation.map(|(id, _)| id),
        }
    }

    /// The result with the evaluation's risk breakdown.
    pub fn with_risk_breakdown(self, risk_breakdown: Option<RiskScore>) -> Self {
        Self {
            risk_breakdown,
            ..self
        }
    }
}

/// What a deploy request asks for besides the model.
#[derive(Debug, Clone, Copy)]
pub struct DeployRequest<'a> {
    /// What the requester may do, as the permission table says (the caller asks it).
    pub rights: DeployRights,
    /// Whether the requester asks to override a failing result.
    pub override_requested: bool,
    /// Why the override is justified.
    pub justification: Option<&'a str>,
}

/// What a requester may do with a deployment, decided by the caller from the permission
/// table (`driftguard_auth::Action::Deploy` and `OverrideDeploy`): the decision compares no
/// roles of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeployRights {
    /// May deploy a model whose result is not `fail`.
    pub deploy: bool,
    /// May override a `fail` result.
    pub override_failing: bool,
}

/// What to do with a deploy request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeployDecision {
    /// Deploy; no override is used (the result is `pass` or `warn`).
    Allow,
    /// Do not deploy (409 with the governance result); record the attempt as `blocked`.
    Block {
        /// Why, for a person.
        reason: String,
    },
    /// The role may not do this (403); nothing is recorded.
    Forbidden {
        /// Why, for a person.
        reason: String,
    },
    /// The override request is malformed (422); nothing is recorded.
    Invalid(FieldError),
    /// Deploy a failing model by override; record `override_used` and the justification.
    Override,
}

/// Decides a deploy from the latest judgement (`None`: the model has no evaluation, which
/// counts as `fail`).
///
/// Deploying needs the right to deploy. Asking for an override needs the right to override and a justification
/// of at least [`MIN_JUSTIFICATION`] characters, checked in that order, whatever the result;
/// an override of a result that is not `fail` overrides nothing and is a plain `Allow`.
pub fn decide(judgement: Option<&Judgement>, request: &DeployRequest<'_>) -> DeployDecision {
    if !request.rights.deploy {
        return DeployDecision::Forbidden {
            reason: "deploying a model needs the engineer role".to_owned(),
        };
    }
    let status = judgement.map_or(Status::Fail, |j| j.status);
    if request.override_requested {
        if !request.rights.override_failing {
            return DeployDecision::Forbidden {
                reason: "overriding a governance result needs the approver role".to_owned(),
            };
        }
        let length = request
            .justification
            .map_or(0, |j| j.trim().chars().count());
        if length < MIN_JUSTIFICATION {
            return DeployDecision::Invalid(FieldError::new(
                "justification",
                format!(
                    "an override needs a justification of at least {MIN_JUSTIFICATION} characters"
                ),
            ));
        }
    }
    match (status, request.override_requested) {
        (Status::Fail, true) => DeployDecision::Override,
        (Status::Fail, false) => DeployDecision::Block {
            reason: block_reason(judgement),
        },
        _ => DeployDecision::Allow,
    }
}

fn block_reason(judgement: Option<&Judgement>) -> String {
    let Some(judgement) = judgement else {
        return "the model has no evaluation; evaluate it before deploying".to_owned();
    };
    let blocking: Vec<&str> = judgement
        .violations
        .iter()
        .filter(|v| v.severity == crate::rule::Severity::Block)
        .map(|v| v.metric.as_str())
        .collect();
    format!(
        "governance result is fail: blocking violations of {}",
        blocking.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::PolicyDraft;
    use crate::test_support::policy;
    use driftguard_core::RiskTier;

    const REASON: &str = "accepted by the risk board, ticket RISK-42";

    fn judged(status: Status) -> Judgement {
        let metrics: MetricMap = match status {
            Status::Pass => [("drift.share", 0.0)].into_iter(),
            Status::Warn => [("drift.share", 0.3)].into_iter(),
            Status::Fail => [("drift.share", 0.6)].into_iter(),
        }
        .map(|(k, v)| (k.to_owned(), v))
        .chain([("risk.score".to_owned(), 10.0)])
        .collect();
        let j = crate::judge::judge(
            &metrics,
            &[policy(1, 1, PolicyDraft::default_policy())],
            RiskTier::High,
        );
        assert_eq!(j.status, status);
        j
    }

    // The rights the permission table gives each role (driftguard_auth::Action), written
    // out: this crate is told them, it does not look them up.
    const VIEWER: DeployRights = DeployRights {
        deploy: false,
        override_failing: false,
    };
    const ENGINEER: DeployRights = DeployRights {
        deploy: true,
        override_failing: false,
    };
    const APPROVER: DeployRights = DeployRights {
        deploy: true,
        override_failing: true,
    };
    const ADMIN: DeployRights = APPROVER;

    fn request(
        rights: DeployRights,
        override_requested: bool,
        justification: Option<&str>,
    ) -> DeployRequest<'_> {
        DeployRequest {
            rights,
            override_requested,
            justification,
        }
    }

    #[test]
    fn the_governance_result_is_the_409_body_field() {
        let j = judged(Status::Fail);
        let metrics = MetricMap::from([("risk.score".to_owned(), 10.0)]);
        let json =
            serde_json::to_value(GovernanceResult::new(j, Some((EvaluationId(7), &metrics))))
                .expect("serialises");
        assert_eq!(json["status"], "fail");
        assert_eq!(json["risk_score"], 10.0);
        assert_eq!(json["evaluation_id"], 7);
        assert_eq!(json["violations"][0]["metric"], "drift.share");
        assert_eq!(json["policy_versions"][0]["policy_id"], 1);
        let none = GovernanceResult::new(Judgement::no_evaluation(&[], RiskTier::Low), None);
        assert_eq!((none.risk_score, none.evaluation_id), (None, None));
        assert_eq!(none.status, Status::Fail);
    }

    #[test]
    fn passing_and_warning_results_deploy() {
        for status in [Status::Pass, Status::Warn] {
            let j = judged(status);
            assert_eq!(
                decide(Some(&j), &request(ENGINEER, false, None)),
                DeployDecision::Allow
            );
            // Asking for an override that is not needed is allowed, and uses none.
            let d = decide(Some(&j), &request(APPROVER, true, Some(REASON)));
            assert_eq!(d, DeployDecision::Allow);
        }
    }

    #[test]
    fn a_failing_result_blocks_without_override() {
        let j = judged(Status::Fail);
        for role in [ENGINEER, APPROVER, ADMIN] {
            let d = decide(Some(&j), &request(role, false, None));
            assert!(
                matches!(&d, DeployDecision::Block { reason } if reason.contains("drift.share")),
                "{d:?}"
            );
        }
    }

    #[test]
    fn no_evaluation_blocks_and_can_be_overridden() {
        let d = decide(None, &request(ENGINEER, false, None));
        assert!(matches!(&d, DeployDecision::Block { reason } if reason.contains("no evaluation")));
        assert_eq!(
            decide(None, &request(ADMIN, true, Some(REASON))),
            DeployDecision::Override
        );
    }

    #[test]
    fn an_approver_with_a_justification_overrides() {
        let j = judged(Status::Fail);
        for role in [APPROVER, ADMIN] {
            assert_eq!(
                decide(Some(&j), &request(role, true, Some(REASON))),
                DeployDecision::Override
            );
        }
    }

    #[test]
    fn roles_below_the_action_are_forbidden() {
        let j = judged(Status::Pass);
        assert!(matches!(
            decide(Some(&j), &request(VIEWER, false, None)),
            DeployDecision::Forbidden { .. }
        ));
        let j = judged(Status::Fail);
        // The role is checked before the justification.
        for justification in [Some(REASON), None] {
            assert!(matches!(
                decide(Some(&j), &request(ENGINEER, true, justification)),
                DeployDecision::Forbidden { .. }
            ));
        }
    }

    #[test]
    fn an_override_needs_twenty_characters_of_justification() {
        let j = judged(Status::Fail);
        let padded = format!("   {}   ", "x".repeat(MIN_JUSTIFICATION - 1));
        for justification in [None, Some(""), Some(padded.as_str())] {
            match decide(Some(&j), &request(APPROVER, true, justification)) {
                DeployDecision::Invalid(error) => assert_eq!(error.field, "justification"),
                other => panic!("expected Invalid, got {other:?}"),
            }
        }
        let exact = "é".repeat(MIN_JUSTIFICATION);
        assert_eq!(
            decide(Some(&j), &request(APPROVER, true, Some(&exact))),
            DeployDecision::Override
        );
    }
}
