//! The risk score (SPEC §2): a number from 0 to 100 with the breakdown that explains it.

use driftguard_core::RiskTier;
use driftguard_stats::fairness::FairnessMetrics;
use driftguard_stats::performance::PerformanceMetrics;
use serde::{Deserialize, Serialize};

/// Weight of each component before renormalising over the components present.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RiskWeights {
    /// Drift (0.4).
    pub drift: f64,
    /// Fairness (0.35).
    pub fairness: f64,
    /// Performance (0.25).
    pub performance: f64,
}

impl Default for RiskWeights {
    fn default() -> Self {
        Self {
            drift: 0.4,
            fairness: 0.35,
            performance: 0.25,
        }
    }
}

/// Multiplier of the score by the model's risk tier.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TierMultipliers {
    /// Low tier (0.6).
    pub low: f64,
    /// Medium tier (0.8).
    pub medium: f64,
    /// High tier (1.0).
    pub high: f64,
    /// Critical tier (1.25).
    pub critical: f64,
}

impl Default for TierMultipliers {
    fn default() -> Self {
        Self {
            low: 0.6,
            medium: 0.8,
            high: 1.0,
            critical: 1.25,
        }
    }
}

impl TierMultipliers {
    /// The multiplier of a tier.
    pub fn of(&self, tier: RiskTier) -> f64 {
        match tier {
            RiskTier::Low => self.low,
            RiskTier::Medium => self.medium,
            RiskTier::High => self.high,
            RiskTier::Critical => self.critical,
        }
    }
}

/// Every number of the risk score; the defaults are SPEC §2's.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RiskSettings {
    /// The dataset drift share threshold: drift severity = share / this (0.5). Also the
    /// share at which the drift report calls the dataset drifted.
    pub drift_share_threshold: f64,
    /// Demographic parity difference at full fairness severity (0.1).
    pub demographic_parity_scale: f64,
    /// Equalized odds difference at full fairness severity (0.1).
    pub equalized_odds_scale: f64,
    /// `1 − disparate impact` at full fairness severity (0.2).
    pub disparate_impact_scale: f64,
    /// Relative performance drop at full performance severity (0.10).
    pub performance_drop_scale: f64,
    /// Component weights.
    pub weights: RiskWeights,
    /// Tier multipliers.
    pub tier_multipliers: TierMultipliers,
}

impl Default for RiskSettings {
    fn default() -> Self {
        Self {
            drift_share_threshold: 0.5,
            demographic_parity_scale: 0.1,
            equalized_odds_scale: 0.1,
            disparate_impact_scale: 0.2,
            performance_drop_scale: 0.1,
            weights: RiskWeights::default(),
            tier_multipliers: TierMultipliers::default(),
        }
    }
}

impl RiskSettings {
    /// Checks that every number is finite, scales and the share threshold positive, and
    /// weights and multipliers not negative; the error names the first bad setting.
    pub fn validate(&self) -> Result<(), String> {
        let w = &self.weights;
        let m = &self.tier_multipliers;
        let positive = [
            ("drift_share_threshold", self.drift_share_threshold),
            ("demographic_parity_scale", self.demographic_parity_scale),
            ("equalized_odds_scale", self.equalized_odds_scale),
            ("disparate_impact_scale", self.disparate_impact_scale),
            ("performance_drop_scale", self.performance_drop_scale),
        ];
        let non_negative = [
            ("weights.drift", w.drift),
            ("weights.fairness", w.fairness),
            ("weights.performance", w.performance),
            ("tier_multipliers.low", m.low),
            ("tier_multipliers.medium", m.medium),
            ("tier_multipliers.high", m.high),
            ("tier_multipliers.critical", m.critical),
        ];
        let bad = positive
            .iter()
            .find(|(_, v)| !(v.is_finite() && *v > 0.0))
            .or_else(|| {
                non_negative
                    .iter()
                    .find(|(_, v)| !(v.is_finite() && *v >= 0.0))
            });
        match bad {
            Some((name, value)) => Err(format!("risk setting {name} cannot be {value}")),
            None if self.drift_share_threshold > 1.0 => {
                Err("risk setting drift_share_threshold must be at most 1".to_owned())
            }
            None => Ok(()),
        }
    }

    /// Drift severity: `min(1, share / drift_share_threshold)`.
    pub fn drift_severity(&self, share: f64) -> f64 {
        unit(share / self.drift_share_threshold)
    }

