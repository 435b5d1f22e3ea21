//! The simulation's random choices, written down so that any implementation can repeat them:
//! ChaCha20 (RFC 8439's block function, as `rand_chacha` 0.9 implements it) keyed with the
//! request's seed (its 8 little-endian bytes, then 24 zero bytes), one stream per purpose;
//! a bounded integer by Lemire's multiply-shift; a choice of k items by the first k steps
//! of a Fisher–Yates shuffle. Nothing depends on the platform, the thread or the backend.

use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};

/// The stream the rows are drawn with; scenario `i` uses stream `i + 1`.
pub(crate) const ROWS_STREAM: u64 = 0;

/// The generator of one purpose (`stream`) under one seed.
pub(crate) fn generator(seed: u64, stream: u64) -> ChaCha20Rng {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    let mut rng = ChaCha20Rng::from_seed(key);
    rng.set_stream(stream);
    rng
}

/// A number in `0..bound` (`bound > 0`): the high 64 bits of a 64 × 64-bit product. Its bias
/// is below `bound / 2^64`, far below anything a sample of at most millions of rows can show.
fn below(rng: &mut ChaCha20Rng, bound: usize) -> usize {
    ((u128::from(rng.next_u64()) * bound as u128) >> 64) as usize
}

/// Moves `k` items chosen uniformly without replacement to the front of `items` and returns
/// them: step `i` swaps item `i` with one of items `i..`. The first `k` of a larger `k` are
/// the same items, so a larger share chosen with the same generator holds the smaller one.
pub(crate) fn choose<'a, T>(rng: &mut ChaCha20Rng, items: &'a mut [T], k: usize) -> &'a [T] {
    let k = k.min(items.len());
    for i in 0..k {
        let j = i + below(rng, items.len() - i);
        items.swap(i, j);
    }
    &items[..k]
}

/// `round(share × n)`, the number of items a share in [0, 1] stands for.
pub(crate) fn count_of(share: f64, n: usize) -> usize {
    ((share * n as f64).round() as usize).min(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_and_stream_repeat_and_others_differ() {
        let draw = |seed, stream| {
            let mut items: Vec<usize> = (0..100).collect();
            choose(&mut generator(seed, stream), &mut items, 10).to_vec()
        };
        assert_eq!(draw(7, 0), draw(7, 0));
        assert_ne!(draw(7, 0), draw(7, 1));
        assert_ne!(draw(7, 0), draw(8, 0));
    }

    #[test]
    fn a_larger_choice_holds_the_smaller_one() {
        let mut small: Vec<usize> = (0..50).collect();
        let mut large = small.clone();
        let small = choose(&mut generator(1, 3), &mut small, 5).to_vec();
        let large = choose(&mut generator(1, 3), &mut large, 20).to_vec();
        assert_eq!(small, large[..5]);
        let mut distinct = large.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), 20, "without replacement");
    }

    #[test]
    fn the_first_numbers_of_seed_zero_are_pinned() {
        // ChaCha20 with an all-zero key and nonce (RFC 8439's first test vector begins
        // 76 b8 e0 ad a0 f1 3d 90): a change of generator would change every answer.
        assert_eq!(generator(0, 0).next_u64(), 0x903d_f1a0_ade0_b876);
        assert_eq!(count_of(0.3, 10), 3);
        assert_eq!(count_of(1.0, 7), 7);
    }
}
