"""How data is encoded for an upload, and Parquet uploads against the real server."""

import io
import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import driftguard
from driftguard.frames import PARQUET, encode

FRAME = pd.DataFrame({"age": [31, 45, None], "city": ["Oslo", "Rome", "Lima"]})


def test_dataframes_go_as_parquet_when_pyarrow_is_installed() -> None:
    encoded = encode(FRAME)
    assert (encoded.format, encoded.content_type) == ("parquet", PARQUET)
    back = pq.read_table(io.BytesIO(encoded.data)).to_pandas()
    pd.testing.assert_frame_equal(back, FRAME)


def test_csv_and_json_keep_missing_values_missing() -> None:
    csv = encode(FRAME, "csv")
    assert csv.content_type == "text/csv"
    assert csv.data.decode().splitlines() == ["age,city", "31.0,Oslo", "45.0,Rome", ",Lima"]
    records = encode(FRAME, "json").data
    assert records[2] == {"age": None, "city": "Lima"}
    json.dumps(records, allow_nan=False)


def test_files_bytes_and_python_objects(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text("a,b\n1,2\n")
    assert encode(path).data == b"a,b\n1,2\n"
    assert encode(str(path)).format == "csv"
    assert encode(b"a\n1\n").format == "csv"
    assert encode({"a": [1, 2]}).data == {"columns": {"a": [1, 2]}}
    assert encode([{"a": 1}]).data == [{"a": 1}]
    with pytest.raises(ValueError):
        encode({"a": [1]}, "csv")
    with pytest.raises(ValueError):
        encode(tmp_path / "data.txt")
    with pytest.raises(TypeError):
        encode(42)


def server_takes_parquet(client: driftguard.Client) -> bool:
    document = client.system.openapi()
    body = document["paths"]["/models/{id}/reference"]["put"]["requestBody"]
    return PARQUET in body["content"]


def test_a_parquet_upload_is_the_csv_upload_where_the_server_takes_parquet(
    engineer: driftguard.Client, plain_model: dict, reference_df: pd.DataFrame
) -> None:
    sample = reference_df.head(2000)
    model_id = plain_model["id"]
    if not server_takes_parquet(engineer):
        # A server without Parquet support refuses it with the JSON error body.
        with pytest.raises(driftguard.UnsupportedMediaType) as caught:
            engineer.references.upload(model_id, sample)
        assert caught.value.code == "unsupported_media_type"
        return
    from_parquet = engineer.references.upload(model_id, sample)
    from_csv = engineer.references.upload(model_id, sample, format="csv")
    assert from_parquet["rows"] == from_csv["rows"] == len(sample)
    assert from_parquet["columns"] == from_csv["columns"]
    by_parquet = engineer.evaluations.create(model_id, sample)
    by_csv = engineer.evaluations.create(model_id, sample, format="csv")
    assert by_parquet["metrics"] == pytest.approx(by_csv["metrics"])