    /// Fairness severity: the largest of `dpd / 0.1`, `eod / 0.1`, `(1 − di) / 0.2`, capped
    /// at 1; `None` when none of the three is defined.
    pub fn fairness_severity(&self, metrics: &FairnessMetrics) -> Option<f64> {
        [
            metrics
                .demographic_parity_difference
                .map(|d| d / self.demographic_parity_scale),
            metrics
                .equalized_odds_difference
                .map(|d| d / self.equalized_odds_scale),
            metrics
                .disparate_impact
                .map(|di| (1.0 - di) / self.disparate_impact_scale),
        ]
        .into_iter()
        .flatten()
        .reduce(f64::max)
        .map(unit)
    }

    /// Performance severity: the largest relative loss of quality of a metric
    /// (`loss / |baseline|`, only losses count) divided by 0.10, capped at 1.
    ///
    /// The loss is `baseline − current` for the metrics where higher is better, and
    /// `current − baseline` for the error metrics (`mae`, `rmse`), so that a growing error
    /// raises the risk and a shrinking one does not. Metrics with a zero baseline have no
    /// relative change and are left out.
    pub fn performance_severity(
        &self,
        baseline: &PerformanceMetrics,
        current: &PerformanceMetrics,
    ) -> f64 {
        let now = current.to_map();
        let largest = baseline
            .to_map()
            .into_iter()
            .filter(|(_, base)| *base != 0.0)
            .filter_map(|(name, base)| {
                let loss = match name {
                    "mae" | "rmse" => now.get(name)? - base,
                    _ => base - now.get(name)?,
                };
                Some(loss / base.abs())
            })
            .fold(0.0, f64::max);
        unit(largest / self.performance_drop_scale)
    }
}

/// Clamps a severity to [0, 1] (NaN, from 0/0, counts as 0).
fn unit(x: f64) -> f64 {
    if x.is_nan() { 0.0 } else { x.clamp(0.0, 1.0) }
}

/// The severities of the components an evaluation has; `None` = component missing.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Severities {
    /// Drift severity, when there is a feature column.
    pub drift: Option<f64>,
    /// Fairness severity, when fairness was measured.
    pub fairness: Option<f64>,
    /// Performance severity, when there is a baseline to compare with.
    pub performance: Option<f64>,
}

/// One component's share of the score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Component {
    /// Severity in [0, 1].
    pub severity: f64,
    /// Weight after renormalising over the components present.
    pub weight: f64,
    /// Points: `100 × weight × severity × tier multiplier`.
    pub contribution: f64,
}

/// The components present, by name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Components {
    /// Drift.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drift: Option<Component>,
    /// Fairness.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fairness: Option<Component>,
    /// Performance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub performance: Option<Component>,
}

impl Components {
    /// Σ contributions: the score before the clamp.
    pub fn total(&self) -> f64 {
        [self.drift, self.fairness, self.performance]
            .iter()
            .flatten()
            .map(|c| c.contribution)
            .sum()
    }
}

/// The risk score and its breakdown.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RiskScore {
    /// Σ contributions, clamped to [0, 100]; 0 without any component.
    pub score: f64,
    /// The multiplier of the model's tier.
    pub tier_multiplier: f64,
    /// The components present.
    pub components: Components,
}

