//! The little-endian pieces the stored prepared form is made of, written into a `Vec<u8>` and
//! read back from a slice with every length checked against the bytes left, so that a
//! damaged blob is an error naming where it went wrong, never a panic nor an allocation
//! larger than the blob.

use driftguard_stats::sort::{key, value};

/// Why a stored blob could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BlobError {
    /// The blob ends before what its header promises.
    #[error("truncated: {wanted} bytes needed at byte {at}, {left} left")]
    Truncated {
        /// Where the read was.
        at: usize,
        /// Bytes it needed.
        wanted: u64,
        /// Bytes left.
        left: usize,
    },
    /// Bytes follow the end of what the header describes.
    #[error("{0} bytes after the end")]
    Trailing(usize),
    /// A version this build does not read.
    #[error("version {found}, this build reads versions 1 to {known}")]
    Version {
        /// The blob's version byte.
        found: u8,
        /// The version written here, the latest read.
        known: u8,
    },
    /// Not the kind of blob expected here.
    #[error("tag {found} where tag {expected} was expected")]
    Tag {
        /// The blob's tag.
        found: u8,
        /// The tag this place holds.
        expected: u8,
    },
    /// A delta of sorted numbers is malformed (over ten bytes, or past the largest key).
    #[error("malformed number at byte {0}")]
    Number(usize),
    /// A category is not UTF-8.
    #[error("category {0} is not UTF-8")]
    Text(usize),
    /// The values contradict each other (unsorted, counts over the rows, …).
    #[error("{0}")]
    Values(#[from] driftguard_stats::prepared::PreparedError),
    /// The columns read back do not make one dataset (different rows, a repeated name).
    #[error("{0}")]
    Inconsistent(String),
}

/// Appends little-endian pieces.
pub(crate) struct Writer(pub(crate) Vec<u8>);

impl Writer {
    pub(crate) fn u8(&mut self, v: u8) {
        self.0.push(v);
    }

    pub(crate) fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }

    pub(crate) fn f64s(&mut self, values: &[f64]) {
        self.0.reserve(values.len() * 8);
        for v in values {
            self.0.extend_from_slice(&v.to_le_bytes());
        }
    }

    /// Ascending doubles (`total_cmp` order) as the LEB128 deltas of their order-preserving
    /// keys ([`key`]): a neighbour's delta takes a few bytes where the double takes eight.
    pub(crate) fn sorted_f64s(&mut self, ascending: &[f64]) {
        let mut previous = 0u64;
        for &v in ascending {
            let k = key(v);
            self.leb128(k.wrapping_sub(previous));
            previous = k;
        }
    }

    /// One LEB128 number. Below 2^56 (eight bytes or fewer, nearly every delta) its bytes are
    /// made in one word and written at once, instead of a push and a branch a byte.
    fn leb128(&mut self, mut v: u64) {
        if v < 1 << 56 {
            let len = (64 - v.leading_zeros() as usize).div_ceil(7).max(1);
            // The gaps of [`leb128_in_word`] opened again, then the continuation bits.
            let mut x = (v & 0x0fff_ffff) | ((v & 0x00ff_ffff_f000_0000) << 4);
            x = (x & 0x0000_3fff_0000_3fff) | ((x & 0x0fff_c000_0fff_c000) << 2);
            x = (x & 0x007f_007f_007f_007f) | ((x & 0x3f80_3f80_3f80_3f80) << 1);
            x |= 0x8080_8080_8080_8080 & ((1u64 << (8 * (len - 1))) - 1);
            let end = self.0.len() + len;
            self.0.extend_from_slice(&x.to_le_bytes());
            self.0.truncate(end);
            return;
        }
        while v >= 0x80 {
            self.0.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.0.push(v as u8);
    }

    pub(crate) fn u32s(&mut self, values: &[u32]) {
        self.0.reserve(values.len() * 4);
        for v in values {
            self.0.extend_from_slice(&v.to_le_bytes());
        }
    }

    /// A count, then each string as a `u32` length and its bytes.
    pub(crate) fn strings(&mut self, strings: &[String]) {
        self.u64(strings.len() as u64);
        for s in strings {
            // A category is a field of an upload: far below 4 GiB (the record limit).
            self.0
                .extend_from_slice(&u32::try_from(s.len()).unwrap_or(u32::MAX).to_le_bytes());
            self.0.extend_from_slice(s.as_bytes());
        }
    }
}

