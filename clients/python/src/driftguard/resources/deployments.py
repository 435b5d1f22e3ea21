"""Deploy and retire, the deployment history and the audit chain: ``/models/{id}/deploy``,
``/models/{id}/retire``, ``/models/{id}/deployments``, ``/deployments``, ``/audit/verify``,
``/deployments/{id}/attestation``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from .._routes import route
from ..pagination import MAX_PAGE_SIZE
from ..types import Deployment, DeployResult, Outcome, VerifyReport
from ._base import Resource

DEPLOY = route("POST", "/models/{id}/deploy")
RETIRE = route("POST", "/models/{id}/retire")
FOR_MODEL = route("GET", "/models/{id}/deployments")
LIST = route("GET", "/deployments")
VERIFY = route("GET", "/audit/verify")
ATTESTATION = route("GET", "/deployments/{id}/attestation")


class Deployments(Resource):
    """The governance gate in front of production, and its audit trail."""

    def deploy(
        self,
        model_id: int,
        *,
        environment: str = "production",
        override: bool = False,
        justification: str | None = None,
        notes: str | None = None,
        artifact_digest: str | None = None,
    ) -> DeployResult:
        """Deploys a model version, if its latest evaluation passes the active policies.

        Args:
            override: deploy a failing model anyway (approver or admin), with a
                ``justification`` of at least 20 characters; recorded in the audit trail.
            artifact_digest: ``"sha256:<64 hex digits>"`` of the model artefact deployed, the
                subject of the decision's signed attestation (:meth:`attestation`). Left out,
                the model version's own ``artifact_digest`` is used; when both are given they
                must be equal (422 otherwise).

        Returns:
            ``{"deployment": <history row>, "model": <the model, now deployed>}``.

        Raises:
            GovernanceBlocked: the result is ``fail`` and there is no override (409); its
                ``governance_result`` says why. The attempt is recorded as ``blocked``.
            Forbidden: an override by an engineer (403).
            ValidationError: an override without a long enough justification, or a malformed
                ``artifact_digest`` or one other than the model version's (422).
        """
        body = {
            "environment": environment,
            "override": override,
            "justification": justification,
            "notes": notes,
        }
        if artifact_digest is not None:
            body["artifact_digest"] = artifact_digest
        return self._t.json(DEPLOY, path={"id": model_id}, json=body)

    def retire(self, model_id: int, *, notes: str | None = None) -> DeployResult:
        """Retires a model version (approver); it cannot be deployed again."""
        return self._t.json(RETIRE, path={"id": model_id}, json={"notes": notes})

    def list(
        self,
        skip: int = 0,
        limit: int = 10,
        *,
        outcome: Outcome | None = None,
        environment: str | None = None,
        override_used: bool | None = None,
        since: datetime | str | None = None,
        model_id: int | None = None,
    ) -> dict[str, Any]:
        """One page of the whole history, newest first:
        ``{"deployments": [...], "pagination": {...}}``. ``model_id`` keeps one model's rows,
        readable here even after the model is deleted."""
        filters = _filters(outcome, environment, override_used, since, model_id)
        return self._page(LIST, skip, limit, filters=filters)

    def iter(
        self,
        *,
        page_size: int = MAX_PAGE_SIZE,
        outcome: Outcome | None = None,
        environment: str | None = None,
        override_used: bool | None = None,
        since: datetime | str | None = None,
        model_id: int | None = None,
    ) -> Iterator[Deployment]:
        """Every history row matching the filters, newest first."""
        filters = _filters(outcome, environment, override_used, since, model_id)
        return self._iter(LIST, "deployments", page_size, filters=filters)

    def for_model(self, model_id: int, skip: int = 0, limit: int = 10) -> dict[str, Any]:
        """One page of a model's history, newest first."""
        return self._page(FOR_MODEL, skip, limit, path={"id": model_id})

    def iter_for_model(self, model_id: int, page_size: int = MAX_PAGE_SIZE) -> Iterator[Deployment]:
        """Every history row of a model, newest first."""
        return self._iter(FOR_MODEL, "deployments", page_size, path={"id": model_id})

    def verify(self) -> VerifyReport:
        """Verifies the audit trail's hash chain and signed checkpoints (admin):
        ``{ok, rows_checked, first_invalid_id, head_hash, ...}``."""
        return self._t.json(VERIFY)

    def attestation(self, deployment_id: int) -> dict[str, Any]:
        """The signed attestation of a deploy decision: an in-toto Statement in a DSSE
        envelope, ``{"payload", "payloadType", "signatures": [{"keyid", "sig"}]}``; check it
        with ``driftguard attest verify`` and the keys of :meth:`System.attestation_keys`."""
        return self._t.json(ATTESTATION, path={"id": deployment_id})


def _filters(
    outcome: Outcome | None,
    environment: str | None,
    override_used: bool | None,
    since: datetime | str | None,
    model_id: int | None,
) -> dict[str, Any]:
    return {
        "model_id": model_id,
        "outcome": outcome,
        "environment": environment,
        "override_used": override_used,
        "since": since.isoformat() if isinstance(since, datetime) else since,
    }
