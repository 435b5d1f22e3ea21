"""The client of one DriftGuard server."""

from __future__ import annotations

import os
from types import TracebackType

import httpx

from ._transport import Transport
from .resources.auth import Auth
from .resources.data import Evaluations, References
from .resources.deployments import Deployments
from .resources.insights import Dashboard, Simulation
from .resources.models import Models
from .resources.overrides import OverrideRequests
from .resources.policies import Policies
from .resources.system import System
from .resources.users import Users
from .resources.webhooks import Webhooks
from .types import TokenResponse


class Client:
    """A DriftGuard server's API, one attribute per resource::

        dg = driftguard.Client("http://127.0.0.1:8000")
        dg.login("me@example.com", "my-long-password")
        model = dg.models.create("credit", "1.0", "binary_classification", "high")
        dg.references.upload(model["id"], reference_df)
        evaluation = dg.evaluations.create(model["id"], current_df)

    Every method returns the JSON answer (dicts and lists, shaped as in
    :mod:`driftguard.types`) and raises an :class:`~driftguard.ApiError` subclass, carrying
    the JSON error body, on an error answer.

    Args:
        base_url: the server, e.g. ``https://driftguard.example.com``.
        token: a bearer token, if you have one already (else call :meth:`login`).
        timeout: seconds to wait for an answer (evaluations of large data take a while).
        http: an ``httpx.Client`` of your own (proxies, CA certificates, event hooks); its
            ``base_url`` is set to ``base_url``. The caller closes it.
    """

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        timeout: float = 60.0,
        http: httpx.Client | None = None,
    ) -> None:
        self._owns_http = http is None
        if http is None:
            http = httpx.Client(timeout=timeout)
        http.base_url = httpx.URL(base_url)
        self._transport = Transport(http, token)
        self.auth = Auth(self._transport)
        self.users = Users(self._transport)
        self.models = Models(self._transport)
        self.references = References(self._transport)
        self.evaluations = Evaluations(self._transport)
        self.deployments = Deployments(self._transport)
        self.override_requests = OverrideRequests(self._transport)
        self.policies = Policies(self._transport)
        self.dashboard = Dashboard(self._transport)
        self.simulation = Simulation(self._transport)
        self.system = System(self._transport)
        self.webhooks = Webhooks(self._transport)

    @classmethod
    def from_env(cls) -> Client:
        """A client from ``DRIFTGUARD_URL`` and ``DRIFTGUARD_TOKEN`` (for pipelines), or
        signed in with ``DRIFTGUARD_EMAIL`` and ``DRIFTGUARD_PASSWORD`` when no token is set."""
        client = cls(os.environ["DRIFTGUARD_URL"], token=os.environ.get("DRIFTGUARD_TOKEN"))
        if client.token is None and "DRIFTGUARD_EMAIL" in os.environ:
            client.login(os.environ["DRIFTGUARD_EMAIL"], os.environ["DRIFTGUARD_PASSWORD"])
        return client

    @property
    def token(self) -> str | None:
        """The bearer token sent with every request (``None`` before signing in)."""
        return self._transport.token

    @token.setter
    def token(self, value: str | None) -> None:
        self._transport.token = value

    def login(self, email: str, password: str) -> TokenResponse:
        """Signs in and keeps the token (see :meth:`Auth.login`)."""
        return self.auth.login(email, password)

    def close(self) -> None:
        """Closes the connections (not those of an ``httpx.Client`` passed in)."""
        if self._owns_http:
            self._transport.http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
