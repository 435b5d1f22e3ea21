//! A direct-mapped cache of short labels' codes in front of a column's dictionary: most
//! columns have a few distinct labels, which one multiply and one compare find, where
//! the hash map probes a group of slots and compares keys.

/// Slots of the cache (a power of two).
const SLOTS: usize = 32;
/// Never a packed label, whose top byte is a length of at most 7.
const EMPTY: u64 = u64::MAX;

/// Packed label → code for the labels seen last in each slot. Boxed: a column builder
/// in the number state should not carry the half kilobyte.
#[derive(Debug)]
pub(super) struct Recent(Box<[(u64, u32); SLOTS]>);

impl Default for Recent {
    fn default() -> Self {
        Self(Box::new([(EMPTY, 0); SLOTS]))
    }
}

impl Recent {
    /// The slot of a key: the top bits of a multiplicative hash.
    fn slot(key: u64) -> usize {
        (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - SLOTS.trailing_zeros())) as usize
    }

    /// The code of `key`, if it holds its slot.
    pub(super) fn get(&self, key: u64) -> Option<u32> {
        let (held, code) = self.0[Self::slot(key)];
        (held == key).then_some(code)
    }

    /// Puts `key` in its slot, in place of whatever held it.
    pub(super) fn put(&mut self, key: u64, code: u32) {
        self.0[Self::slot(key)] = (key, code);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_it_holds_and_nothing_else() {
        let mut recent = Recent::default();
        assert_eq!(recent.get(0), None);
        for key in 0..100u64 {
            recent.put(key, key as u32 + 7);
            assert_eq!(recent.get(key), Some(key as u32 + 7));
        }
        // Later keys may have taken a slot; a key still there has its own code.
        for key in 0..100u64 {
            if let Some(code) = recent.get(key) {
                assert_eq!(code, key as u32 + 7);
            }
        }
        assert_eq!(recent.get(EMPTY - 1), None);
    }
}
