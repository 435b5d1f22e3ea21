"""Dashboards and what-if simulations: ``/dashboard/*``, ``/simulation/drift``,
``/simulation/policy``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .._routes import route
from ._base import Resource

SUMMARY = route("GET", "/dashboard/summary")
COMPLIANCE = route("GET", "/dashboard/compliance-distribution")
RISK_TRENDS = route("GET", "/dashboard/risk-trends")
SIMULATE_DRIFT = route("POST", "/simulation/drift")
SIMULATE_POLICY = route("POST", "/simulation/policy")


class Dashboard(Resource):
    """Compliance across all models (cached by the server for a minute or more)."""

    def summary(self) -> dict[str, Any]:
        """Models by status and tier, evaluations, compliance, deployments, violations by
        type, the average risk score."""
        return self._t.json(SUMMARY)

    def compliance_distribution(self) -> dict[str, Any]:
        """The latest status of every model, overall and per risk tier."""
        return self._t.json(COMPLIANCE)

    def risk_trends(self, days: int = 30) -> dict[str, Any]:
        """Per day (1–365 days, ending today): evaluations, mean and max risk score."""
        return self._t.json(RISK_TRENDS, params={"days": days})


class Simulation(Resource):
    """What-ifs; nothing is stored (engineer)."""

    def drift(
        self,
        model_id: int,
        scenarios: Sequence[Mapping[str, Any]],
        *,
        rows: int | None = None,
        seed: int | None = None,
    ) -> dict[str, Any]:
        """The drift, risk and policy result that shifted data would get.

        Args:
            scenarios: e.g. ``[{"column": "income", "shift": 1.0}]``; each has exactly one
                of ``shift``, ``scale``, ``missing_rate``, ``move``; one may sweep a list
                of values.
            rows: rows to draw (default: the reference's count).
            seed: the generator's seed (same request, same answer).
        """
        body = {"model_id": model_id, "scenarios": list(scenarios), "rows": rows, "seed": seed}
        return self._t.json(SIMULATE_DRIFT, json=body)

    def policy(
        self, policy: Mapping[str, Any], *, replaces_policy_id: int | None = None
    ) -> dict[str, Any]:
        """How a draft policy (see :func:`driftguard.resources.policies.draft`) would judge
        every model's latest evaluation, model by model."""
        body = {"policy": dict(policy), "replaces_policy_id": replaces_policy_id}
        return self._t.json(SIMULATE_POLICY, json=body)
