"""Four-eyes override requests: ``/override-requests``, ``/override-requests/{id}``,
``/override-requests/{id}/approve``, ``/override-requests/{id}/reject``.

For a risk tier that needs two approvers (``critical`` by default), an approver's
:meth:`Deployments.deploy` with ``override=True`` deploys nothing: it answers with a pending
request (``{"override_request", "deployment"}``), which a second, different approver approves
here (the model is deployed, ``overridden``) or anyone of approver rank rejects."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .._routes import route
from ..pagination import MAX_PAGE_SIZE
from ..types import OverrideDecision, OverrideRequest, OverrideStatus
from ._base import Resource

LIST = route("GET", "/override-requests")
GET = route("GET", "/override-requests/{id}")
APPROVE = route("POST", "/override-requests/{id}/approve")
REJECT = route("POST", "/override-requests/{id}/reject")


class OverrideRequests(Resource):
    """Overrides waiting for a second approver, and their decisions."""

    def list(
        self,
        skip: int = 0,
        limit: int = 10,
        *,
        status: OverrideStatus | None = None,
        model_id: int | None = None,
    ) -> dict[str, Any]:
        """One page, newest first: ``{"override_requests": [...], "pagination": {...}}``. A
        pending request past its expiry is listed as ``expired``."""
        return self._page(LIST, skip, limit, filters={"status": status, "model_id": model_id})

    def iter(
        self,
        *,
        page_size: int = MAX_PAGE_SIZE,
        status: OverrideStatus | None = None,
        model_id: int | None = None,
    ) -> Iterator[OverrideRequest]:
        """Every request matching the filters, newest first."""
        filters = {"status": status, "model_id": model_id}
        return self._iter(LIST, "override_requests", page_size, filters=filters)

    def get(self, request_id: int) -> OverrideRequest:
        """One request."""
        return self._t.json(GET, path={"id": request_id})

    def approve(self, request_id: int, *, note: str | None = None) -> OverrideDecision:
        """Approves a pending request as the second approver: the model is deployed as
        ``overridden``, and ``{"override_request", "deployment", "model"}`` returned.

        Raises:
            Forbidden: a role below approver, or the requester approving their own (403).
            Conflict: it is not pending, has expired, or a newer evaluation or a policy
                change voided it (409; the expiry or voiding is recorded).
        """
        return self._t.json(APPROVE, path={"id": request_id}, json={"note": note})

    def reject(self, request_id: int, reason: str) -> OverrideDecision:
        """Rejects a pending request with a reason (its requester withdraws it this way):
        ``{"override_request", "deployment"}``."""
        return self._t.json(REJECT, path={"id": request_id}, json={"reason": reason})
