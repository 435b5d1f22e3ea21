//! The tools compared: DriftGuard's `driftguard check` (the release binary) and the peers,
//! each installed from PyPI into a virtualenv of its own (their pins conflict with each
//! other), at the versions the reference values and the figures were made with.

use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

use super::datasets::DataSet;

/// A tool under comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    DriftGuard,
    Evidently,
    NannyMl,
}

impl Tool {
    /// Every tool, DriftGuard first (the others' ratios are to it).
    pub const ALL: [Tool; 3] = [Tool::DriftGuard, Tool::Evidently, Tool::NannyMl];

    /// Reads a comma-separated list of tool names.
    pub fn parse_list(text: &str) -> anyhow::Result<Vec<Self>> {
        let mut tools = text
            .split(',')
            .map(|name| {
                Self::ALL
                    .into_iter()
                    .find(|tool| tool.name() == name)
                    .with_context(|| {
                        format!("unknown tool `{name}` (driftguard, evidently, nannyml)")
                    })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        // DriftGuard runs first whatever the order asked, so the ratios have a base.
        tools.sort_by_key(|tool| Self::ALL.iter().position(|t| t == tool));
        tools.dedup();
        Ok(tools)
    }

    /// Its name on the command line and in the table.
    pub fn name(self) -> &'static str {
        match self {
            Tool::DriftGuard => "driftguard",
            Tool::Evidently => "evidently",
            Tool::NannyMl => "nannyml",
        }
    }

    /// The pip requirements of a peer: the peer, and what its own pins leave open that it
    /// does not run with (pandas 3 removed what Evidently 0.7.23 imports; NannyML imports
    /// statsmodels without requiring it). pandas 2.3.3 read the reference values' CSVs.
    fn requirements(self) -> &'static [&'static str] {
        match self {
            Tool::DriftGuard => &[],
            Tool::Evidently => &["evidently==0.7.23", "pandas==2.3.3"],
            Tool::NannyMl => &["nannyml==0.13.1", "pandas==2.3.3", "statsmodels==0.15.0"],
        }
    }

    fn python(self, work: &Path) -> PathBuf {
        work.join(self.name()).join("bin/python3")
    }

    /// Makes the peer's virtualenv and installs it there, unless that was done before.
    pub fn install(self, work: &Path) -> anyhow::Result<()> {
        let requirements = self.requirements();
        if requirements.is_empty() {
            return Ok(());
        }
        let python = self.python(work);
        let module = self.name();
        if python.is_file()
            && succeeds(Command::new(&python).args(["-c", &format!("import {module}")]))?
        {
            return Ok(());
        }
        let listed = requirements.join(" ");
        println!("installing {listed} into {}", work.join(module).display());
        let venv = work.join(module);
        if !succeeds(Command::new("python3").args(["-m", "venv"]).arg(&venv))? {
            bail!("python3 -m venv {} failed", venv.display());
        }
        let pip = [
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ];
        if !succeeds(Command::new(&python).args(pip).args(requirements))? {
            bail!("pip install {listed} failed");
        }
        Ok(())
    }

    /// The command line of one run; a peer writes its scores to `scores`.
    pub fn command(
        self,
        dataset: &DataSet,
        binary: &Path,
        work: &Path,
        scores: &Path,
    ) -> Vec<String> {
        let path = |p: &Path| p.display().to_string();
        match self {
            Tool::DriftGuard => {
                let mut command = vec![
                    path(binary),
                    "check".into(),
                    "--reference".into(),
                    path(&dataset.reference()),
                    "--current".into(),
                    path(&dataset.current()),
                    "--format".into(),
                    "json".into(),
                ];
                command.extend(dataset.roles().iter().map(|s| (*s).to_owned()));
                command
            }
            Tool::Evidently | Tool::NannyMl => vec![
                path(&self.python(work)),
                path(&peers_script()),
                "drift".into(),
                self.name().into(),
                path(&dataset.reference()),
                path(&dataset.current()),
                dataset.features().join(","),
                path(scores),
            ],
        }
    }

    /// Where the run's standard output goes: DriftGuard's is its evaluation, the scores.
    pub fn stdout_file(self, scores: &Path) -> PathBuf {
        match self {
            Tool::DriftGuard => scores.to_owned(),
            Tool::Evidently | Tool::NannyMl => PathBuf::from("/dev/null"),
        }
    }

    /// Whether an exit code means the tool did its work: `driftguard check` exits 1 when the
    /// gate fails, which drifted data is meant to make it do.
    pub fn accepts_exit(self, code: i32) -> bool {
        match self {
            Tool::DriftGuard => code == 0 || code == 1,
            Tool::Evidently | Tool::NannyMl => code == 0,
        }
    }
}

/// `xtask/src/bench_compare/peers.py`.
pub fn peers_script() -> PathBuf {
    crate::ci::root().join("xtask/src/bench_compare/peers.py")
}

fn succeeds(command: &mut Command) -> anyhow::Result<bool> {
    Ok(command
        .status()
        .with_context(|| format!("cannot run {command:?}"))?
        .success())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn driftguard_always_runs_first() {
        let tools = Tool::parse_list("nannyml,driftguard,nannyml").expect("tools");
        assert_eq!(tools, [Tool::DriftGuard, Tool::NannyMl]);
        assert!(Tool::parse_list("whylogs").is_err());
    }
}
