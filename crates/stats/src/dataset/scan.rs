//! Finds the `,` and `\n` of unquoted CSV eight bytes at a time (SWAR): one pass over a
//! chunk instead of a `memchr` call per line and per field, whose set-up costs more than
//! the search on fields of a few bytes.

const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
const HIGH: u64 = 0x8080_8080_8080_8080;
const ONES: u64 = 0x0101_0101_0101_0101;

/// The high bit of every byte of `word` equal to `byte`, and no other bit. Exact: masking
/// to 7 bits before the addition keeps a carry from spilling into the next byte.
fn equal_bytes(word: u64, byte: u8) -> u64 {
    let x = word ^ (ONES * u64::from(byte));
    !(((x & LOW7) + LOW7) | x) & HIGH
}

/// Calls `on(position, is_line_break)` for every `,` and `\n` of `data`, in order, and
/// stops at the first error.
pub(super) fn separators<E>(
    data: &[u8],
    mut on: impl FnMut(usize, bool) -> Result<(), E>,
) -> Result<(), E> {
    let mut words = data.chunks_exact(8);
    let mut base = 0;
    for word in &mut words {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(word);
        let word = u64::from_le_bytes(bytes);
        let breaks = equal_bytes(word, b'\n');
        let mut found = equal_bytes(word, b',') | breaks;
        while found != 0 {
            let bit = found & found.wrapping_neg();
            on(
                base + (found.trailing_zeros() / 8) as usize,
                breaks & bit != 0,
            )?;
            found ^= bit;
        }
        base += 8;
    }
    for (i, &b) in words.remainder().iter().enumerate() {
        if b == b',' || b == b'\n' {
            on(base + i, b == b'\n')?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_separator_and_nothing_else() {
        // Every byte value around the separators, at every offset within a word.
        let mut data: Vec<u8> = (0..=255u8).collect();
        data.extend_from_slice(b",\n,,\n\n\x0b\x2d\x8a\xac,x\n");
        for skip in 0..9 {
            let data = &data[skip..];
            let mut found = Vec::new();
            separators::<()>(data, |at, line_break| {
                found.push((at, line_break));
                Ok(())
            })
            .expect("no error");
            let want: Vec<(usize, bool)> = data
                .iter()
                .enumerate()
                .filter(|&(_, &b)| b == b',' || b == b'\n')
                .map(|(i, &b)| (i, b == b'\n'))
                .collect();
            assert_eq!(found, want, "skip {skip}");
        }
    }
}
