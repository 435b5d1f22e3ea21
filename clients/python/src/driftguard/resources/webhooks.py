"""Signed webhooks (admin): ``/webhooks``, ``/webhooks/{id}``, ``/webhooks/{id}/deliveries``.

A delivery carries ``X-DriftGuard-Signature: t=<unix>,v1=<hex HMAC-SHA256>``;
:func:`verify_signature` checks it as a receiver written in Python would (docs/webhooks.md).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Iterator, Sequence
from typing import Any, Literal

from .._routes import route
from ..pagination import MAX_PAGE_SIZE
from ._base import UNSET, Resource, given

WebhookEvent = Literal[
    "evaluation.failed",
    "evaluation.warned",
    "deployment.blocked",
    "deployment.overridden",
    "override.requested",
    "policy.changed",
]
WebhookFormat = Literal["json", "slack", "teams"]

CREATE = route("POST", "/webhooks")
LIST = route("GET", "/webhooks")
GET = route("GET", "/webhooks/{id}")
UPDATE = route("PATCH", "/webhooks/{id}")
DELETE = route("DELETE", "/webhooks/{id}")
DELIVERIES = route("GET", "/webhooks/{id}/deliveries")


class Webhooks(Resource):
    """Webhook endpoints and their delivery logs; every method needs the ``admin`` role."""

    def create(
        self,
        url: str,
        events: Sequence[WebhookEvent],
        *,
        format: WebhookFormat = "json",
        description: str | None = None,
    ) -> dict[str, Any]:
        """Registers an endpoint. The answer's ``secret`` signs its deliveries and is shown
        this once. A URL whose address the server does not allow is a ValidationError."""
        body: dict[str, Any] = {"url": url, "events": list(events), "format": format}
        if description is not None:
            body["description"] = description
        return self._t.json(CREATE, json=body)

    def list(self, skip: int = 0, limit: int = 10) -> dict[str, Any]:
        """One page: ``{"webhooks": [...], "pagination": {...}}``."""
        return self._page(LIST, skip, limit)

    def iter(self, page_size: int = MAX_PAGE_SIZE) -> Iterator[dict[str, Any]]:
        """Every endpoint, page after page."""
        return self._iter(LIST, "webhooks", page_size)

    def get(self, webhook_id: int) -> dict[str, Any]:
        """One endpoint (without its secret)."""
        return self._t.json(GET, path={"id": webhook_id})

    def update(
        self,
        webhook_id: int,
        *,
        url: str = UNSET,
        events: Sequence[WebhookEvent] = UNSET,
        active: bool = UNSET,
    ) -> dict[str, Any]:
        """Changes the URL, the events or switches the endpoint on or off."""
        if events is not UNSET:
            events = list(events)
        body = given(url=url, events=events, active=active)
        return self._t.json(UPDATE, path={"id": webhook_id}, json=body)

    def delete(self, webhook_id: int) -> None:
        """Removes the endpoint and its delivery log."""
        self._t.json(DELETE, path={"id": webhook_id})

    def deliveries(self, webhook_id: int, skip: int = 0, limit: int = 10) -> dict[str, Any]:
        """One page of the endpoint's delivery log, newest first:
        ``{"deliveries": [...], "pagination": {...}}``."""
        return self._page(DELIVERIES, skip, limit, path={"id": webhook_id})

    def iter_deliveries(
        self, webhook_id: int, page_size: int = MAX_PAGE_SIZE
    ) -> Iterator[dict[str, Any]]:
        """Every delivery of the endpoint, newest first."""
        return self._iter(DELIVERIES, "deliveries", page_size, path={"id": webhook_id})


def verify_signature(
    secret: str, header: str, body: bytes, *, tolerance: float = 300.0, now: float | None = None
) -> bool:
    """Whether ``header`` (``X-DriftGuard-Signature``) signs ``body`` with ``secret`` and was
    made within ``tolerance`` seconds of ``now`` (a replayed old request fails)."""
    fields: dict[str, str] = {}
    for part in header.split(","):
        key, _, value = part.partition("=")
        fields[key.strip()] = value.strip()
    try:
        sent = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - sent) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{sent}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields.get("v1", ""))
