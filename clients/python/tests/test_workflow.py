"""The governance workflow from a notebook: register a model, upload the reference data as
a DataFrame, evaluate current data, meet a blocked deploy, override it as an approver, and
find it all in the audit trail."""

import base64
import json
import uuid

import pandas as pd
import pytest

import driftguard


def test_reference_upload_and_evaluation_from_dataframes(
    engineer: driftguard.Client,
    model: dict,
    reference_df: pd.DataFrame,
    current_df: pd.DataFrame,
) -> None:
    profile = engineer.references.upload(model["id"], reference_df, format="csv")
    assert profile["rows"] == len(reference_df)
    kinds = {c["name"]: c["kind"] for c in profile["columns"]}
    assert kinds["n01"] == "numeric" and kinds["c01"] == "categorical"
    assert engineer.references.get(model["id"])["sha256"] == profile["sha256"]
    assert [u["sha256"] for u in engineer.references.uploads(model["id"])] == [profile["sha256"]]

    evaluation = engineer.evaluations.create(model["id"], current_df, format="csv")
    assert evaluation["status"] == "fail"
    assert evaluation["drift"]["drifted_columns"] == 8
    assert evaluation["drift"]["total_columns"] == 20
    assert "fairness.disparate_impact" in {v["metric"] for v in evaluation["violations"]}
    assert engineer.evaluations.get(evaluation["id"])["status"] == "fail"
    assert engineer.models.get(model["id"])["latest_evaluation"]["id"] == evaluation["id"]


def test_evaluation_options_travel_with_csv_and_json(
    engineer: driftguard.Client, plain_model: dict, reference_df: pd.DataFrame
) -> None:
    model = plain_model
    sample = reference_df.head(2000)
    engineer.references.upload(model["id"], sample, format="csv")
    for format in ("csv", "json"):
        evaluation = engineer.evaluations.create(
            model["id"], sample, format=format, drift_method="psi", column_methods={"n01": "ks"}
        )
        methods = {c["column"]: c["method"] for c in evaluation["drift"]["columns"]}
        assert methods["n01"] == "ks" and methods["n02"] == "psi", format
        assert evaluation["status"] == "pass", format


def test_a_blocked_deploy_raises_with_the_governance_result_and_an_approver_overrides(
    engineer: driftguard.Client,
    approver: driftguard.Client,
    admin: driftguard.Client,
    model: dict,
    reference_df: pd.DataFrame,
    current_df: pd.DataFrame,
) -> None:
    engineer.references.upload(model["id"], reference_df, format="csv")
    evaluation = engineer.evaluations.create(model["id"], current_df, format="csv")

    with pytest.raises(driftguard.GovernanceBlocked) as caught:
        engineer.deployments.deploy(model["id"])
    blocked = caught.value
    assert (blocked.status, blocked.code) == (409, "governance_blocked")
    result = blocked.governance_result
    assert result["status"] == "fail"
    assert result["evaluation_id"] == evaluation["id"]
    assert result["risk_score"] == pytest.approx(evaluation["risk"]["score"])
    assert {v["metric"] for v in blocked.violations} >= {"fairness.disparate_impact"}

    reason = "Fairness gap accepted by the risk committee until the retrain in March."
    with pytest.raises(driftguard.Forbidden):
        engineer.deployments.deploy(model["id"], override=True, justification=reason)
    with pytest.raises(driftguard.ValidationError):
        approver.deployments.deploy(model["id"], override=True, justification="too short")

    done = approver.deployments.deploy(model["id"], override=True, justification=reason)
    assert done["model"]["status"] == "deployed"
    row = done["deployment"]
    assert (row["outcome"], row["override_used"], row["override_reason"]) == (
        "overridden",
        True,
        reason,
    )

    history = list(engineer.deployments.iter_for_model(model["id"]))
    assert [h["outcome"] for h in history] == ["overridden", "blocked"]
    overrides = list(engineer.deployments.iter(outcome="overridden", override_used=True))
    assert row["id"] in {h["id"] for h in overrides}
    verified = admin.deployments.verify()
    assert verified["ok"] is True and verified["rows_checked"] >= 2


def test_a_passing_model_deploys_and_is_retired(
    engineer: driftguard.Client,
    approver: driftguard.Client,
    plain_model: dict,
    reference_df: pd.DataFrame,
) -> None:
    model = plain_model
    sample = reference_df.head(3000)
    engineer.references.upload(model["id"], sample, format="csv")
    assert engineer.evaluations.create(model["id"], sample, format="csv")["status"] == "pass"
    deployed = engineer.deployments.deploy(model["id"], notes="first release")
    assert deployed["deployment"]["outcome"] == "deployed"
    retired = approver.deployments.retire(model["id"], notes="replaced by 2.0")
    assert retired["model"]["status"] == "retired"


def test_a_deploy_is_attested_and_a_deleted_models_history_stays_readable(
    engineer: driftguard.Client,
    approver: driftguard.Client,
    admin: driftguard.Client,
    plain_model: dict,
    reference_df: pd.DataFrame,
) -> None:
    model = plain_model
    sample = reference_df.head(3000)
    engineer.references.upload(model["id"], sample, format="csv")
    engineer.evaluations.create(model["id"], sample, format="csv")
    passing = engineer.models.list(compliance="pass", limit=100)["models"]
    assert model["id"] in [m["id"] for m in passing]
    digest = "sha256:" + "ab" * 32
    deployed = engineer.deployments.deploy(model["id"], artifact_digest=digest)
    envelope = engineer.deployments.attestation(deployed["deployment"]["id"])
    assert envelope["payloadType"] == "application/vnd.in-toto+json"
    keys = engineer.system.attestation_keys()
    assert envelope["signatures"][0]["keyid"] in str(keys)

    approver.deployments.retire(model["id"])
    admin.models.delete(model["id"])
    with pytest.raises(driftguard.NotFound):
        engineer.deployments.for_model(model["id"])
    kept = engineer.deployments.list(model_id=model["id"])
    assert [r["outcome"] for r in kept["deployments"]] == ["retired", "deployed"]


def test_a_model_versions_digest_is_the_subject_of_a_deploy_naming_none(
    engineer: driftguard.Client, approver: driftguard.Client
) -> None:
    digest = "sha256:" + "cd" * 32
    model = engineer.models.create(
        f"digested-{uuid.uuid4().hex[:8]}",
        "1.0.0",
        "binary_classification",
        "low",
        artifact_digest="sha256:" + "CD" * 32,
    )
    assert model["artifact_digest"] == digest
    justification = "accepted by the risk board, ticket RISK-11"
    with pytest.raises(driftguard.ValidationError) as caught:
        approver.deployments.deploy(
            model["id"],
            override=True,
            justification=justification,
            artifact_digest="sha256:" + "ef" * 32,
        )
    assert caught.value.errors[0]["field"] == "artifact_digest"
    deployed = approver.deployments.deploy(model["id"], override=True, justification=justification)
    assert deployed["deployment"]["artifact_digest"] == digest
    envelope = engineer.deployments.attestation(deployed["deployment"]["id"])
    statement = json.loads(base64.b64decode(envelope["payload"]))
    assert statement["subject"][0]["digest"]["sha256"] == "cd" * 32

    assert engineer.models.update(model["id"], artifact_digest=None)["artifact_digest"] is None
    with pytest.raises(driftguard.ValidationError):
        engineer.models.update(model["id"], artifact_digest="sha256:00")
