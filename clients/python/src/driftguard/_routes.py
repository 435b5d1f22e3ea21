"""The API's routes as the client calls them. Every route is declared once, through
:func:`route`, by the module whose methods call it; :data:`ROUTES` collects them, and the test
suite compares that set with the server's ``/openapi.json`` so the client cannot fall behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

ROUTES: set[Route] = set()


@dataclass(frozen=True)
class Route:
    """One operation: an HTTP method and a path template such as ``/models/{id}``."""

    method: str
    path: str

    def url(self, **params: object) -> str:
        """The path with its parameters filled in (each one percent-encoded)."""
        return self.path.format(**{k: quote(str(v), safe="") for k, v in params.items()})


def route(method: str, path: str) -> Route:
    """Declares a route the client calls, and registers it in :data:`ROUTES`."""
    declared = Route(method.upper(), path)
    ROUTES.add(declared)
    return declared
