//! Finds the `,` and `\n` of unquoted CSV eight bytes at a time (SWAR): one pass over a
//! chunk instead of a `memchr` call per line and per field, whose set-up costs more than
//! the search on fields of a few bytes. Also finds where one possibly quoted record ends,
//! looking no further than a byte limit, so that a record can be refused before the csv
//! crate holds it.

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

/// How far a record reaches, as far as [`record`] looked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Extent {
    /// The record ends at this offset, after its line break.
    Ends(usize),
    /// The data ends inside the record, before the byte limit.
    Unfinished,
    /// The record is longer than the byte limit.
    TooLong,
    /// The record has more fields than the field limit.
    TooManyFields,
}

/// Where the record starting at `data[0]` ends, reading quotes as the csv crate does: a
/// `"` opens a quoted field only at the start of a field, `""` in it is a quote, anything
/// after its closing quote is plain text, and a `\n` outside quotes ends the record.
/// Looks at no more than `max_bytes` bytes (the record with its line break must fit) and
/// stops at the field past `max_fields` (`usize::MAX`: fields are not counted). Jumps
/// from quote to quote and line break to line break, so that it costs little next to the
/// csv crate's parse that follows it.
pub(super) fn record(data: &[u8], max_bytes: usize, max_fields: usize) -> Extent {
    let window = &data[..data.len().min(max_bytes)];
    let cut_short = if data.len() > max_bytes {
        Extent::TooLong
    } else {
        Extent::Unfinished
    };
    let mut fields = 1usize;
    // Where the plain text being scanned starts.
    let mut at = 0;
    loop {
        let found = memchr::memchr2(b'"', b'\n', &window[at..]).map(|k| at + k);
        if max_fields != usize::MAX {
            let plain = &window[at..found.unwrap_or(window.len())];
            fields = fields.saturating_add(memchr::memchr_iter(b',', plain).count());
            if fields > max_fields {
                return Extent::TooManyFields;
            }
        }
        let Some(p) = found else {
            return cut_short;
        };
        if window[p] == b'\n' {
            return Extent::Ends(p + 1);
        }
        at = p + 1;
        if p > 0 && window[p - 1] != b',' {
            // A quote inside plain text is plain text.
            continue;
        }
        // A quoted field: to its closing quote, one not followed by another.
        loop {
            let Some(q) = memchr::memchr(b'"', &window[at..]) else {
                return cut_short;
            };
            at += q + 1;
            if window.get(at) != Some(&b'"') {
                break;
            }
            at += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_end_where_the_csv_crate_ends_them() {
        let all = usize::MAX;
        assert_eq!(record(b"a,b\nc", all, all), Extent::Ends(4));
        assert_eq!(
            record(b"\"x\ny\",\"q\"\"\n\"\nz", all, all),
            Extent::Ends(13)
        );
        // A quote inside a plain field is plain text.
        assert_eq!(record(b"a\"b,c\nd\"\n", all, all), Extent::Ends(6));
        assert_eq!(record(b"\"a\"b\"c,d\n", all, all), Extent::Ends(9));
        assert_eq!(record(b"a,b", all, all), Extent::Unfinished);
        assert_eq!(record(b"\"a\nb", all, all), Extent::Unfinished);
        // The line break must fit in the limit.
        assert_eq!(record(b"a,b\n", 4, all), Extent::Ends(4));
        assert_eq!(record(b"a,b\n", 3, all), Extent::TooLong);
        assert_eq!(record(b"a,b", 3, all), Extent::Unfinished);
        assert_eq!(record(b"\"a\"\"x", 4, all), Extent::TooLong);
        assert_eq!(record(b"a,b,c\n", all, 3), Extent::Ends(6));
        assert_eq!(record(b"a,b,c,d\n", all, 3), Extent::TooManyFields);
        assert_eq!(record(b"\"a,b\",c\n", all, 2), Extent::Ends(8));
    }

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
