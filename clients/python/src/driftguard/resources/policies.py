"""Policies: ``/policies``, ``/policies/{id}``, ``/policies/{id}/versions``."""

from __future__ import annotations

import builtins
from collections.abc import Iterator, Sequence
from typing import Any

from .._routes import route
from ..pagination import MAX_PAGE_SIZE
from ..types import Policy, PolicyDraft, RiskTier, Rule
from ._base import Resource

LIST = route("GET", "/policies")
CREATE = route("POST", "/policies")
GET = route("GET", "/policies/{id}")
UPDATE = route("PUT", "/policies/{id}")
DEACTIVATE = route("DELETE", "/policies/{id}")
VERSIONS = route("GET", "/policies/{id}/versions")


def draft(
    name: str,
    rules: Sequence[Rule],
    *,
    description: str | None = None,
    active: bool = True,
    risk_tiers: Sequence[RiskTier] = (),
) -> PolicyDraft:
    """A policy draft as the API takes it, for :meth:`Policies.create`,
    :meth:`Policies.update` and :meth:`~driftguard.resources.insights.Simulation.policy`.

    Args:
        rules: ``[{"metric": "fairness.disparate_impact", "op": ">=", "threshold": 0.8,
            "severity": "block"}, ...]`` — each states what must hold.
        active: ``False`` saves a draft that judges nothing.
        risk_tiers: the tiers it applies to; empty: every tier.
    """
    return {
        "name": name,
        "description": description,
        "active": active,
        "applies_to": {"risk_tiers": list(risk_tiers)},
        "rules": list(rules),
    }


class Policies(Resource):
    """The rules evaluations are judged by; every change makes a new version."""

    def list(self, skip: int = 0, limit: int = 10) -> dict[str, Any]:
        """One page: ``{"policies": [...], "pagination": {...}}``."""
        return self._page(LIST, skip, limit)

    def iter(self, page_size: int = MAX_PAGE_SIZE) -> Iterator[Policy]:
        """Every policy."""
        return self._iter(LIST, "policies", page_size)

    def create(self, policy: PolicyDraft) -> Policy:
        """Saves a new policy, version 1 (admin), from a :func:`draft`. An unknown metric
        name is a 422."""
        return self._t.json(CREATE, json=policy)

    def get(self, policy_id: int) -> Policy:
        """A policy's current version."""
        return self._t.json(GET, path={"id": policy_id})

    def update(self, policy_id: int, policy: PolicyDraft) -> Policy:
        """Replaces a policy with a new version made from a :func:`draft` (admin); the old
        versions stay readable."""
        return self._t.json(UPDATE, path={"id": policy_id}, json=policy)

    def deactivate(self, policy_id: int) -> Policy:
        """Deactivates a policy (admin): a new, inactive version."""
        return self._t.json(DEACTIVATE, path={"id": policy_id})

    def versions(self, policy_id: int) -> builtins.list[Policy]:
        """Every version of a policy."""
        return self._t.json(VERSIONS, path={"id": policy_id})["versions"]
