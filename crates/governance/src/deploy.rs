//! The deploy decision (SPEC §2, deployments): from the governance result, the requester's
//! role and an override request to allow, block, forbid, reject or override.

use driftguard_core::{FieldError, Role};

use crate::judge::{Judgement, Status};

/// Fewest characters (after trimming) an override justification must have.
pub const MIN_JUSTIFICATION: usize = 20;

/// What a deploy request asks for besides the model.
#[derive(Debug, Clone, Copy)]
pub struct DeployRequest<'a> {
    /// The requester's role.
    pub role: Role,
    /// Whether the requester asks to override a failing result.
    pub override_requested: bool,
    /// Why the override is justified.
    pub justification: Option<&'a str>,
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
/// Deploying needs `engineer`. Asking for an override needs `approver` and a justification
/// of at least [`MIN_JUSTIFICATION`] characters, checked in that order, whatever the result;
/// an override of a result that is not `fail` overrides nothing and is a plain `Allow`.
pub fn decide(judgement: Option<&Judgement>, request: &DeployRequest<'_>) -> DeployDecision {
    if request.role < Role::Engineer {
        return DeployDecision::Forbidden {
            reason: "deploying a model needs the engineer role".to_owned(),
        };
    }
    let status = judgement.map_or(Status::Fail, |j| j.status);
    if request.override_requested {
        if request.role < Role::Approver {
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
    use crate::metric_map::MetricMap;
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

    fn request(
        role: Role,
        override_requested: bool,
        justification: Option<&str>,
    ) -> DeployRequest<'_> {
        DeployRequest {
            role,
            override_requested,
            justification,
        }
    }

    #[test]
    fn passing_and_warning_results_deploy() {
        for status in [Status::Pass, Status::Warn] {
            let j = judged(status);
            assert_eq!(
                decide(Some(&j), &request(Role::Engineer, false, None)),
                DeployDecision::Allow
            );
            // Asking for an override that is not needed is allowed, and uses none.
            let d = decide(Some(&j), &request(Role::Approver, true, Some(REASON)));
            assert_eq!(d, DeployDecision::Allow);
        }
    }

    #[test]
    fn a_failing_result_blocks_without_override() {
        let j = judged(Status::Fail);
        for role in [Role::Engineer, Role::Approver, Role::Admin] {
            let d = decide(Some(&j), &request(role, false, None));
            assert!(
                matches!(&d, DeployDecision::Block { reason } if reason.contains("drift.share")),
                "{d:?}"
            );
        }
    }

    #[test]
    fn no_evaluation_blocks_and_can_be_overridden() {
        let d = decide(None, &request(Role::Engineer, false, None));
        assert!(matches!(&d, DeployDecision::Block { reason } if reason.contains("no evaluation")));
        assert_eq!(
            decide(None, &request(Role::Admin, true, Some(REASON))),
            DeployDecision::Override
        );
    }

    #[test]
    fn an_approver_with_a_justification_overrides() {
        let j = judged(Status::Fail);
        for role in [Role::Approver, Role::Admin] {
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
            decide(Some(&j), &request(Role::Viewer, false, None)),
            DeployDecision::Forbidden { .. }
        ));
        let j = judged(Status::Fail);
        // The role is checked before the justification.
        for justification in [Some(REASON), None] {
            assert!(matches!(
                decide(Some(&j), &request(Role::Engineer, true, justification)),
                DeployDecision::Forbidden { .. }
            ));
        }
    }

    #[test]
    fn an_override_needs_twenty_characters_of_justification() {
        let j = judged(Status::Fail);
        let padded = format!("   {}   ", "x".repeat(MIN_JUSTIFICATION - 1));
        for justification in [None, Some(""), Some(padded.as_str())] {
            match decide(Some(&j), &request(Role::Approver, true, justification)) {
                DeployDecision::Invalid(error) => assert_eq!(error.field, "justification"),
                other => panic!("expected Invalid, got {other:?}"),
            }
        }
        let exact = "é".repeat(MIN_JUSTIFICATION);
        assert_eq!(
            decide(Some(&j), &request(Role::Approver, true, Some(&exact))),
            DeployDecision::Override
        );
    }
}
