//! DriftGuard governance: the metric catalogue, policies and their rules, judging an
//! evaluation's metrics against them, the risk score, the evaluation itself and the deploy
//! decision. Pure functions over the statistics engine's results, plus the
//! [`PolicyRepository`] port; other Rust services link this crate directly.
//!
//! ```
//! use driftguard_core::{RiskTier, Task};
//! use driftguard_governance::{
//!     EvaluationInput, EvaluationOptions, PolicyDraft, RiskSettings, Status, evaluate,
//! };
//! use driftguard_stats::{ColumnRoles, Dataset, ParseOptions};
//!
//! let reference = b"age,city,p,y\n31,Oslo,1,1\n45,Rome,0,0\n27,Oslo,1,1\n52,Rome,0,0\n";
//! let current = b"age,city,p,y\n31,Oslo,1,1\n45,Rome,0,0\n27,Oslo,1,1\n52,Rome,0,1\n";
//! let reference = Dataset::from_csv(reference, &ParseOptions::default())?;
//! let current = Dataset::from_csv(current, &ParseOptions::default())?;
//! let roles = ColumnRoles {
//!     prediction: Some("p".into()),
//!     label: Some("y".into()),
//!     ..ColumnRoles::default()
//! };
//! // Stored policies come from a `PolicyRepository`; here, the default one.
//! let policies = [PolicyDraft::default_policy().into_policy(driftguard_core::PolicyId(1), None, driftguard_core::now())];
//! let result = evaluate(&EvaluationInput {
//!     reference: (&reference).into(),
//!     current: &current,
//!     roles: &roles,
//!     task: Task::BinaryClassification,
//!     risk_tier: RiskTier::High,
//!     options: &EvaluationOptions::default(),
//!     policies: &policies,
//!     settings: &RiskSettings::default(),
//!     max_groups: driftguard_stats::Limits::default().max_groups,
//! })?;
//! assert_eq!(result.metrics["performance.accuracy_drop"], 0.25);
//! assert_eq!(result.judgement.status, Status::Warn);
//! println!("{}", serde_json::to_string_pretty(&result)?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod column_requests;
pub mod deploy;
pub mod evaluation;
pub mod judge;
pub mod metric_map;
pub mod metrics;
pub mod policy;
pub mod repository;
pub mod risk;
pub mod rule;
pub mod sections;
pub mod simulation;
#[cfg(test)]
mod test_support;

pub use deploy::{DeployDecision, DeployRequest, DeployRights, GovernanceResult, decide};
pub use evaluation::{
    EvaluationError, EvaluationInput, EvaluationOptions, EvaluationResult, evaluate,
};
pub use judge::{
    Judgement, RuleCheck, RuleOutcome, SkippedRule, Status, Violation, check_rules, judge,
};
pub use metric_map::{MetricMap, build_metric_map};
pub use metrics::{MetricKind, parse_column_metric, validate_metric, validate_rule_metric};
pub use policy::{AppliesTo, Policy, PolicyDraft, PolicyRef};
pub use repository::PolicyRepository;
pub use risk::{RiskScore, RiskSettings, Severities, risk_score};
pub use rule::{Op, Rule, Severity};
pub use sections::{FairnessSection, PerformanceSection};
