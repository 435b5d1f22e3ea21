//! Time: every timestamp DriftGuard stores or returns is UTC, with microsecond precision
//! (the finest both PostgreSQL and SQLite keep), so a value read back equals the one written.

use chrono::{DateTime, SubsecRound, Utc};

/// A point in time, always UTC.
pub type Timestamp = DateTime<Utc>;

/// The current time, truncated to microseconds.
pub fn now() -> Timestamp {
    Utc::now().trunc_subsecs(6)
}
