//! Ending sessions: each user has a `tokens_valid_after` instant, set by a sign-out or by an
//! admin, and every token of theirs issued up to that instant is refused.
//!
//! A token's `iat` has whole-second resolution, so the comparison is made in whole seconds
//! and errs towards refusal: a token issued in the same second as the revocation is refused,
//! whether it was issued just before the revocation or just after it. A sign-in right after
//! a revocation therefore waits for the next second before it issues its token (see
//! [`wait_before_issuing`]), so that the fresh token is not refused as well.

use driftguard_core::Timestamp;

/// The cookie the dashboard UI keeps the sign-in token in (the same JWT as a bearer token);
/// the API's extractor reads it too.
pub const SESSION_COOKIE: &str = "driftguard_session";
use std::time::Duration;

/// Slack added to a wait so that a wall clock a hair behind the timer still reads the next
/// second when the wait ends.
const MARGIN: Duration = Duration::from_millis(5);

/// Whether a token issued at `iat` (seconds since the epoch) is ended by a revocation at
/// `valid_after`.
pub fn is_revoked(iat: i64, valid_after: Option<Timestamp>) -> bool {
    valid_after.is_some_and(|t| iat <= t.timestamp())
}

/// How long a sign-in at `now` must wait before its token outlives the revocation at
/// `valid_after`: until the second after the revocation's has begun. Zero when it has, and
/// never more than a second and the margin — a revocation stamped further ahead means the
/// servers' clocks disagree, and waiting for that would hang sign-ins.
pub fn wait_before_issuing(now: Timestamp, valid_after: Option<Timestamp>) -> Duration {
    let Some(valid_after) = valid_after else {
        return Duration::ZERO;
    };
    if now.timestamp() > valid_after.timestamp() {
        return Duration::ZERO;
    }
    let rest_of_second = Duration::from_secs(1).saturating_sub(Duration::from_nanos(u64::from(
        now.timestamp_subsec_nanos(),
    )));
    rest_of_second + MARGIN
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn at(secs: i64, millis: u32) -> Timestamp {
        Utc.timestamp_opt(secs, millis * 1_000_000)
            .single()
            .expect("a valid time")
    }

    #[test]
    fn tokens_of_the_revocations_second_and_before_are_refused() {
        let revoked_at = Some(at(1_000, 700));
        assert!(is_revoked(999, revoked_at), "an earlier second");
        // Issued at 1000.2 or at 1000.9: both carry iat 1000, and both are refused.
        assert!(is_revoked(1_000, revoked_at), "the same second");
        assert!(!is_revoked(1_001, revoked_at), "the next second");
        assert!(!is_revoked(1_000, None), "never revoked");
    }

    #[test]
    fn a_sign_in_waits_for_the_next_second_only_after_a_revocation_in_this_one() {
        let revoked_at = Some(at(1_000, 700));
        assert_eq!(wait_before_issuing(at(1_000, 800), None), Duration::ZERO);
        assert_eq!(
            wait_before_issuing(at(1_001, 0), revoked_at),
            Duration::ZERO
        );
        assert_eq!(
            wait_before_issuing(at(1_000, 800), revoked_at),
            Duration::from_millis(200) + MARGIN
        );
        // A token issued once the wait is over is not refused.
        let issued = at(1_000, 800) + wait_before_issuing(at(1_000, 800), revoked_at);
        assert!(!is_revoked(issued.timestamp(), revoked_at));
        // A revocation stamped seconds ahead (clock skew) never makes a sign-in wait long.
        assert!(wait_before_issuing(at(990, 0), revoked_at) <= Duration::from_secs(1) + MARGIN);
    }
}
