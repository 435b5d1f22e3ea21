//! Exact fast path for the plain decimals (`-12.345678`) that make up most numeric CSV
//! cells; fast-float2's general parser costs several times the instructions per cell.

/// Powers of ten up to the most digits the fast path takes; each is an exact `f64`.
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// At most this many digits: their value is below 2^53, an exact `f64`.
const MAX_DIGITS: usize = 15;

/// Parses `-?D+(.D+)?` with at most [`MAX_DIGITS`] digits; `None` for anything else
/// (exponents, `+`, `.5`, `1.`, long mantissas, text), which the caller hands to the
/// general parser. Exact: the digits as an integer and the power of ten are both exact
/// `f64`s, so the one IEEE division rounds the decimal correctly (Clinger's fast path),
/// giving the same bits as any correct parser.
pub(super) fn plain_decimal(field: &[u8]) -> Option<f64> {
    let (negative, digits) = match field {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, field),
    };
    if digits.len() > MAX_DIGITS + 1 {
        return None;
    }
    // One pass: the digits on both sides of the dot make one integer.
    let mut mantissa = 0u64;
    let mut dot = None;
    for (i, &b) in digits.iter().enumerate() {
        let digit = b.wrapping_sub(b'0');
        if digit <= 9 {
            mantissa = mantissa * 10 + u64::from(digit);
        } else if b == b'.' && dot.is_none() {
            dot = Some(i);
        } else {
            return None;
        }
    }
    let (int, frac) = match dot {
        Some(i) => (i, digits.len() - i - 1),
        None => (digits.len(), 0),
    };
    if int == 0 || (dot.is_some() && frac == 0) || int + frac > MAX_DIGITS {
        return None;
    }
    let value = mantissa as f64 / POW10[frac];
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn general(field: &[u8]) -> Option<u64> {
        match fast_float2::parse_partial::<f64, _>(field) {
            Ok((value, used)) if used == field.len() => Some(value.to_bits()),
            _ => None,
        }
    }

    #[test]
    fn agrees_bit_for_bit_with_the_general_parser() {
        let cases: [&[u8]; 22] = [
            b"0",
            b"-0",
            b"-0.000000",
            b"5",
            b"-12.345678",
            b"758.665480",
            b"0.1",
            b"0.3",
            b"00012",
            b"123456789012345",
            b"12345678.1234567",
            b"999999999999999",
            b"0.00000000000001",
            b"9007199254740.99",
            b"1.7976931348",
            b"-3.000000",
            b"4.35",
            b"2.675",
            b"1.005",
            b"0.000001",
            b"100.0",
            b"-99.99",
        ];
        for case in cases {
            let fast = plain_decimal(case).map(f64::to_bits);
            assert!(fast.is_some(), "{}", String::from_utf8_lossy(case));
            assert_eq!(fast, general(case), "{}", String::from_utf8_lossy(case));
        }
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..100_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let scale = POW10[(seed >> 4) as usize % 12];
            let value = ((seed >> 11) % 1_000_000_000_000) as f64 / scale;
            let sign = if seed & 1 == 1 { "-" } else { "" };
            let text = format!("{sign}{value:.*}", (seed % 9) as usize);
            let fast = plain_decimal(text.as_bytes()).map(f64::to_bits);
            if fast.is_some() {
                assert_eq!(fast, general(text.as_bytes()), "{text}");
            }
        }
    }

    #[test]
    fn leaves_everything_else_to_the_general_parser() {
        let others: [&[u8]; 16] = [
            b"",
            b"-",
            b".",
            b"-.",
            b".5",
            b"5.",
            b"+3",
            b"1e3",
            b"1.2.3",
            b"1-2",
            b"nan",
            b"inf",
            b"0x1",
            b" 1",
            b"1234567890123456",
            b"1.000000000000000",
        ];
        for other in others {
            assert_eq!(
                plain_decimal(other),
                None,
                "{}",
                String::from_utf8_lossy(other)
            );
        }
    }
}
