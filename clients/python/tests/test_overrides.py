"""Four-eyes overrides from the client: a critical model's override waits for a second,
different approver, who approves it (the model is deployed) or rejects it; every step is in
the verified audit chain."""

import uuid

import pandas as pd
import pytest

import driftguard

REASON = "Fairness gap accepted by the risk committee until the retrain in March."


def critical_model(engineer: driftguard.Client) -> dict:
    columns = {
        "prediction": "prediction",
        "label": "label",
        "score": "score",
        "sensitive": ["group"],
    }
    name = f"critical-{uuid.uuid4().hex[:8]}"
    return engineer.models.create(
        name, "1.0.0", "binary_classification", "critical", columns=columns
    )


def test_a_critical_models_override_needs_a_second_approver(
    engineer: driftguard.Client,
    approver: driftguard.Client,
    admin: driftguard.Client,
    reference_df: pd.DataFrame,
    current_df: pd.DataFrame,
) -> None:
    model = critical_model(engineer)
    engineer.references.upload(model["id"], reference_df, format="csv")
    evaluation = engineer.evaluations.create(model["id"], current_df, format="csv")
    assert evaluation["status"] == "fail"

    asked = approver.deployments.deploy(model["id"], override=True, justification=REASON)
    request = asked["override_request"]
    assert (request["status"], request["justification"]) == ("pending", REASON)
    assert request["evaluation_id"] == evaluation["id"]
    assert asked["deployment"]["outcome"] == "override_requested"
    assert engineer.models.get(model["id"])["status"] == "registered"

    with pytest.raises(driftguard.Forbidden):
        approver.override_requests.approve(request["id"])
    with pytest.raises(driftguard.Forbidden):
        engineer.override_requests.approve(request["id"])
    pending = engineer.override_requests.list(status="pending", model_id=model["id"])
    assert [r["id"] for r in pending["override_requests"]] == [request["id"]]
    assert engineer.override_requests.get(request["id"])["requested_by"] == approver.auth.me()["id"]

    done = admin.override_requests.approve(request["id"], note="second pair of eyes")
    assert done["model"]["status"] == "deployed"
    row = done["deployment"]
    assert (row["outcome"], row["override_used"], row["override_reason"]) == (
        "overridden",
        True,
        REASON,
    )
    assert (row["deployed_by"], row["override_requested_by"]) == (
        admin.auth.me()["id"],
        approver.auth.me()["id"],
    )
    assert done["override_request"]["status"] == "approved"
    with pytest.raises(driftguard.Conflict):
        admin.override_requests.approve(request["id"])

    again = approver.deployments.deploy(model["id"], override=True, justification=REASON)
    rejected = admin.override_requests.reject(again["override_request"]["id"], "not this time")
    assert rejected["override_request"]["status"] == "rejected"
    assert rejected["deployment"]["outcome"] == "override_rejected"
    statuses = {r["id"]: r["status"] for r in engineer.override_requests.iter(model_id=model["id"])}
    assert statuses == {request["id"]: "approved", again["override_request"]["id"]: "rejected"}
    outcomes = [h["outcome"] for h in engineer.deployments.iter_for_model(model["id"])]
    assert outcomes == [
        "override_rejected",
        "override_requested",
        "overridden",
        "override_requested",
    ]
    assert admin.deployments.verify()["ok"] is True
