"""Every published Parquet file reads with plain ``pd.read_parquet`` and with DuckDB, whatever tier."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from satupekerja.publishing.warehouse import RESTRICTED, Warehouse, read_parquet_frame


def published_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*.parquet") if "_staging" not in path.parts)


def test_every_published_parquet_reads_with_plain_pandas_and_duckdb(published_warehouse: Path) -> None:
    files = published_files(published_warehouse)
    tables = {path.relative_to(published_warehouse).parts[1] for path in files}
    assert {"unified_workers", "uncovered_informal_workers", "worker_links", "coverage_by_area"} <= tables
    for path in files:
        frame = pd.read_parquet(path)
        rows = duckdb.sql(f"SELECT count(*) FROM read_parquet('{path}')").fetchone()[0]
        assert rows == len(frame), path


def test_a_list_column_read_back_by_the_pipeline_still_publishes_readable(tmp_path: Path) -> None:
    """The night's inputs come through the IO manager with list columns as ``pd.ArrowDtype``: publishing them
    must not record that dtype name in the Parquet metadata, which plain pandas cannot parse back."""
    day = dt.date(2025, 6, 30)
    lists = pd.Series([["a:1", "b:2"], ["c:3"]], dtype=pd.ArrowDtype(pa.list_(pa.string())))
    frame = pd.DataFrame({"worker_id": ["W1", "W2"], "record_ids": lists})
    warehouse = Warehouse(tmp_path)
    staged = warehouse.stage(day, "test")
    path = staged.write("unified_workers", frame, RESTRICTED)
    warehouse.publish(staged)
    (published,) = published_files(tmp_path)
    plain = pd.read_parquet(published)
    assert [list(values) for values in plain["record_ids"]] == [["a:1", "b:2"], ["c:3"]]
    assert duckdb.sql(f"SELECT len(record_ids) FROM read_parquet('{published}') ORDER BY worker_id").fetchall() == [
        (2,),
        (1,),
    ]
    assert read_parquet_frame(published)["record_ids"].dtype == lists.dtype
    assert path.name == published.name
