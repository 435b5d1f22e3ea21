"""The HTTP plumbing every resource shares: the base URL, the bearer token, JSON in and
out, and error answers turned into exceptions (:mod:`driftguard.errors`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from ._routes import Route
from .errors import error_from_response


class Transport:
    """Sends requests to one DriftGuard server, with the token once signed in."""

    def __init__(self, http: httpx.Client, token: str | None) -> None:
        self.http = http
        self.token = token

    def send(
        self,
        route: Route,
        *,
        path: Mapping[str, object] | None = None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        content: bytes | None = None,
        content_type: str | None = None,
    ) -> httpx.Response:
        """Sends one request; raises an :class:`~driftguard.ApiError` on an error answer."""
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if content_type:
            headers["Content-Type"] = content_type
        query = {k: _query_value(v) for k, v in (params or {}).items() if v is not None}
        response = self.http.request(
            route.method,
            route.url(**(path or {})),
            params=query,
            json=json,
            content=content,
            headers=headers,
        )
        if response.is_error:
            response.read()
            raise error_from_response(response)
        return response

    def json(self, route: Route, **kwargs: Any) -> Any:
        """Sends one request and returns its JSON answer (``None`` for a 204)."""
        response = self.send(route, **kwargs)
        if response.status_code == 204 or not response.content:
            return None
        return response.json()


def _query_value(value: Any) -> Any:
    """A query parameter as the API spells it: booleans lower-case, lists comma-separated."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return value
