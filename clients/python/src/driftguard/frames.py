"""Data for uploads (reference data, current data for an evaluation): a pandas DataFrame, a
file, CSV text or bytes, or columns and records as Python objects, encoded as one of the
bodies the API takes.

DataFrames go as Parquet (``application/vnd.apache.parquet``) when pyarrow is installed —
compact, typed, and read by the server without a text round trip — else as CSV. ``format=``
chooses explicitly: ``"parquet"``, ``"csv"`` or ``"json"``.
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .types import DataFormat

PARQUET = "application/vnd.apache.parquet"
CSV = "text/csv"
JSON = "application/json"

_CONTENT_TYPES: dict[str, str] = {"parquet": PARQUET, "csv": CSV, "json": JSON}
_SUFFIXES: dict[str, str] = {".parquet": "parquet", ".csv": "csv", ".json": "json"}


@dataclass(frozen=True)
class Encoded:
    """A dataset ready to send. ``data`` is raw bytes for CSV and Parquet, and the JSON
    value of the envelope's ``data`` field for JSON."""

    format: DataFormat
    data: Any

    @property
    def content_type(self) -> str:
        return _CONTENT_TYPES[self.format]


def parquet_available() -> bool:
    """Whether pyarrow is installed, which makes Parquet the DataFrames' default."""
    return importlib.util.find_spec("pyarrow") is not None


def encode(data: Any, format: DataFormat | None = None) -> Encoded:
    """Encodes ``data`` for an upload.

    Args:
        data: a pandas DataFrame; a path (``str`` or :class:`os.PathLike`) to a ``.csv``,
            ``.parquet`` or ``.json`` file, sent as it is; CSV as ``bytes``; columns as a
            mapping ``{name: [values]}``; or records as a list of mappings.
        format: ``"parquet"``, ``"csv"`` or ``"json"``. Default: Parquet for a DataFrame when
            pyarrow is installed (else CSV), a file's own format, JSON for Python objects.
    """
    if is_dataframe(data):
        return _encode_frame(data, format or ("parquet" if parquet_available() else "csv"))
    if isinstance(data, (str, os.PathLike)):
        return _encode_file(Path(data), format)
    if isinstance(data, (bytes, bytearray)):
        kind = _allowed(format or "csv", ("csv", "parquet"), "bytes")
        return Encoded(kind, bytes(data))
    if isinstance(data, Mapping):
        return Encoded(_allowed(format or "json", ("json",), "columns"), {"columns": dict(data)})
    if isinstance(data, list):
        return Encoded(_allowed(format or "json", ("json",), "records"), data)
    raise TypeError(
        "data must be a pandas DataFrame, a file path, CSV bytes, a mapping of columns or a "
        f"list of records, not {type(data).__name__}"
    )


def _allowed(format: str, allowed: tuple[DataFormat, ...], what: str) -> DataFormat:
    for kind in allowed:
        if format == kind:
            return kind
    raise ValueError(f"{what} can be sent as {' or '.join(allowed)}, not {format!r}")


def is_dataframe(data: Any) -> bool:
    """Whether ``data`` is a pandas DataFrame (checked by name, so that pandas stays an
    optional dependency)."""
    return any(
        cls.__name__ == "DataFrame" and cls.__module__.startswith("pandas")
        for cls in type(data).__mro__
    )


def _encode_frame(frame: Any, format: str) -> Encoded:
    if format == "parquet":
        buffer = io.BytesIO()
        frame.to_parquet(buffer, index=False)
        return Encoded("parquet", buffer.getvalue())
    if format == "csv":
        return Encoded("csv", frame.to_csv(index=False).encode("utf-8"))
    if format == "json":
        # Records through pandas' own JSON writer, which writes NaN as null (missing to the
        # API); json.dumps would write NaN, which is not JSON.
        return Encoded("json", json.loads(frame.to_json(orient="records")))
    raise ValueError(f"format must be parquet, csv or json, not {format!r}")


def _encode_file(path: Path, format: DataFormat | None) -> Encoded:
    kind = format or _SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise ValueError(
            f"{path}: name the format (format=...) of a file not ending in .csv, .parquet or .json"
        )
    kind = _allowed(kind, ("parquet", "csv", "json"), "a file")
    raw = path.read_bytes()
    if kind == "json":
        return Encoded("json", json.loads(raw))
    return Encoded(kind, raw)