/// Weighs the severities present into the score for a model of `tier`.
pub fn risk_score(severities: Severities, tier: RiskTier, settings: &RiskSettings) -> RiskScore {
    let w = &settings.weights;
    let present = |s: Option<f64>, weight: f64| s.map(|s| (s, weight));
    let parts = [
        present(severities.drift, w.drift),
        present(severities.fairness, w.fairness),
        present(severities.performance, w.performance),
    ];
    let total_weight: f64 = parts.iter().flatten().map(|(_, weight)| weight).sum();
    let tier_multiplier = settings.tier_multipliers.of(tier);
    let [drift, fairness, performance] = parts.map(|part| {
        part.map(|(severity, weight)| {
            // All weights zero: the components are shown, but nothing is weighed.
            let weight = if total_weight > 0.0 {
                weight / total_weight
            } else {
                0.0
            };
            Component {
                severity,
                weight,
                contribution: 100.0 * weight * severity * tier_multiplier,
            }
        })
    });
    let components = Components {
        drift,
        fairness,
        performance,
    };
    RiskScore {
        score: components.total().clamp(0.0, 100.0),
        tier_multiplier,
        components,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{classification, regression};

    const EPS: f64 = 1e-12;

    #[test]
    fn defaults_are_the_spec_and_valid() {
        let s = RiskSettings::default();
        assert_eq!(s.validate(), Ok(()));
        assert_eq!(s.tier_multipliers.of(RiskTier::Critical), 1.25);
        let parsed: RiskSettings =
            serde_json::from_str(r#"{"weights": {"drift": 0.5}}"#).expect("partial settings");
        assert_eq!(parsed.weights.drift, 0.5);
        assert_eq!(parsed.weights.fairness, 0.35);
        let bad = RiskSettings {
            disparate_impact_scale: 0.0,
            ..s
        };
        assert!(
            bad.validate()
                .is_err_and(|e| e.contains("disparate_impact_scale"))
        );
        let bad = RiskSettings {
            drift_share_threshold: 1.5,
            ..s
        };
        assert!(bad.validate().is_err());
    }

    #[test]
    fn drift_severity_is_share_over_threshold_capped() {
        let s = RiskSettings::default();
        assert_eq!(s.drift_severity(0.2), 0.4);
        assert_eq!(s.drift_severity(0.75), 1.0);
    }

    #[test]
    fn fairness_severity_is_the_largest_term() {
        let s = RiskSettings::default();
        let m = FairnessMetrics {
            demographic_parity_difference: Some(0.03),
            equalized_odds_difference: Some(0.05),
            disparate_impact: Some(0.88),
            ..FairnessMetrics::default()
        };
        // 0.3, 0.5, 0.6
        assert!((s.fairness_severity(&m).expect("defined") - 0.6).abs() < EPS);
        let worse = FairnessMetrics {
            disparate_impact: Some(0.5),
            ..m
        };
        assert_eq!(s.fairness_severity(&worse), Some(1.0));
        assert_eq!(s.fairness_severity(&FairnessMetrics::default()), None);
    }

    #[test]
    fn performance_severity_counts_only_losses() {
        let s = RiskSettings::default();
        // accuracy 0.8 → 0.76: relative loss 0.05, severity 0.5.
        let sev = s.performance_severity(&classification(0.8), &classification(0.76));
        assert!((sev - 0.5).abs() < EPS, "{sev}");
        assert_eq!(
            s.performance_severity(&classification(0.8), &classification(0.9)),
            0.0
        );
        // Error metrics: a growing error is the loss; mae 2 → 2.1 is 5 %, rmse 1 → 1.02 2 %.
        let sev = s.performance_severity(&regression(2.0, 1.0), &regression(2.1, 1.02));
        assert!((sev - 0.5).abs() < EPS, "{sev}");
        assert_eq!(
            s.performance_severity(&regression(2.0, 1.0), &regression(1.0, 0.5)),
            0.0
        );
    }

    #[test]
    fn contributions_add_up_to_the_score_with_renormalised_weights() {
        let s = RiskSettings::default();
        let r = risk_score(
            Severities {
                drift: Some(0.8),
                fairness: None,
                performance: Some(0.5),
            },
            RiskTier::Critical,
            &s,
        );
        let drift = r.components.drift.expect("drift present");
        let performance = r.components.performance.expect("performance present");
        assert!((drift.weight - 0.4 / 0.65).abs() < EPS);
        assert!((performance.weight - 0.25 / 0.65).abs() < EPS);
        assert!((drift.contribution - 100.0 * 0.4 / 0.65 * 0.8 * 1.25).abs() < EPS);
        assert!((r.score - (drift.contribution + performance.contribution)).abs() < EPS);
        assert_eq!(r.score, r.components.total());
        assert_eq!(r.tier_multiplier, 1.25);
        assert!(r.components.fairness.is_none());
    }

    #[test]
    fn the_score_is_clamped_and_zero_without_components() {
        let s = RiskSettings::default();
        let all = Severities {
            drift: Some(1.0),
            fairness: Some(1.0),
            performance: Some(1.0),
        };
        let r = risk_score(all, RiskTier::Critical, &s);
        assert_eq!(r.score, 100.0);
        let total: f64 = [
            r.components.drift,
            r.components.fairness,
            r.components.performance,
        ]
        .iter()
        .flatten()
        .map(|c| c.contribution)
        .sum();
        assert!((total - 125.0).abs() < EPS);
        let none = risk_score(Severities::default(), RiskTier::High, &s);
        assert_eq!(none.score, 0.0);
        let json = serde_json::to_value(none).expect("serialises");
        assert_eq!(json["components"], serde_json::json!({}));
    }
}
