//! A whole evaluation, as `POST /models/{id}/evaluations` runs it: the input is a choice
//! byte and two CSV bodies (reference and current, split at the first `\0`). Columns named
//! `p`, `y`, `s` and `g` take the prediction, label, score and sensitive roles. Whatever
//! the data, the evaluation answers a result or an error, never a panic, and a result's
//! metric map holds finite numbers only, with a risk score in [0, 100].
#![no_main]

use driftguard_core::{RiskTier, Task};
use driftguard_governance::{
    EvaluationInput, EvaluationOptions, PolicyDraft, RiskSettings, evaluate,
};
use driftguard_stats::drift::DriftMethod;
use driftguard_stats::{ColumnRoles, Dataset};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&choice, rest)) = data.split_first() else {
        return;
    };
    let Some(split) = rest.iter().position(|&b| b == 0) else {
        return;
    };
    let options = driftguard_fuzz::small_options();
    let (Ok(reference), Ok(current)) = (
        Dataset::from_csv(&rest[..split], &options),
        Dataset::from_csv(&rest[split + 1..], &options),
    ) else {
        return;
    };
    let has = |name: &str| current.iter().any(|(n, _)| n == name);
    let role = |name: &str| has(name).then(|| name.to_owned());
    let roles = ColumnRoles {
        prediction: role("p"),
        label: role("y"),
        score: role("s"),
        sensitive: role("g").into_iter().collect(),
        ignore: Vec::new(),
    };
    let task = if choice & 1 == 0 {
        Task::BinaryClassification
    } else {
        Task::Regression
    };
    let method = DriftMethod::ALL.get(usize::from(choice >> 1) % 9).copied();
    let evaluation_options = EvaluationOptions {
        drift_method: method,
        ..EvaluationOptions::default()
    };
    let policies = [PolicyDraft::default_policy().into_policy(
        driftguard_core::PolicyId(1),
        None,
        driftguard_core::now(),
    )];
    let settings = RiskSettings::default();
    let input = EvaluationInput {
        reference: (&reference).into(),
        current: &current,
        roles: &roles,
        task,
        risk_tier: RiskTier::ALL[usize::from(choice >> 5) % RiskTier::ALL.len()],
        options: &evaluation_options,
        policies: &policies,
        settings: &settings,
        max_groups: options.limits.max_groups,
    };
    if let Ok(result) = evaluate(&input) {
        assert!(
            result.metrics.values().all(|v| v.is_finite()),
            "{:?}",
            result.metrics
        );
        assert!(
            (0.0..=100.0).contains(&result.risk.score),
            "{}",
            result.risk.score
        );
    }
});
