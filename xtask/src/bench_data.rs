//! `cargo xtask bench-data [SIZES]`: generates the statistics benchmarks' datasets with the
//! repository's generator (`<repo>/testdata/reference/gen.py`) into the git-ignored
//! `<repo>/bench-data/`. The generator needs numpy and pandas; they are installed with pip
//! when missing.

use std::process::Command;

use anyhow::{Context, bail};

/// Sizes the generator knows.
const KNOWN_SIZES: [&str; 3] = ["10k", "100k", "1m"];

/// Writes `reference_<size>.csv` and `current_<size>.csv` into `<repo>/bench-data/` for each
/// comma-separated size (`10k`, `100k`, `1m`).
pub fn run(sizes: &str) -> anyhow::Result<()> {
    for size in sizes.split(',') {
        if !KNOWN_SIZES.contains(&size) {
            bail!("unknown size `{size}` (expected a comma-separated list of 10k, 100k, 1m)");
        }
    }
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
    println!("benchmark data in {}", out.display());
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
