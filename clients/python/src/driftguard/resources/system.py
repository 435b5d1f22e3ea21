"""The service itself: ``/health/live``, ``/health/ready``, ``/metrics``, ``/openapi.json``,
``/.well-known/driftguard/attestation-keys``."""

from __future__ import annotations

from typing import Any

from .._routes import route
from ._base import Resource

LIVE = route("GET", "/health/live")
READY = route("GET", "/health/ready")
METRICS = route("GET", "/metrics")
OPENAPI = route("GET", "/openapi.json")
ATTESTATION_KEYS = route("GET", "/.well-known/driftguard/attestation-keys")


class System(Resource):
    """Probes, metrics and the API description."""

    def live(self) -> dict[str, Any]:
        """Liveness: ``{"status": "ok"}`` while the process serves."""
        return self._t.json(LIVE)

    def ready(self) -> dict[str, Any]:
        """Readiness: ``{"status": "ok"}`` when the database answers (else 503
        :class:`~driftguard.Unavailable`)."""
        return self._t.json(READY)

    def metrics(self) -> str:
        """Prometheus metrics, as text (needs the metrics token where one is set: pass it as
        the client's token)."""
        return self._t.send(METRICS).text

    def openapi(self) -> dict[str, Any]:
        """The OpenAPI document of every route."""
        return self._t.json(OPENAPI)

    def attestation_keys(self) -> dict[str, Any]:
        """The public keys that verify deploy attestations, the signing one first, then the
        retired ones kept for older attestations (no sign-in needed)."""
        return self._t.json(ATTESTATION_KEYS)