/// Reads little-endian pieces off the front of a slice.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, at: 0 }
    }

    /// The next `n` items of `size` bytes, checked against what is left before anything is
    /// allocated.
    fn take(&mut self, n: u64, size: u64) -> Result<&'a [u8], BlobError> {
        let left = self.bytes.len() - self.at;
        let wanted = n.saturating_mul(size);
        let truncated = BlobError::Truncated {
            at: self.at,
            wanted,
            left,
        };
        let len = usize::try_from(wanted)
            .ok()
            .filter(|&len| len <= left)
            .ok_or(truncated)?;
        let piece = &self.bytes[self.at..self.at + len];
        self.at += len;
        Ok(piece)
    }

    pub(crate) fn u8(&mut self) -> Result<u8, BlobError> {
        Ok(self.take(1, 1)?[0])
    }

    pub(crate) fn u64(&mut self) -> Result<u64, BlobError> {
        let piece = self.take(1, 8)?;
        Ok(u64::from_le_bytes(piece.try_into().unwrap_or_default()))
    }

    /// A count of rows or items: a `u64` that must fit in memory's addresses.
    pub(crate) fn count(&mut self) -> Result<usize, BlobError> {
        let at = self.at;
        let n = self.u64()?;
        usize::try_from(n).map_err(|_| BlobError::Truncated {
            at,
            wanted: n,
            left: self.bytes.len() - self.at,
        })
    }

    /// `n` little-endian items of `N` bytes each.
    fn items<const N: usize, T>(
        &mut self,
        n: usize,
        from: fn([u8; N]) -> T,
    ) -> Result<Vec<T>, BlobError> {
        let piece = self.take(n as u64, N as u64)?;
        Ok(piece
            .chunks_exact(N)
            .map(|c| from(c.try_into().unwrap_or([0; N])))
            .collect())
    }

    pub(crate) fn f64s(&mut self, n: usize) -> Result<Vec<f64>, BlobError> {
        self.items(n, f64::from_le_bytes)
    }

    pub(crate) fn u64s(&mut self, n: usize) -> Result<Vec<u64>, BlobError> {
        self.items(n, u64::from_le_bytes)
    }

    pub(crate) fn u32s(&mut self, n: usize) -> Result<Vec<u32>, BlobError> {
        self.items(n, u32::from_le_bytes)
    }

    /// What [`Writer::sorted_f64s`] wrote of `n` doubles. The keys only add up: whether the
    /// doubles ascend without NaN is for the caller to check.
    pub(crate) fn sorted_f64s(&mut self, n: usize) -> Result<Vec<f64>, BlobError> {
        // Each delta takes at least a byte: bounds the reservation.
        self.take(n as u64, 1)?;
        self.at -= n;
        let mut out = Vec::with_capacity(n);
        let mut k = 0u64;
        for _ in 0..n {
            let at = self.at;
            let delta = self.leb128()?;
            k = k.checked_add(delta).ok_or(BlobError::Number(at))?;
            out.push(value(k));
        }
        Ok(out)
    }

    /// One LEB128 number; an error when it runs past the end or past 64 bits.
    fn leb128(&mut self) -> Result<u64, BlobError> {
        // Most numbers here end within eight bytes: those are read from one word at once,
        // without a branch a byte (the loop's exits mispredict on deltas of 2 to 4 bytes:
        // it was 8 % of an evaluation's CPU).
        if let Some(word) = self.bytes.get(self.at..self.at + 8) {
            let word = u64::from_le_bytes(word.try_into().unwrap_or_default());
            if let Some((value, len)) = leb128_in_word(word) {
                self.at += len;
                return Ok(value);
            }
        }
        let start = self.at;
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.u8()?;
            let bits = u64::from(byte & 0x7f);
            if shift == 63 && bits > 1 {
                return Err(BlobError::Number(start));
            }
            value |= bits << shift;
            if byte < 0x80 {
                return Ok(value);
            }
        }
        Err(BlobError::Number(start))
    }

    /// What [`Writer::strings`] wrote.
    pub(crate) fn strings(&mut self) -> Result<Vec<String>, BlobError> {
        let n = self.count()?;
        // Each string takes at least its 4-byte length: bounds the reservation.
        self.take(n as u64, 4).map(|_| ())?;
        self.at -= n * 4;
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let len = self.take(1, 4)?;
            let len = u32::from_le_bytes(len.try_into().unwrap_or_default());
            let text = self.take(u64::from(len), 1)?;
            out.push(String::from_utf8(text.to_vec()).map_err(|_| BlobError::Text(i))?);
        }
        Ok(out)
    }

    /// Ok when every byte was read.
    pub(crate) fn finish(self) -> Result<(), BlobError> {
        match self.bytes.len() - self.at {
            0 => Ok(()),
            n => Err(BlobError::Trailing(n)),
        }
    }
}

