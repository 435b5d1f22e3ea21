"""Accounts and tokens: ``/auth/register``, ``/auth/login``, ``/auth/me``, ``/auth/logout``."""

from __future__ import annotations

from .._routes import route
from ..types import TokenResponse, User
from ._base import Resource

REGISTER = route("POST", "/auth/register")
LOGIN = route("POST", "/auth/login")
ME = route("GET", "/auth/me")
LOGOUT = route("POST", "/auth/logout")


class Auth(Resource):
    """Sign-in and the signed-in account."""

    def register(self, email: str, password: str, full_name: str | None = None) -> User:
        """Opens an account (a ``viewer``; when the server allows open registration).

        Raises:
            ValidationError: a password shorter than 12 characters or a bad email (422).
            Conflict: the email is taken (409).
        """
        body = {"email": email, "password": password, "full_name": full_name}
        return self._t.json(REGISTER, json=body)

    def login(self, email: str, password: str) -> TokenResponse:
        """Signs in and keeps the token for the requests that follow.

        The token lives ``expires_in`` seconds (an hour by default); sign in again after.

        Raises:
            Unauthorized: wrong email or password (the same answer for both).
        """
        answer: TokenResponse = self._t.json(LOGIN, json={"email": email, "password": password})
        self._t.token = answer["access_token"]
        return answer

    def me(self) -> User:
        """The signed-in account."""
        return self._t.json(ME)

    def logout(self) -> None:
        """Ends every session of the signed-in account (all its tokens), and forgets the
        token."""
        self._t.json(LOGOUT)
        self._t.token = None
