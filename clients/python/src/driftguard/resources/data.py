"""Reference data and evaluations: ``/models/{id}/reference``, ``/models/{id}/reference/
uploads``, ``/models/{id}/evaluations`` and ``/evaluations/{id}``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .._routes import route
from ..frames import encode
from ..pagination import MAX_PAGE_SIZE
from ..types import (
    ColumnKind,
    DataFormat,
    DriftMethod,
    Evaluation,
    ModelColumns,
    ReferenceProfile,
)
from ._base import Resource

PUT_REFERENCE = route("PUT", "/models/{id}/reference")
GET_REFERENCE = route("GET", "/models/{id}/reference")
REFERENCE_UPLOADS = route("GET", "/models/{id}/reference/uploads")
EVALUATE = route("POST", "/models/{id}/evaluations")
LIST_EVALUATIONS = route("GET", "/models/{id}/evaluations")
GET_EVALUATION = route("GET", "/evaluations/{id}")


def _pairs(mapping: Mapping[str, str] | None) -> str | None:
    """``{"a": "x", "b": "y"}`` as the query string's ``a:x,b:y``."""
    return ",".join(f"{k}:{v}" for k, v in mapping.items()) if mapping else None


class References(Resource):
    """A model version's reference data: the data it was trained or validated on."""

    def upload(
        self,
        model_id: int,
        data: Any,
        *,
        kinds: Mapping[str, ColumnKind] | None = None,
        format: DataFormat | None = None,
    ) -> ReferenceProfile:
        """Uploads (or replaces) the reference data (engineer).

        Args:
            data: a pandas DataFrame (sent as Parquet when pyarrow is installed, else CSV),
                a ``.csv``/``.parquet``/``.json`` file path, CSV bytes, ``{column: [values]}``
                or a list of records (see :func:`driftguard.frames.encode`).
            kinds: column kinds to force, e.g. ``{"zip": "categorical"}``; the others are
                inferred (numeric when every value is a number and there are more than 5
                distinct values).
            format: ``"parquet"``, ``"csv"`` or ``"json"``, to choose the encoding.

        Returns:
            The profile: ``{model_id, rows, columns: [{name, kind, missing}], sha256,
            uploaded_at}``.

        Raises:
            PayloadTooLarge: over the server's size, row or column limit (413).
            UnsupportedMediaType: a format the server does not take (415).
        """
        encoded = encode(data, format)
        if encoded.format == "json":
            body = {"data": encoded.data, "kinds": dict(kinds or {})}
            return self._t.json(PUT_REFERENCE, path={"id": model_id}, json=body)
        return self._t.json(
            PUT_REFERENCE,
            path={"id": model_id},
            params={"kinds": _pairs(kinds)},
            content=encoded.data,
            content_type=encoded.content_type,
        )

    def get(self, model_id: int) -> ReferenceProfile:
        """The reference data's profile (rows, columns, kinds, missing) — not the data."""
        return self._t.json(GET_REFERENCE, path={"id": model_id})

    def uploads(self, model_id: int) -> list[dict[str, Any]]:
        """Every upload of the reference data, replaced ones too, oldest first."""
        return self._t.json(REFERENCE_UPLOADS, path={"id": model_id})["uploads"]


class Evaluations(Resource):
    """Evaluations: current data judged against the reference data and the policies."""

    def create(
        self,
        model_id: int,
        data: Any,
        *,
        drift_method: DriftMethod | None = None,
        drift_threshold: float | None = None,
        column_methods: Mapping[str, DriftMethod] | None = None,
        columns: ModelColumns | None = None,
        format: DataFormat | None = None,
    ) -> Evaluation:
        """Evaluates current data (with the model's predictions, and labels where known)
        and stores the result (engineer).

        Args:
            data: as for :meth:`References.upload`.
            drift_method: one drift method for every column (default: chosen per column as
                Evidently does).
            drift_threshold: one drift threshold for every column.
            column_methods: drift methods by column, e.g. ``{"income": "psi"}``.
            columns: column roles, when they differ from the model's.
            format: ``"parquet"``, ``"csv"`` or ``"json"``.

        Returns:
            The evaluation: ``status`` (pass/warn/fail), ``drift``, ``fairness``,
            ``performance``, ``risk``, ``metrics``, ``violations``, ``skipped_rules``.

        Raises:
            Conflict: the model has no reference data yet (409).
            ValidationError: a column named by the roles is missing, or a bad option (422).
        """
        encoded = encode(data, format)
        if encoded.format == "json":
            body: dict[str, Any] = {"data": encoded.data}
            options = {
                "drift_method": drift_method,
                "drift_threshold": drift_threshold,
                "column_methods": dict(column_methods) if column_methods else None,
                "columns": columns,
            }
            body.update({k: v for k, v in options.items() if v is not None})
            return self._t.json(EVALUATE, path={"id": model_id}, json=body)
        roles: Mapping[str, Any] = columns or {}
        params = {
            "drift_method": drift_method,
            "drift_threshold": drift_threshold,
            "column_methods": _pairs(column_methods),
            **{role: roles.get(role) for role in ("prediction", "label", "score")},
            **{role: roles.get(role) or None for role in ("sensitive", "ignore")},
        }
        return self._t.json(
            EVALUATE,
            path={"id": model_id},
            params=params,
            content=encoded.data,
            content_type=encoded.content_type,
        )

    def list(self, model_id: int, skip: int = 0, limit: int = 10) -> dict[str, Any]:
        """One page of a model's evaluations, newest first:
        ``{"evaluations": [...], "pagination": {...}}``."""
        return self._page(LIST_EVALUATIONS, skip, limit, path={"id": model_id})

    def iter(self, model_id: int, page_size: int = MAX_PAGE_SIZE) -> Iterator[Evaluation]:
        """Every evaluation of a model, newest first."""
        return self._iter(LIST_EVALUATIONS, "evaluations", page_size, path={"id": model_id})

    def get(self, evaluation_id: int) -> Evaluation:
        """One evaluation."""
        return self._t.json(GET_EVALUATION, path={"id": evaluation_id})
