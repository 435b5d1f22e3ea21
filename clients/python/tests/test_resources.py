"""The other resources through the real server: policies and their versions, users and
roles, dashboards, simulations, model changes, probes and metrics."""

import uuid

import pandas as pd
import pytest

import driftguard
from conftest import PASSWORD, Server

RULE = {"metric": "risk.score", "op": "<=", "threshold": 90, "severity": "warn"}


def test_policies_are_versioned(admin: driftguard.Client, engineer: driftguard.Client) -> None:
    name = f"lenient-{uuid.uuid4().hex[:8]}"
    created = admin.policies.create(driftguard.policy_draft(name, [RULE], risk_tiers=["low"]))
    assert (created["version"], created["active"]) == (1, True)
    stricter = {**RULE, "threshold": 60}
    updated = admin.policies.update(created["id"], driftguard.policy_draft(name, [stricter]))
    assert updated["version"] == 2 and updated["rules"][0]["threshold"] == 60
    assert engineer.policies.get(created["id"])["version"] == 2
    assert sorted(v["version"] for v in engineer.policies.versions(created["id"])) == [1, 2]
    assert admin.policies.deactivate(created["id"])["active"] is False
    with pytest.raises(driftguard.ValidationError) as caught:
        admin.policies.create(driftguard.policy_draft(name, [{**RULE, "metric": "latency.p99"}]))
    assert caught.value.errors


def test_a_policy_simulation_changes_nothing(admin: driftguard.Client) -> None:
    strict = driftguard.policy_draft("strict", [{**RULE, "threshold": 0, "severity": "block"}])
    answer = admin.simulation.policy(strict)
    assert answer["simulated"] is True and "models_evaluated" in answer
    assert all(p["name"] != "strict" for p in admin.policies.iter())


def test_a_drift_simulation_on_the_reference_data(
    engineer: driftguard.Client, plain_model: dict, reference_df: pd.DataFrame
) -> None:
    engineer.references.upload(plain_model["id"], reference_df.head(2000), format="csv")
    answer = engineer.simulation.drift(
        plain_model["id"], [{"column": "n01", "shift": 3.0}], rows=1000, seed=7
    )
    assert answer["simulated"] is True
    assert answer["drift"]["drifted_columns"] >= 1


def test_models_change_and_go(engineer: driftguard.Client, admin: driftguard.Client) -> None:
    model = engineer.models.create(f"m-{uuid.uuid4().hex[:8]}", "1", "regression", "low")
    changed = engineer.models.update(model["id"], description="weekly demand", tags=["retail"])
    assert (changed["description"], changed["tags"]) == ("weekly demand", ["retail"])
    assert engineer.models.update(model["id"], risk_tier="medium")["description"] == (
        "weekly demand"
    )
    assert engineer.models.update(model["id"], description=None)["description"] is None
    admin.models.delete(model["id"])
    with pytest.raises(driftguard.NotFound):
        engineer.models.get(model["id"])


def test_roles_change_and_sessions_end(server: Server, admin: driftguard.Client) -> None:
    email = f"promoted-{uuid.uuid4().hex[:8]}@example.com"
    with driftguard.Client(server.url) as user:
        account = user.auth.register(email, PASSWORD)
        user.login(email, PASSWORD)
        assert admin.users.set_role(account["id"], "engineer")["role"] == "engineer"
        changes = list(admin.users.iter_role_changes(account["id"]))
        assert len(changes) == 1
        assert admin.users.role_changes(account["id"])["pagination"]["total"] == 1
        admin.users.revoke_sessions(account["id"])
        with pytest.raises(driftguard.Unauthorized):
            user.auth.me()


def test_dashboards_answer(engineer: driftguard.Client) -> None:
    summary = engineer.dashboard.summary()
    assert summary["models"]["total"] >= 0 and "compliance" in summary
    assert "overall" in engineer.dashboard.compliance_distribution()
    trends = engineer.dashboard.risk_trends(days=7)
    assert trends["days"] == 7 and len(trends["points"]) == 7


def test_probes_metrics_and_the_document(engineer: driftguard.Client) -> None:
    assert engineer.system.live()["status"] == "ok"
    assert engineer.system.ready()["status"] == "ok"
    assert "app_requests_total" in engineer.system.metrics()
    assert engineer.system.openapi()["openapi"].startswith("3.")
