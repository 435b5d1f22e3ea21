"""Users and roles (admin): ``/users``, ``/users/{id}/role``, ``/users/{id}/role-changes``,
``/users/{id}/sessions/revoke``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .._routes import route
from ..pagination import MAX_PAGE_SIZE
from ..types import Role, User
from ._base import Resource

LIST = route("GET", "/users")
SET_ROLE = route("PUT", "/users/{id}/role")
ROLE_CHANGES = route("GET", "/users/{id}/role-changes")
REVOKE_SESSIONS = route("POST", "/users/{id}/sessions/revoke")


class Users(Resource):
    """Accounts and their roles; every method needs the ``admin`` role."""

    def list(self, skip: int = 0, limit: int = 10) -> dict[str, Any]:
        """One page: ``{"users": [...], "pagination": {...}}``."""
        return self._page(LIST, skip, limit)

    def iter(self, page_size: int = MAX_PAGE_SIZE) -> Iterator[User]:
        """Every user, page after page."""
        return self._iter(LIST, "users", page_size)

    def set_role(self, user_id: int, role: Role) -> User:
        """Changes a user's role (the last admin cannot be demoted: 409)."""
        return self._t.json(SET_ROLE, path={"id": user_id}, json={"role": role})

    def role_changes(self, user_id: int, skip: int = 0, limit: int = 10) -> dict[str, Any]:
        """One page of a user's role changes, newest first:
        ``{"role_changes": [...], "pagination": {...}}``."""
        return self._page(ROLE_CHANGES, skip, limit, path={"id": user_id})

    def iter_role_changes(
        self, user_id: int, page_size: int = MAX_PAGE_SIZE
    ) -> Iterator[dict[str, Any]]:
        """Every role change of a user, newest first."""
        return self._iter(ROLE_CHANGES, "role_changes", page_size, path={"id": user_id})

    def revoke_sessions(self, user_id: int) -> None:
        """Ends every session of a user: all tokens issued so far stop working."""
        self._t.json(REVOKE_SESSIONS, path={"id": user_id})
