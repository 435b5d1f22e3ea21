//! How many approvers an override needs, per risk tier, and how long a four-eyes request
//! waits for the second one (`[overrides]` in the settings).

use driftguard_core::RiskTier;
use serde::{Deserialize, Serialize};

/// Approvers an override of a failing result needs: one (the approver who overrides
/// deploys at once) or two (four eyes: a second, different approver must approve).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u64", into = "u64")]
pub enum Approvals {
    /// The override deploys at once.
    One,
    /// The override becomes a pending request.
    Two,
}

impl TryFrom<u64> for Approvals {
    type Error = String;

    fn try_from(n: u64) -> Result<Self, Self::Error> {
        match n {
            1 => Ok(Approvals::One),
            2 => Ok(Approvals::Two),
            _ => Err(format!("approvals must be 1 or 2, not {n}")),
        }
    }
}

impl From<Approvals> for u64 {
    fn from(a: Approvals) -> Self {
        match a {
            Approvals::One => 1,
            Approvals::Two => 2,
        }
    }
}

/// Approvers per risk tier (default: two for `critical`, one otherwise).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TierApprovals {
    /// Low tier.
    pub low: Approvals,
    /// Medium tier.
    pub medium: Approvals,
    /// High tier.
    pub high: Approvals,
    /// Critical tier.
    pub critical: Approvals,
}

impl Default for TierApprovals {
    fn default() -> Self {
        Self {
            low: Approvals::One,
            medium: Approvals::One,
            high: Approvals::One,
            critical: Approvals::Two,
        }
    }
}

impl TierApprovals {
    /// The approvers a tier needs.
    pub fn of(&self, tier: RiskTier) -> Approvals {
        match tier {
            RiskTier::Low => self.low,
            RiskTier::Medium => self.medium,
            RiskTier::High => self.high,
            RiskTier::Critical => self.critical,
        }
    }
}

/// Longest a request may wait: 30 days.
pub const MAX_EXPIRY_SECS: u64 = 30 * 24 * 3600;

/// The four-eyes settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OverrideSettings {
    /// Approvers per risk tier.
    pub approvals: TierApprovals,
    /// Seconds a request waits for its second approver (default 24 h).
    pub expiry_secs: u64,
}

impl Default for OverrideSettings {
    fn default() -> Self {
        Self {
            approvals: TierApprovals::default(),
            expiry_secs: 24 * 3600,
        }
    }
}

impl OverrideSettings {
    /// `Err` naming the field when the expiry is outside 1 s to 30 days.
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=MAX_EXPIRY_SECS).contains(&self.expiry_secs) {
            return Err(format!(
                "expiry_secs must be 1 to {MAX_EXPIRY_SECS}, not {}",
                self.expiry_secs
            ));
        }
        Ok(())
    }

    /// How long a request waits.
    pub fn expiry(&self) -> chrono::Duration {
        chrono::Duration::seconds(i64::try_from(self.expiry_secs).unwrap_or(i64::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn critical_needs_two_by_default_and_every_other_tier_one() {
        let approvals = OverrideSettings::default().approvals;
        for tier in RiskTier::ALL {
            let expected = if *tier == RiskTier::Critical {
                Approvals::Two
            } else {
                Approvals::One
            };
            assert_eq!(approvals.of(*tier), expected, "{tier:?}");
        }
        assert_eq!(OverrideSettings::default().expiry_secs, 86_400);
    }

    #[test]
    fn approvals_are_one_or_two() {
        let read = |json: &str| serde_json::from_str::<TierApprovals>(json);
        let two = read(r#"{"low": 2}"#).expect("2 is valid");
        assert_eq!((two.low, two.critical), (Approvals::Two, Approvals::Two));
        for bad in [r#"{"low": 0}"#, r#"{"high": 3}"#, r#"{"high": "two"}"#] {
            assert!(read(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_expiry_is_bounded() {
        let with = |expiry_secs| OverrideSettings {
            expiry_secs,
            ..OverrideSettings::default()
        };
        assert!(with(0).validate().is_err());
        assert!(with(MAX_EXPIRY_SECS + 1).validate().is_err());
        assert!(with(1).validate().is_ok());
    }
}
