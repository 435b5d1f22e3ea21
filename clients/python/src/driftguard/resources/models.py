"""Model versions: ``/models`` and ``/models/{id}``."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from .._routes import route
from ..pagination import MAX_PAGE_SIZE
from ..types import Compliance, Model, ModelColumns, ModelSort, ModelStatus, RiskTier, Task
from ._base import UNSET, Resource, given

CREATE = route("POST", "/models")
LIST = route("GET", "/models")
GET = route("GET", "/models/{id}")
UPDATE = route("PATCH", "/models/{id}")
DELETE = route("DELETE", "/models/{id}")


class Models(Resource):
    """Register, find, change and delete model versions."""

    def create(
        self,
        name: str,
        version: str,
        task: Task,
        risk_tier: RiskTier,
        *,
        description: str | None = None,
        framework: str | None = None,
        tags: Sequence[str] = (),
        columns: ModelColumns | None = None,
        artifact_digest: str | None = None,
    ) -> Model:
        """Registers a model version (engineer).

        Args:
            name: any printable text, up to 200 characters; ``name`` + ``version`` are unique.
            version: up to 100 characters.
            task: ``binary_classification`` or ``regression``.
            risk_tier: ``low``, ``medium``, ``high`` or ``critical``.
            columns: the roles of its data's columns, e.g. ``{"prediction": "p", "label":
                "y", "score": "s", "sensitive": ["group"]}``; every other column is a feature.
            artifact_digest: ``"sha256:<64 hex digits>"`` of the model artefact: the subject
                of the signed attestation of a deploy that names no digest of its own.

        Raises:
            ValidationError: a field is wrong (422; ``errors`` names it).
            Conflict: this name and version exist already (409).
        """
        body: dict[str, Any] = {
            "name": name,
            "version": version,
            "task": task,
            "risk_tier": risk_tier,
            "description": description,
            "framework": framework,
            "tags": list(tags),
        }
        if columns is not None:
            body["columns"] = columns
        if artifact_digest is not None:
            body["artifact_digest"] = artifact_digest
        return self._t.json(CREATE, json=body)

    def list(
        self,
        skip: int = 0,
        limit: int = 10,
        *,
        status: ModelStatus | None = None,
        risk_tier: RiskTier | None = None,
        q: str | None = None,
        sort: ModelSort | None = None,
        compliance: Compliance | None = None,
    ) -> dict[str, Any]:
        """One page: ``{"models": [...], "pagination": {...}}``.

        Args:
            q: text the name contains (literally, without regard to case).
            sort: ``-created_at`` (default), ``created_at``, ``name``, ``-name``, ``-updated_at``.
            compliance: the latest evaluation's status, ``pass``, ``warn`` or ``fail``, or
                ``unevaluated`` for models never evaluated.
        """
        filters = _filters(status, risk_tier, q, sort, compliance)
        return self._page(LIST, skip, limit, filters=filters)

    def iter(
        self,
        *,
        page_size: int = MAX_PAGE_SIZE,
        status: ModelStatus | None = None,
        risk_tier: RiskTier | None = None,
        q: str | None = None,
        sort: ModelSort | None = None,
        compliance: Compliance | None = None,
    ) -> Iterator[Model]:
        """Every model matching the filters, page after page."""
        filters = _filters(status, risk_tier, q, sort, compliance)
        return self._iter(LIST, "models", page_size, filters=filters)

    def get(self, model_id: int) -> Model:
        """One model version, with its latest evaluation's status and risk score."""
        return self._t.json(GET, path={"id": model_id})

    def update(
        self,
        model_id: int,
        *,
        description: str | None = UNSET,
        task: Task = UNSET,
        risk_tier: RiskTier = UNSET,
        framework: str | None = UNSET,
        tags: Sequence[str] = UNSET,
        columns: ModelColumns = UNSET,
        artifact_digest: str | None = UNSET,
    ) -> Model:
        """Changes the fields given; the others stay (``None`` clears a text field or the
        ``artifact_digest``). Name and version cannot change; the status changes only by
        deploy and retire. Deploys already made keep the digest they recorded."""
        changes = given(
            description=description,
            task=task,
            risk_tier=risk_tier,
            framework=framework,
            tags=tags if tags is UNSET else list(tags),
            columns=columns,
            artifact_digest=artifact_digest,
        )
        return self._t.json(UPDATE, path={"id": model_id}, json=changes)

    def delete(self, model_id: int) -> None:
        """Deletes a model version with its evaluations and reference data (admin). Its
        deployment history stays in the audit trail."""
        self._t.json(DELETE, path={"id": model_id})


def _filters(
    status: ModelStatus | None,
    risk_tier: RiskTier | None,
    q: str | None,
    sort: ModelSort | None,
    compliance: Compliance | None,
) -> dict[str, Any]:
    return {
        "status": status,
        "risk_tier": risk_tier,
        "q": q,
        "sort": sort,
        "compliance": compliance,
    }
