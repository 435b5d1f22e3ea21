"""Exceptions: every error answer of the API raised with its JSON error body (SPEC §3), and
the errors of the offline gate.

The API answers errors as ``{"detail", "code", "request_id"}``, plus ``errors: [{"field",
"message"}]`` on a 422. :class:`ApiError` carries that body; its subclasses let a caller
catch one kind (``except driftguard.NotFound``). A blocked deploy (409 ``governance_blocked``)
raises :class:`GovernanceBlocked`, which carries the governance result that blocked it.
"""

from __future__ import annotations

from typing import Any

import httpx


class DriftGuardError(Exception):
    """The base of every exception this package raises."""


class ApiError(DriftGuardError):
    """An error answer of the DriftGuard API.

    Attributes:
        status: the HTTP status code.
        body: the whole JSON error body (``{"detail": text}`` when the answer was not JSON,
            e.g. from a proxy in between).
        detail: what went wrong, for a person.
        code: the machine-readable code (``validation_error``, ``not_found``, ...).
        request_id: the request's id, to find its log lines on the server.
        errors: for a 422, the fields at fault as ``[{"field", "message"}]``.
    """

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        self.status = status
        self.body = body
        self.detail: str = str(body.get("detail", ""))
        self.code: str | None = body.get("code")
        self.request_id: str | None = body.get("request_id")
        self.errors: list[dict[str, str]] = list(body.get("errors") or [])
        super().__init__(self._message())

    def _message(self) -> str:
        text = f"{self.status} {self.code or 'error'}: {self.detail}"
        for error in self.errors:
            text += f"\n  {error.get('field')}: {error.get('message')}"
        if self.request_id:
            text += f" (request {self.request_id})"
        return text


class BadRequest(ApiError):
    """400: the body is not valid JSON."""


class Unauthorized(ApiError):
    """401: no token, or a bad, expired or ended one; or a wrong email or password."""


class Forbidden(ApiError):
    """403: the signed-in role is too low for this action."""


class NotFound(ApiError):
    """404: no such resource."""


class Conflict(ApiError):
    """409: a conflict (a taken name + version or email, the model has no reference data)."""


class GovernanceBlocked(Conflict):
    """409 ``governance_blocked``: the governance result is ``fail`` and no valid override
    was given, so the deploy was refused (and recorded as ``blocked``).

    Attributes:
        governance_result: ``{status, risk_score, violations, policy_versions,
            evaluation_id}`` — the result that blocked the deploy.
    """

    @property
    def governance_result(self) -> dict[str, Any]:
        result = self.body.get("governance_result")
        return result if isinstance(result, dict) else {}

    @property
    def violations(self) -> list[dict[str, Any]]:
        """The violated rules (a shortcut into :attr:`governance_result`)."""
        return list(self.governance_result.get("violations") or [])


class PayloadTooLarge(ApiError):
    """413: the body or the data is over a size, row, column or record limit."""


class UnsupportedMediaType(ApiError):
    """415: a content type the route does not take."""


class ValidationError(ApiError):
    """422: well-formed input with wrong values; :attr:`errors` names the fields."""


class RateLimited(ApiError):
    """429: too many requests from this client; :attr:`retry_after` says how many seconds
    to wait."""

    def __init__(self, status: int, body: dict[str, Any], retry_after: float | None) -> None:
        self.retry_after = retry_after
        super().__init__(status, body)


class ServerError(ApiError):
    """5xx: the server failed (its log has the cause under :attr:`request_id`)."""


class Unavailable(ServerError):
    """503: the database is unreachable, or the server is busy (retry later)."""


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    413: PayloadTooLarge,
    415: UnsupportedMediaType,
    422: ValidationError,
    503: Unavailable,
}


def error_from_response(response: httpx.Response) -> ApiError:
    """The exception for an error answer, carrying its JSON body."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        body = {"detail": response.text or response.reason_phrase}
    status = response.status_code
    if status == 429:
        return RateLimited(status, body, _retry_after(response))
    if status == 409 and body.get("code") == "governance_blocked":
        return GovernanceBlocked(status, body)
    kind = _BY_STATUS.get(status, ServerError if status >= 500 else ApiError)
    return kind(status, body)


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return float(response.headers["Retry-After"])
    except (KeyError, ValueError):
        return None


class CheckError(DriftGuardError):
    """The offline gate could not judge: a usage or input error (exit code 2), or no
    ``driftguard`` binary to run.

    Attributes:
        exit_code: the binary's exit code (``None`` when it did not run).
        stderr: what it printed on standard error (the reason).
    """

    def __init__(self, message: str, exit_code: int | None = None, stderr: str = "") -> None:
        self.exit_code = exit_code
        self.stderr = stderr
        super().__init__(message)


class GateFailed(DriftGuardError):
    """Raised by :meth:`driftguard.CheckResult.raise_for_status` when the gate failed.

    Attributes:
        result: the :class:`driftguard.CheckResult`, with the evaluation and its violations.
    """

    def __init__(self, result: Any) -> None:
        self.result = result
        violations = ", ".join(
            f"{v.get('metric')} {v.get('op')} {v.get('threshold')} (observed {v.get('observed')})"
            for v in result.violations
        )
        super().__init__(f"driftguard check: {result.status}: {violations or 'no violations'}")
