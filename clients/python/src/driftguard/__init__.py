"""DriftGuard's Python client: the HTTP API of a DriftGuard server (:class:`Client`) and the
offline gate (:func:`check`).

    import driftguard
    dg = driftguard.Client("http://127.0.0.1:8000")
    dg.login("me@example.com", "my-long-password")

    result = driftguard.check(reference_df, current_df, label="y", prediction="p")
    result.raise_for_status()
"""

from ._routes import ROUTES, Route
from .client import Client
from .errors import (
    ApiError,
    BadRequest,
    CheckError,
    Conflict,
    DriftGuardError,
    Forbidden,
    GateFailed,
    GovernanceBlocked,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    ServerError,
    Unauthorized,
    Unavailable,
    UnsupportedMediaType,
    ValidationError,
)
from .gate import CheckResult, check
from .resources.policies import draft as policy_draft
from .resources.webhooks import verify_signature

__all__ = [
    "ROUTES",
    "ApiError",
    "BadRequest",
    "CheckError",
    "CheckResult",
    "Client",
    "Conflict",
    "DriftGuardError",
    "Forbidden",
    "GateFailed",
    "GovernanceBlocked",
    "NotFound",
    "PayloadTooLarge",
    "RateLimited",
    "Route",
    "ServerError",
    "Unauthorized",
    "Unavailable",
    "UnsupportedMediaType",
    "ValidationError",
    "check",
    "policy_draft",
    "verify_signature",
]
