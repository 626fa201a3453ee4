"""A transient read failure (the database refuses the connection) is retried before the source is rejected."""

from __future__ import annotations

import dagster as dg
import pytest

import data_contracts
from assets.resources import SourceInbox
from assets.sources import build_source_assets
from pipelines.io_managers import ParquetIOManager

pytestmark = [pytest.mark.integration]


def ingest_dukcapil(tmp_path, url_variables: dict[str, str] | None = None) -> tuple[int, dg.AssetCheckEvaluation]:
    """Materialise the Dukcapil source; the number of retries and its file-rules check."""
    result = dg.materialize(
        [build_source_assets(data_contracts.load_contracts()["dukcapil"])],
        partition_key="2026-11-20",
        resources={
            "io_manager": ParquetIOManager(base_dir=str(tmp_path / "storage")),
            "source_inbox": SourceInbox(
                data_dir=str(tmp_path),
                source_url_variables=url_variables or {},
                read_retries=2,
                read_retry_seconds=0,
            ),
        },
        raise_on_error=False,
    )
    retries = [event for event in result.all_events if event.event_type == dg.DagsterEventType.STEP_UP_FOR_RETRY]
    [check] = result.get_asset_check_evaluations()
    return len(retries), check


def test_an_unreachable_database_is_retried_then_fails_the_file_rules_check(tmp_path, monkeypatch):
    monkeypatch.setenv("SATUPEKERJA_SOURCE_DUKCAPIL_URL", "postgresql+psycopg2://postgres@127.0.0.1:1/test")

    retries, check = ingest_dukcapil(tmp_path, {"dukcapil": "SATUPEKERJA_SOURCE_DUKCAPIL_URL"})

    assert retries == 2
    assert not check.passed
    assert "OperationalError" in check.metadata["errors"].value[0]


def test_a_missing_database_file_is_not_retried(tmp_path):
    retries, check = ingest_dukcapil(tmp_path)  # the empty inbox has no dukcapil/dukcapil.sqlite

    assert retries == 0
    assert "database file not found" in check.metadata["errors"].value[0]
