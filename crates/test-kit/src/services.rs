//! Whether a missing service (PostgreSQL, Redis) fails a test or skips it: one answer for
//! every backend, so that no adapter is skipped where CI asked for all of them.

/// The variable that turns a missing service from a skip into a failure (`.ci/run` sets it).
pub const REQUIRE_SERVICES_VAR: &str = "DRIFTGUARD_TEST_REQUIRE_SERVICES";

/// Whether missing services must fail the tests: `DRIFTGUARD_TEST_REQUIRE_SERVICES` is `1`,
/// `true` or `yes` (any case).
pub fn services_required() -> bool {
    required(std::env::var(REQUIRE_SERVICES_VAR).ok().as_deref())
}

fn required(value: Option<&str>) -> bool {
    value.is_some_and(|v| ["1", "true", "yes"].contains(&v.trim().to_ascii_lowercase().as_str()))
}

#[cfg(test)]
mod tests {
    use super::required;

    #[test]
    fn one_true_or_yes_in_any_case_require_services() {
        for yes in ["1", "true", "TRUE", "True", "yes", "YES", " yes "] {
            assert!(required(Some(yes)), "{yes:?}");
        }
        for no in [
            None,
            Some(""),
            Some("0"),
            Some("false"),
            Some("no"),
            Some("2"),
            Some("y"),
        ] {
            assert!(!required(no), "{no:?}");
        }
    }
}
