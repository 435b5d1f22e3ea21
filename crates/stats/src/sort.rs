//! Radix sort for `f64`: drift sorts every numeric column of both datasets, and at a
//! million rows an LSD radix sort is several times faster than a comparison sort.

/// Below this length a comparison sort wins.
const RADIX_MIN: usize = 2048;
const DIGIT_BITS: u32 = 11;
const BUCKETS: usize = 1 << DIGIT_BITS;

/// Number of digits of a 64-bit key.
const PASSES: usize = 64_usize.div_ceil(DIGIT_BITS as usize);

/// Maps a float to an unsigned key with the same order (`total_cmp` order): flip every
/// bit of a negative number, only the sign bit of a positive one.
fn key(v: f64) -> u64 {
    let bits = v.to_bits();
    let mask = ((bits as i64 >> 63) as u64) | (1 << 63);
    bits ^ mask
}

fn value(k: u64) -> f64 {
    let mask = (((!k) as i64 >> 63) as u64) | (1 << 63);
    f64::from_bits(k ^ mask)
}

/// The non-NaN values of `values`, sorted ascending.
pub(crate) fn sorted_present(values: &[f64]) -> Vec<f64> {
    let mut keys: Vec<u64> = Vec::with_capacity(values.len());
    keys.extend(values.iter().filter(|v| !v.is_nan()).map(|&v| key(v)));
    if keys.len() < RADIX_MIN {
        keys.sort_unstable();
    } else {
        radix_sort(&mut keys);
    }
    // Same size and alignment: collects in place, without a second allocation.
    keys.into_iter().map(value).collect()
}

fn radix_sort(keys: &mut Vec<u64>) {
    // One read of the keys counts every digit at once.
    let mut counts = vec![[0usize; BUCKETS]; PASSES];
    for &k in keys.iter() {
        for (pass, c) in counts.iter_mut().enumerate() {
            c[digit(k, pass as u32 * DIGIT_BITS)] += 1;
        }
    }
    let mut scratch = vec![0u64; keys.len()];
    for (pass, c) in counts.iter_mut().enumerate() {
        // A digit shared by every key (the exponent bits, typically) needs no pass.
        if c.contains(&keys.len()) {
            continue;
        }
        let mut offset = 0;
        for slot in c.iter_mut() {
            let n = *slot;
            *slot = offset;
            offset += n;
        }
        let shift = pass as u32 * DIGIT_BITS;
        for &k in keys.iter() {
            let d = digit(k, shift);
            scratch[c[d]] = k;
            c[d] += 1;
        }
        std::mem::swap(keys, &mut scratch);
    }
}

fn digit(k: u64, shift: u32) -> usize {
    ((k >> shift) as usize) & (BUCKETS - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_comparison_sort() {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let values: Vec<f64> = (0..10_000)
            .map(|i| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                if i % 97 == 0 {
                    f64::NAN
                } else {
                    (state % 20_000) as f64 / 7.0 - 1_000.0
                }
            })
            .collect();
        let mut expected: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
        expected.sort_by(f64::total_cmp);
        assert_eq!(sorted_present(&values), expected);
        assert_eq!(
            sorted_present(&[3.0, -0.5, f64::NAN, 1e300]),
            [-0.5, 3.0, 1e300]
        );
    }
}
