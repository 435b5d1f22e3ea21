"""What every resource shares: the transport, and list pages turned into iterators."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .._routes import Route
from .._transport import Transport
from ..pagination import MAX_PAGE_SIZE, iterate


class Resource:
    """A group of routes of one server, called through a shared :class:`Transport`."""

    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def _page(
        self,
        route: Route,
        skip: int,
        limit: int,
        *,
        path: Mapping[str, object] | None = None,
        filters: Mapping[str, Any] | None = None,
    ) -> Any:
        """One page of a list route."""
        params = {"skip": skip, "limit": limit, **(filters or {})}
        return self._t.json(route, path=path, params=params)

    def _iter(
        self,
        route: Route,
        key: str,
        page_size: int = MAX_PAGE_SIZE,
        *,
        path: Mapping[str, object] | None = None,
        filters: Mapping[str, Any] | None = None,
    ) -> Iterator[Any]:
        """Every item of a list route, page after page as the iterator is consumed."""
        return iterate(
            lambda skip, limit: self._page(route, skip, limit, path=path, filters=filters),
            key,
            page_size,
        )


class Unset:
    """The marker of a keyword argument left out (distinct from ``None``, which clears a
    field)."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = Unset()


def given(**fields: Any) -> dict[str, Any]:
    """The fields that were given (not :data:`UNSET`)."""
    return {k: v for k, v in fields.items() if v is not UNSET}
