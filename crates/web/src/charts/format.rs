//! Numbers as the charts print them: shares as percentages, scores with up to two decimals,
//! and "n/a" for anything that is not a finite number.

/// A share in [0, 1] as a percentage with one decimal (`0.123` → `12.3%`).
pub(crate) fn share(value: f64) -> String {
    if value.is_finite() {
        format!("{}%", number(value * 100.0, 1))
    } else {
        "n/a".to_owned()
    }
}

/// A value with at most `decimals` decimals, trailing zeros dropped; huge values in
/// scientific notation so the text stays short.
pub(crate) fn number(value: f64, decimals: usize) -> String {
    if !value.is_finite() {
        return "n/a".to_owned();
    }
    if value.abs() >= 1e9 {
        return format!("{value:.3e}");
    }
    let text = format!("{value:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    };
    // "-0" reads as a mistake.
    if text == "-0" { "0".to_owned() } else { text }
}

/// The largest finite value, or `None` when there is none.
pub(crate) fn finite_max(values: impl IntoIterator<Item = f64>) -> Option<f64> {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .reduce(f64::max)
}

/// A round number at or above `value` (1, 2, 2.5, 5 × a power of ten) for an axis top; 1
/// when `value` is not positive.
pub(crate) fn nice_ceiling(value: f64) -> f64 {
    if !(value.is_finite() && value > 0.0) {
        return 1.0;
    }
    let magnitude = 10f64.powf(value.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|step| step * magnitude)
        .find(|top| *top >= value * (1.0 - 1e-12))
        .unwrap_or(10.0 * magnitude)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_people_write_them() {
        assert_eq!(number(12.0, 2), "12");
        assert_eq!(number(0.345, 2), "0.34");
        assert_eq!(number(-0.001, 2), "0");
        assert_eq!(number(f64::NAN, 2), "n/a");
        assert_eq!(number(3e12, 2), "3.000e12");
        assert_eq!(share(0.1234), "12.3%");
        assert_eq!(share(f64::INFINITY), "n/a");
    }

    #[test]
    fn axis_tops_are_round() {
        assert_eq!(nice_ceiling(0.34), 0.5);
        assert_eq!(nice_ceiling(72.0), 100.0);
        assert_eq!(nice_ceiling(1.0), 1.0);
        assert_eq!(nice_ceiling(0.0), 1.0);
        assert_eq!(nice_ceiling(f64::NAN), 1.0);
        assert_eq!(nice_ceiling(1.1e300), 2e300);
    }

    #[test]
    fn the_max_skips_what_is_not_a_number() {
        assert_eq!(finite_max([f64::NAN, 1.0, f64::INFINITY, 3.0]), Some(3.0));
        assert_eq!(finite_max([f64::NAN]), None);
    }
}
