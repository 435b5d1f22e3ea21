"""Error answers are exceptions carrying the JSON error body (SPEC §3)."""

import uuid

import pytest

import driftguard


def test_a_422_names_the_fields_at_fault(engineer: driftguard.Client) -> None:
    with pytest.raises(driftguard.ValidationError) as caught:
        engineer.models.create("", "1.0", "binary_classification", "extreme")  # type: ignore[arg-type]
    error = caught.value
    assert error.status == 422
    assert error.code == "validation_error"
    assert error.request_id
    fields = {e["field"] for e in error.errors}
    assert "risk_tier" in fields or "name" in fields, error.errors
    assert all(e["message"] for e in error.errors)
    assert str(error).startswith("422 validation_error")


def test_a_bad_query_parameter_is_a_422(engineer: driftguard.Client) -> None:
    with pytest.raises(driftguard.ValidationError) as caught:
        engineer.models.list(limit=1000)
    assert caught.value.errors[0]["field"] == "limit"


def test_an_unknown_id_is_not_found(engineer: driftguard.Client) -> None:
    with pytest.raises(driftguard.NotFound) as caught:
        engineer.models.get(987654321)
    assert caught.value.code == "not_found"


def test_a_duplicate_name_and_version_is_a_conflict(engineer: driftguard.Client) -> None:
    name = f"dup-{uuid.uuid4().hex[:8]}"
    engineer.models.create(name, "1", "regression", "low")
    with pytest.raises(driftguard.Conflict) as caught:
        engineer.models.create(name, "1", "regression", "low")
    assert not isinstance(caught.value, driftguard.GovernanceBlocked)
    assert caught.value.status == 409


def test_an_evaluation_before_the_reference_data_is_a_conflict(
    engineer: driftguard.Client, model: dict
) -> None:
    with pytest.raises(driftguard.Conflict):
        engineer.evaluations.create(model["id"], {"x": [1, 2, 3]})
