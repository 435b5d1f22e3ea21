//! Numeric benchmark tables of any shape, `<rows>x<columns>` (`10mx20`, `100kx1000`), made
//! in Rust without Python: deterministic (a splitmix64 stream per file and column), written
//! as the 10M-row files of issue #17 were (about 8.5 bytes a cell: 5 decimals, mostly one
//! integer digit, half of them negative), with drift on every fifth column of `current`.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::{Context, bail};

/// A table shape: data rows and numeric columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    pub rows: u64,
    pub columns: usize,
}

impl Shape {
    /// Reads `<rows>x<columns>`, rows with an optional `k` or `m` (`10mx20`); `None` when
    /// `text` is not of that form (it may be one of the generator's sizes).
    pub fn parse(text: &str) -> Option<Self> {
        let (rows, columns) = text.split_once('x')?;
        let (digits, scale) = match rows.as_bytes().last()? {
            b'k' => (&rows[..rows.len() - 1], 1_000),
            b'm' => (&rows[..rows.len() - 1], 1_000_000),
            _ => (rows, 1),
        };
        let rows = digits.parse::<u64>().ok()?.checked_mul(scale)?;
        let columns = columns.parse().ok()?;
        (rows > 0 && columns > 0).then_some(Self { rows, columns })
    }
}

/// Writes `reference_<name>.csv` and `current_<name>.csv` into `out`.
pub fn write_pair(name: &str, shape: Shape, out: &Path) -> anyhow::Result<()> {
    if shape.columns > 1_000_000 {
        bail!("{name}: at most 1,000,000 columns");
    }
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    for (side, drifted) in [("reference", false), ("current", true)] {
        let path = out.join(format!("{side}_{name}.csv"));
        write_table(&path, shape, drifted)
            .with_context(|| format!("writing {}", path.display()))?;
        println!("wrote {}", path.display());
    }
    Ok(())
}

fn write_table(path: &Path, shape: Shape, drifted: bool) -> anyhow::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let header: Vec<String> = (1..=shape.columns).map(|j| format!("f{j:04}")).collect();
    writeln!(out, "{}", header.join(","))?;
    let mut columns: Vec<Normal> = (0..shape.columns)
        .map(|j| Normal::for_column(j, shape, drifted))
        .collect();
    let mut line = Vec::with_capacity(shape.columns * 12);
    for _ in 0..shape.rows {
        line.clear();
        for (j, column) in columns.iter_mut().enumerate() {
            if j > 0 {
                line.push(b',');
            }
            push_fixed(&mut line, column.next());
        }
        line.push(b'\n');
        out.write_all(&line)?;
    }
    out.flush()?;
    Ok(())
}

/// One column's values: about normal (the sum of four uniforms), mean and spread by column.
struct Normal {
    state: u64,
    mean: f64,
    sd: f64,
}

impl Normal {
    fn for_column(j: usize, shape: Shape, drifted: bool) -> Self {
        let sd = 1.0 + (j % 3) as f64 * 0.5;
        let shift = if drifted && j.is_multiple_of(5) {
            0.1 * sd
        } else {
            0.0
        };
        // A stream per (side, shape, column): the same file on every run and machine.
        let seed = (j as u64) << 1 | u64::from(drifted);
        Self {
            state: seed ^ shape.rows.rotate_left(32) ^ (shape.columns as u64).rotate_left(48),
            mean: (j % 7) as f64 * 0.25 - 0.75 + shift,
            sd,
        }
    }

    fn next(&mut self) -> f64 {
        let sum: f64 = (0..4).map(|_| self.uniform()).sum();
        // Four uniforms have mean 2 and variance 1/3.
        self.mean + self.sd * (sum - 2.0) * 3f64.sqrt()
    }

    /// splitmix64, its top 53 bits as a number in [0, 1).
    fn uniform(&mut self) -> f64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Appends `value` with 5 decimals, without going through float formatting (it makes
/// hundreds of millions of cells).
fn push_fixed(line: &mut Vec<u8>, value: f64) {
    let scaled = (value * 100_000.0).round() as i64;
    if scaled < 0 {
        line.push(b'-');
    }
    let magnitude = scaled.unsigned_abs();
    push_digits(line, magnitude / 100_000, 1);
    line.push(b'.');
    push_digits(line, magnitude % 100_000, 5);
}

/// Appends `n` in decimal, zero-padded to `width` digits.
fn push_digits(line: &mut Vec<u8>, mut n: u64, width: usize) {
    let mut digits = [0u8; 20];
    let mut len = 0;
    while n > 0 || len < width {
        digits[len] = b'0' + (n % 10) as u8;
        n /= 10;
        len += 1;
    }
    line.extend(digits[..len].iter().rev());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_read_rows_with_a_suffix_and_columns() {
        let shape = |rows, columns| Some(Shape { rows, columns });
        assert_eq!(Shape::parse("10mx20"), shape(10_000_000, 20));
        assert_eq!(Shape::parse("100kx1000"), shape(100_000, 1000));
        assert_eq!(Shape::parse("7x3"), shape(7, 3));
        for other in ["1m", "x20", "10mx", "0x5", "10qx2"] {
            assert_eq!(Shape::parse(other), None, "{other}");
        }
    }

    #[test]
    fn fixed_point_cells_read_back_as_the_rounded_value() {
        for value in [0.0, 1.234_567_8, -2.5, -0.000_004, 12.345_675, -0.000_006] {
            let mut line = Vec::new();
            push_fixed(&mut line, value);
            let text = String::from_utf8(line).expect("ASCII");
            let back: f64 = text.parse().expect("a number");
            assert!((back - value).abs() <= 0.000_005, "{value} -> {text}");
            assert!(
                text.split_once('.').is_some_and(|(_, d)| d.len() == 5),
                "{text}"
            );
        }
    }
}
