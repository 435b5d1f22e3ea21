//! The hostile bodies, built before the clock starts.

use flate2::Compression;
use flate2::write::GzEncoder;
use std::fmt::Write as _;
use std::io::Write as _;

/// A CSV header of `columns` distinct names, `bytes` bytes in all, then a line break: few
/// enough columns that the record limit, not the column limit, is what refuses it.
pub fn long_header(bytes: usize, columns: usize) -> Vec<u8> {
    let width = bytes / columns;
    let mut csv = String::with_capacity(bytes + columns + 1);
    for c in 0..columns {
        let name = format!("c{c}_");
        csv.push_str(&name);
        csv.extend(std::iter::repeat_n(
            'a',
            width.saturating_sub(name.len() + 1),
        ));
        csv.push(',');
    }
    csv.pop();
    csv.push('\n');
    csv.into_bytes()
}

/// A header `a,b` and one row whose second field is `bytes` digits long.
pub fn long_row(bytes: usize) -> Vec<u8> {
    let mut csv = b"a,b\n1,".to_vec();
    csv.resize(csv.len() + bytes, b'9');
    csv.push(b'\n');
    csv
}

/// A header of `n` distinct names and one row of zeros.
pub fn wide(n: usize) -> Vec<u8> {
    let names: Vec<String> = (0..n).map(|i| format!("c{i}")).collect();
    let mut csv = names.join(",");
    csv.push('\n');
    csv.push_str(&vec!["0"; n].join(","));
    csv.push('\n');
    csv.into_bytes()
}

/// A gzip stream of the CSV `a` then `0` lines, `inflated` bytes once inflated; compressed
/// a block at a time, so the inflated text is never held whole. Deflate's ratio peaks near
/// 1,000:1, so 256 MiB is about 250 KiB sent.
pub fn gzip_bomb(inflated: usize) -> std::io::Result<Vec<u8>> {
    let mut gzip = GzEncoder::new(Vec::new(), Compression::best());
    gzip.write_all(b"a\n")?;
    let block = b"0\n".repeat(32 << 10);
    let mut left = inflated.saturating_sub(2);
    while left > 0 {
        let n = left.min(block.len());
        gzip.write_all(&block[..n])?;
        left -= n;
    }
    gzip.finish()
}

/// `{"data": [[[…]]]}` nested `depth` arrays deep.
pub fn deep_json(depth: usize) -> Vec<u8> {
    let mut json = b"{\"data\": ".to_vec();
    json.resize(json.len() + depth, b'[');
    json.resize(json.len() + depth, b']');
    json.push(b'}');
    json
}

/// One categorical column `city` of `n` distinct labels `v0000000`, `v0000001`, ….
pub fn categories(n: usize) -> Vec<u8> {
    let mut csv = String::with_capacity(9 * n + 8);
    csv.push_str("city\n");
    for i in 0..n {
        let _ = writeln!(csv, "v{i:07}");
    }
    csv.into_bytes()
}

/// One column `label` of `n` distinct labels of `len` bytes that differ only in five letters
/// in the middle: the keys a hash without a per-process seed could be made to collide on
/// (equal prefixes and suffixes are where weak string hashes lose their spread).
pub fn similar_labels(n: usize, len: usize) -> Vec<u8> {
    let (prefix, suffix) = (
        "k".repeat((len - 5) / 2),
        "q".repeat(len - 5 - (len - 5) / 2),
    );
    let mut csv = String::with_capacity((len + 1) * n + 8);
    csv.push_str("label\n");
    for i in 0..n {
        let mut tag = [b'a'; 5];
        let mut rest = i;
        for letter in tag.iter_mut().rev() {
            *letter = b'a' + (rest % 26) as u8;
            rest /= 26;
        }
        let tag = String::from_utf8_lossy(&tag);
        let _ = writeln!(csv, "{prefix}{tag}{suffix}");
    }
    csv.into_bytes()
}

/// `columns` numeric columns `f0,f1,…` of `rows` rows, row `i` holding `i + shift` in
/// every column (distinct values in each).
pub fn numeric(columns: usize, rows: usize, shift: usize) -> Vec<u8> {
    let names: Vec<String> = (0..columns).map(|c| format!("f{c}")).collect();
    let mut csv = names.join(",");
    csv.push('\n');
    for i in 0..rows {
        let value = (i + shift).to_string();
        for c in 0..columns {
            if c > 0 {
                csv.push(',');
            }
            csv.push_str(&value);
        }
        csv.push('\n');
    }
    csv.into_bytes()
}