/// The LEB128 number at the start of `word`'s little-endian bytes, and its length, if it
/// ends within them: its last byte is the first without the high bit. The seven low bits of
/// each byte are packed together by halving the gaps between them three times.
fn leb128_in_word(word: u64) -> Option<(u64, usize)> {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let ends = !word & HIGH;
    if ends == 0 {
        return None;
    }
    let len = ends.trailing_zeros() as usize / 8 + 1;
    let mut x = word & (u64::MAX >> (64 - 8 * len)) & !HIGH;
    x = (x & 0x007f_007f_007f_007f) | ((x & 0x7f00_7f00_7f00_7f00) >> 1);
    x = (x & 0x0000_3fff_0000_3fff) | ((x & 0x3fff_0000_3fff_0000) >> 2);
    x = (x & 0x0000_0000_0fff_ffff) | ((x & 0x0fff_ffff_0000_0000) >> 4);
    Some((x, len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_of_every_length_are_written_and_read_word_at_a_time_as_byte_by_byte() {
        let encode = |mut v: u64| {
            let mut out = Vec::new();
            while v >= 0x80 {
                out.push((v as u8) | 0x80);
                v >>= 7;
            }
            out.push(v as u8);
            out
        };
        for bits in 0..64u32 {
            let top = 1u64 << bits;
            for v in [top, top - 1, top | 0x5555_5555_5555_5555 >> (63 - bits)] {
                let number = encode(v);
                let mut written = Writer(vec![7]);
                written.leb128(v);
                assert_eq!(written.0[1..], number, "{v:#x} written");
                // Followed by nothing, by an unfinished number, or by a finished one.
                for tail in [&[][..], &[0x80; 9], &[0xff, 0x01, 0, 0, 0, 0, 0, 0]] {
                    let mut bytes = number.clone();
                    bytes.extend_from_slice(tail);
                    let mut r = Reader::new(&bytes);
                    assert_eq!(r.leb128(), Ok(v), "{v:#x} then {tail:?}");
                    assert_eq!(r.at, number.len(), "{v:#x} then {tail:?}");
                }
            }
        }
    }

    #[test]
    fn pieces_round_trip_and_short_input_is_an_error() {
        let mut w = Writer(Vec::new());
        w.u8(7);
        w.f64s(&[1.5, -0.0]);
        w.strings(&["a".into(), "ñ".into()]);
        w.u32s(&[3, u32::MAX]);
        let bytes = w.0;
        let mut r = Reader::new(&bytes);
        assert_eq!(r.u8(), Ok(7));
        let numbers = r.f64s(2).expect("numbers");
        assert_eq!(numbers[1].to_bits(), (-0.0f64).to_bits());
        assert_eq!(r.strings(), Ok(vec!["a".to_owned(), "ñ".to_owned()]));
        assert_eq!(r.u32s(2), Ok(vec![3, u32::MAX]));
        assert_eq!(r.finish(), Ok(()));
        for cut in 0..bytes.len() {
            let mut r = Reader::new(&bytes[..cut]);
            let read = r
                .u8()
                .and_then(|_| r.f64s(2))
                .and_then(|_| r.strings())
                .and_then(|_| r.u32s(2));
            assert!(matches!(read, Err(BlobError::Truncated { .. })), "{cut}");
        }
        // Sorted doubles round-trip bit for bit, in a few bytes each.
        let sorted = [
            f64::NEG_INFINITY,
            -1e300,
            -2.5,
            -0.0,
            0.0,
            5e-324,
            1.0,
            1.0,
            7.25,
            f64::MAX,
            f64::INFINITY,
        ];
        let mut w = Writer(Vec::new());
        w.sorted_f64s(&sorted);
        let mut r = Reader::new(&w.0);
        let back = r.sorted_f64s(sorted.len()).expect("reads back");
        assert_eq!(r.finish(), Ok(()));
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&back), bits(&sorted));
        for cut in 0..w.0.len() {
            let read = Reader::new(&w.0[..cut]).sorted_f64s(sorted.len());
            assert!(matches!(read, Err(BlobError::Truncated { .. })), "{cut}");
        }
        // Over ten bytes, or keys adding up past 64 bits.
        assert_eq!(
            Reader::new(&[0xff; 11]).sorted_f64s(1),
            Err(BlobError::Number(0))
        );
        let mut past = Writer(Vec::new());
        past.sorted_f64s(&[f64::INFINITY]);
        past.0.extend_from_slice(&past.0.clone());
        assert!(matches!(
            Reader::new(&past.0).sorted_f64s(2),
            Err(BlobError::Number(_))
        ));
        // A count far beyond the bytes allocates nothing.
        let mut huge = Writer(Vec::new());
        huge.u64(u64::MAX / 2);
        assert!(Reader::new(&huge.0).strings().is_err());
        assert!(matches!(Reader::new(&[1, 2]).u8().map(|_| ()), Ok(())));
        let mut r = Reader::new(&[1, 2]);
        let _ = r.u8();
        assert_eq!(r.finish(), Err(BlobError::Trailing(1)));
    }
}
