"""``driftguard.check``: the offline gate on DataFrames, through the real binary."""

import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest

import driftguard
from conftest import binary

ROLES = {"label": "label", "prediction": "prediction", "score": "score"}


def test_data_like_the_reference_passes(reference_df: pd.DataFrame) -> None:
    result = driftguard.check(reference_df, reference_df, binary=binary(), **ROLES)
    assert result.passed and result.exit_code == 0
    assert result.status == "pass"
    assert result.violations == []
    assert result.evaluation["drift"]["drifted_columns"] == 0
    assert result.raise_for_status() is result


def test_drifted_unfair_data_fails_with_its_violations(
    reference_df: pd.DataFrame, current_df: pd.DataFrame, tmp_path: Path
) -> None:
    report = tmp_path / "driftguard.xml"
    result = driftguard.check(
        reference_df,
        current_df,
        sensitive=["group"],
        risk_tier="critical",
        junit=report,
        binary=binary(),
        **ROLES,
    )
    assert not result.passed and result.exit_code == 1
    assert result.status == "fail"
    assert result.risk_score > 0
    assert "fairness.disparate_impact" in {v["metric"] for v in result.violations}
    with pytest.raises(driftguard.GateFailed) as caught:
        result.raise_for_status()
    assert "fairness.disparate_impact" in str(caught.value)
    suites = ET.parse(report).getroot()
    assert int(suites.get("failures", "0")) == len(result.violations)


def test_a_policy_and_files_are_taken_as_given(reference_dir: Path) -> None:
    strict = {
        "name": "no drift at all",
        "rules": [{"metric": "drift.share", "op": "==", "threshold": 0, "severity": "block"}],
    }
    result = driftguard.check(
        reference_dir / "reference_10k.csv",
        reference_dir / "current_10k.csv",
        policy=strict,
        ignore=["group"],
        binary=binary(),
    )
    assert result.status == "fail"
    assert [v["metric"] for v in result.violations] == ["drift.share"]


def test_warnings_fail_only_when_asked(
    reference_df: pd.DataFrame, current_df: pd.DataFrame
) -> None:
    # Drift on 8 of 20 columns, no fairness: drift.share 0.4 breaks only the warn rule.
    loose = driftguard.check(reference_df, current_df, ignore=["group"], binary=binary())
    assert (loose.status, loose.passed) == ("warn", True)
    strict = driftguard.check(
        reference_df, current_df, ignore=["group"], fail_on="warn", binary=binary()
    )
    assert (strict.status, strict.passed) == ("warn", False)


def test_bad_input_raises_check_error_with_the_reason(reference_df: pd.DataFrame) -> None:
    with pytest.raises(driftguard.CheckError) as caught:
        driftguard.check(reference_df, reference_df, label="no_such_column", binary=binary())
    assert caught.value.exit_code == 2
    assert "no_such_column" in str(caught.value)


def test_a_missing_binary_is_a_clear_error(
    reference_df: pd.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DRIFTGUARD_BIN", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(driftguard.CheckError, match="no driftguard binary"):
        driftguard.check(reference_df, reference_df)
    with pytest.raises(driftguard.CheckError, match="cannot run"):
        driftguard.check(reference_df, reference_df, binary=tmp_path / "driftguard")


def test_the_binary_is_found_through_the_environment(
    reference_df: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DRIFTGUARD_BIN", str(binary()))
    sample = reference_df.head(500)
    assert driftguard.check(sample, sample).status == "pass"
