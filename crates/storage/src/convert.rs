//! Conversions between domain values and what both backends store: UTC timestamps as naive
//! ones, counts and offsets as signed 64-bit, lists and objects as JSON text.

use crate::error::corrupt;
use chrono::{NaiveDateTime, TimeZone, Utc};
use driftguard_core::{DomainError, DomainResult, Timestamp};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A stored naive time, read as UTC.
pub fn from_db(t: NaiveDateTime) -> Timestamp {
    Utc.from_utc_datetime(&t)
}

/// A UTC time, to store.
pub fn to_db(t: Timestamp) -> NaiveDateTime {
    t.naive_utc()
}

/// An unsigned offset, limit or count as SQL's signed 64-bit (saturating; as an offset,
/// larger is an empty page).
pub fn to_offset(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A SQL count as unsigned.
pub fn to_count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// A value to store as JSON text.
pub fn to_json<T: Serialize>(value: &T) -> DomainResult<String> {
    serde_json::to_string(value)
        .map_err(|e| DomainError::internal_caused("could not encode a value as JSON", e))
}

/// A value stored as JSON text.
pub fn from_json<T: DeserializeOwned>(what: &str, text: &str) -> DomainResult<T> {
    serde_json::from_str(text).map_err(|e| corrupt(what, e))
}
