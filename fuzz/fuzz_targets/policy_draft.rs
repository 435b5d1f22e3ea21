//! A policy as `POST /policies` receives it: arbitrary bytes read as a draft, validated,
//! and a valid draft turned into a policy that judges a metric map. Nothing may panic; a
//! valid draft survives a round trip through JSON unchanged and still validates.
#![no_main]

use driftguard_core::{PolicyId, RiskTier, now};
use driftguard_governance::{MetricMap, PolicyDraft, judge};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(draft) = serde_json::from_slice::<PolicyDraft>(data) else {
        return;
    };
    if draft.validate().is_err() {
        return;
    }
    let text = serde_json::to_vec(&draft).expect("a draft serialises");
    let again: PolicyDraft = serde_json::from_slice(&text).expect("its JSON reads back");
    assert_eq!(again, draft);
    again.validate().expect("the draft read back is valid");
    let policy = draft.into_policy(PolicyId(1), None, now());
    // Judged against no metrics (every rule skipped) and against some.
    for metrics in [MetricMap::default(), driftguard_fuzz::some_metrics()] {
        let judgement = judge(&metrics, std::slice::from_ref(&policy), RiskTier::High);
        assert!(judgement.violations.len() <= policy.rules.len());
    }
});
