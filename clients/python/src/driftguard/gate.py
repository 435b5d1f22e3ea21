"""``driftguard.check``: the offline gate — the ``driftguard check`` command of the
DriftGuard binary, run on DataFrames or files, with no server and no database. The same
evaluation as the API, judged against a policy (DriftGuard's default one unless given)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union

from .errors import CheckError, GateFailed
from .frames import encode, is_dataframe
from .types import DataFormat, DriftMethod, Evaluation, RiskTier, Status, Task, Violation

#: A policy, a list of policies, or a JSON file holding either.
PolicyInput = Union[Mapping[str, Any], Sequence[Mapping[str, Any]], str, "os.PathLike[str]"]

#: The environment variable naming the ``driftguard`` binary when it is not on the PATH.
BINARY_ENV = "DRIFTGUARD_BIN"


@dataclass(frozen=True)
class CheckResult:
    """What the gate decided.

    Attributes:
        evaluation: the evaluation, as the API returns it (``status``, ``drift``,
            ``fairness``, ``performance``, ``risk``, ``metrics``, ``violations``, ...).
        exit_code: the binary's: 0 passed (pass, or warn unless ``fail_on="warn"``), 1 failed.
    """

    evaluation: Evaluation
    exit_code: int

    @property
    def passed(self) -> bool:
        """Whether the gate let the model through."""
        return self.exit_code == 0

    @property
    def status(self) -> Status:
        """``pass``, ``warn`` or ``fail``."""
        return self.evaluation["status"]

    @property
    def risk_score(self) -> float:
        """The risk score, 0–100."""
        return float(self.evaluation["risk"]["score"])

    @property
    def violations(self) -> list[Violation]:
        """The rules that did not hold."""
        return list(self.evaluation.get("violations") or [])

    def raise_for_status(self) -> CheckResult:
        """Raises :class:`~driftguard.GateFailed` when the gate failed; returns itself."""
        if not self.passed:
            raise GateFailed(self)
        return self


def find_binary(binary: str | os.PathLike[str] | None = None) -> str:
    """The ``driftguard`` binary: ``binary`` if given, else ``$DRIFTGUARD_BIN``, else the
    one on the PATH."""
    candidate = binary or os.environ.get(BINARY_ENV) or shutil.which("driftguard")
    if not candidate:
        raise CheckError(
            "no driftguard binary: put it on the PATH, set DRIFTGUARD_BIN, or pass binary="
        )
    return os.fspath(candidate)


def check(
    reference: Any,
    current: Any,
    *,
    policy: PolicyInput | None = None,
    risk_tier: RiskTier = "high",
    task: Task = "binary_classification",
    label: str | None = None,
    prediction: str | None = None,
    score: str | None = None,
    sensitive: Sequence[str] = (),
    ignore: Sequence[str] = (),
    drift_method: DriftMethod | None = None,
    drift_threshold: float | None = None,
    fail_on: Status = "fail",
    junit: str | os.PathLike[str] | None = None,
    format: DataFormat = "csv",
    binary: str | os.PathLike[str] | None = None,
    timeout: float | None = None,
) -> CheckResult:
    """Judges current data against reference data, offline, as a CI gate does.

    Args:
        reference: the data the model was trained or validated on: a pandas DataFrame, a
            ``.csv`` (or ``.json``) file path, ``{column: [values]}`` or a list of records.
        current: the data it sees now, with its predictions (and labels where known).
        policy: a policy ``{"name", "rules": [...]}``, a list of them, or a JSON file;
            default: DriftGuard's default policy.
        risk_tier: the model's tier, which chooses the policies and scales the risk score.
        label, prediction, score, sensitive, ignore: the column roles.
        fail_on: ``"warn"`` makes a warning fail the gate too.
        junit: also write a JUnit XML report (one test case per rule) to this path.
        format: how DataFrames are handed to the binary: ``"csv"``, or ``"parquet"`` with
            a binary that reads Parquet.
        binary: the ``driftguard`` binary (default: ``$DRIFTGUARD_BIN``, then the PATH).
        timeout: seconds before giving up.

    Returns:
        The :class:`CheckResult`; call ``.raise_for_status()`` to stop a pipeline on failure.

    Raises:
        CheckError: no binary, or a usage or input error (the binary's exit code 2, with its
            message).
    """
    command = [find_binary(binary), "check", "--format", "json"]
    with tempfile.TemporaryDirectory(prefix="driftguard-check-") as folder:
        command += ["--reference", _file(reference, Path(folder), "reference", format)]
        command += ["--current", _file(current, Path(folder), "current", format)]
        if policy is not None:
            command += ["--policy", _policy_file(policy, Path(folder))]
        command += ["--risk-tier", risk_tier, "--task", task, "--fail-on", fail_on]
        roles = [("--label", label), ("--prediction", prediction), ("--score", score)]
        for flag, value in roles:
            if value is not None:
                command += [flag, value]
        for flag, values in [("--sensitive", sensitive), ("--ignore", ignore)]:
            for value in values:
                command += [flag, value]
        if drift_method is not None:
            command += ["--drift-method", drift_method]
        if drift_threshold is not None:
            command += ["--drift-threshold", str(drift_threshold)]
        if junit is not None:
            command += ["--report", f"junit={os.fspath(junit)}"]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        except OSError as e:
            raise CheckError(f"cannot run {command[0]}: {e}") from e
    if done.returncode not in (0, 1):
        reason = done.stderr.strip() or f"exit code {done.returncode}"
        raise CheckError(f"driftguard check: {reason}", done.returncode, done.stderr)
    try:
        evaluation = json.loads(done.stdout)
    except ValueError as e:
        message = f"driftguard check printed no evaluation: {e}"
        raise CheckError(message, done.returncode, done.stderr) from e
    return CheckResult(evaluation, done.returncode)


def _file(data: Any, folder: Path, name: str, format: DataFormat) -> str:
    """A path the binary can read: a path as given, anything else written into ``folder``."""
    if isinstance(data, (str, os.PathLike)):
        return os.fspath(data)
    encoded = encode(data, format if is_dataframe(data) else None)
    path = folder / f"{name}.{encoded.format}"
    if encoded.format == "json":
        path.write_text(json.dumps(encoded.data), encoding="utf-8")
    else:
        path.write_bytes(encoded.data)
    return os.fspath(path)


def _policy_file(policy: Any, folder: Path) -> str:
    if isinstance(policy, (str, os.PathLike)):
        return os.fspath(policy)
    path = folder / "policy.json"
    path.write_text(json.dumps(policy), encoding="utf-8")
    return os.fspath(path)
