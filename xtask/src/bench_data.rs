//! `cargo xtask bench-data [SIZES]`: generates the statistics benchmarks' datasets into the
//! git-ignored `<repo>/bench-data/`: the sizes `10k`, `100k` and `1m` with the repository's
//! generator (`<repo>/testdata/reference/gen.py`, which needs numpy and pandas; they are
//! installed with pip when missing), shapes `<rows>x<columns>` (`10mx20`) of numeric columns
//! in Rust (`synthetic`).

pub mod synthetic;

use std::process::Command;

use anyhow::{Context, bail};

/// Sizes the generator knows.
const KNOWN_SIZES: [&str; 3] = ["10k", "100k", "1m"];

/// Writes `reference_<size>.csv` and `current_<size>.csv` into `<repo>/bench-data/` for each
/// comma-separated size (`10k`, `100k`, `1m`, or a shape such as `10mx20`).
pub fn run(sizes: &str) -> anyhow::Result<()> {
    let mut generated = Vec::new();
    let mut shapes = Vec::new();
    for size in sizes.split(',') {
        match synthetic::Shape::parse(size) {
            Some(shape) => shapes.push((size, shape)),
            None if KNOWN_SIZES.contains(&size) => generated.push(size),
            None => bail!(
                "unknown size `{size}` (expected a comma-separated list of 10k, 100k, 1m \
                 or <rows>x<columns>, such as 10mx20)"
            ),
        }
    }
    let out = crate::ci::root().join("bench-data");
    for (name, shape) in shapes {
        synthetic::write_pair(name, shape, &out)?;
    }
    if !generated.is_empty() {
        run_generator(&generated.join(","))?;
    }
    println!("benchmark data in {}", out.display());
    Ok(())
}

/// Runs `gen.py` for sizes it knows.
fn run_generator(sizes: &str) -> anyhow::Result<()> {
    let root = crate::ci::root();
    let generator = root.join("testdata/reference/gen.py");
    if !generator.is_file() {
        bail!("the generator {} is missing", generator.display());
    }
    ensure_numpy_and_pandas()?;
    let out = root.join("bench-data");
    let status = Command::new("python3")
        .arg(&generator)
        .args(["--sizes", sizes, "--out"])
        .arg(&out)
        .current_dir(&root)
        .status()
        .context("cannot run python3")?;
    if !status.success() {
        bail!("{} failed ({status})", generator.display());
    }
    Ok(())
}

fn python_succeeds(args: &[&str]) -> anyhow::Result<bool> {
    let status = Command::new("python3")
        .args(args)
        .status()
        .context("cannot run python3: it is needed to generate the benchmark data")?;
    Ok(status.success())
}

fn ensure_numpy_and_pandas() -> anyhow::Result<()> {
    if python_succeeds(&["-c", "import numpy, pandas"])? {
        return Ok(());
    }
    println!("installing numpy and pandas for the generator");
    if !python_succeeds(&["-m", "pip", "install", "--quiet", "numpy", "pandas"])? {
        bail!("`python3 -m pip install numpy pandas` failed");
    }
    Ok(())
}
