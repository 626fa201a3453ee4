"""Faults seen by the whole nightly run: the night is held back, the previous snapshot stays published and
whole, and nothing personal reaches the Dagster event log or metadata."""

from __future__ import annotations

import datetime as dt
import shutil

import pandas as pd
import pytest

from pipelines.summary import RunSummary
from satupekerja.publishing.warehouse import ANALYTICS, RESTRICTED, Warehouse
from tests.faults.conftest import SNAPSHOT, no_personal_values, physical_lines, run_night

NEXT_NIGHT = SNAPSHOT + dt.timedelta(days=1)


@pytest.fixture(scope="module")
def stray_quote_night(first_night, sample, tmp_path_factory):
    """Night 2: a stray quote on line 100 of the BPJS Kesehatan file swallows the rest of it."""
    root = tmp_path_factory.mktemp("stray_quote_night")
    inbox = root / "inbox"
    shutil.copytree(sample.inbox, inbox, ignore=shutil.ignore_patterns("truth"))
    shutil.copytree(first_night.warehouse, root / "warehouse")
    path = inbox / "bpjs_kesehatan" / "peserta_jkn_depok.csv"
    lines = path.read_bytes().split(b"\n")
    fields = lines[99].split(b";")
    fields[2] = b'"' + fields[2]
    lines[99] = b";".join(fields)
    path.write_bytes(b"\n".join(lines))
    before = Warehouse(root / "warehouse").read("unified_workers", SNAPSHOT, RESTRICTED)
    return run_night(inbox, root, NEXT_NIGHT), before, physical_lines(path)


def test_the_first_night_publishes_and_says_pseudonyms_are_reversible(first_night):
    assert first_night.result.success
    summary = RunSummary.from_result(first_night.result, elapsed_seconds=1.0).render()
    assert "DAPAT DIBALIK" in summary and "REVERSIBLE" in summary
    assert "Line accounting" in summary and "DOES NOT BALANCE" not in summary
    assert Warehouse(first_night.warehouse).pseudonym_key()["demo"] is True


def test_a_stray_quote_holds_the_night_back_and_keeps_the_previous_snapshot(stray_quote_night, scanner):
    night, before, lines = stray_quote_night
    assert not night.result.success
    warehouse = Warehouse(night.warehouse)
    assert warehouse.latest_snapshot() == SNAPSHOT and warehouse.snapshots() == [SNAPSHOT]
    after = warehouse.read("unified_workers", SNAPSHOT, RESTRICTED)
    pd.testing.assert_frame_equal(before, after)
    standard = next(
        e
        for e in night.result.get_asset_materialization_events()
        if e.asset_key.to_user_string() == "standard_bpjs_kesehatan"
    ).materialization.metadata
    assert standard["lines physical"].value == lines
    assert standard["rows read"].value == lines - 1  # every data line a row: nothing merged
    assert standard["rows quarantined"].value >= lines - 99
    summary = RunSummary.from_result(night.result, elapsed_seconds=1.0).render()
    assert "quarantine_share_within_limit" in summary
    no_personal_values(scanner, night.metadata_text() + summary)


def test_the_night_metadata_of_a_clean_night_holds_no_personal_value(first_night, scanner):
    no_personal_values(scanner, first_night.metadata_text())


def test_a_demo_warehouse_refuses_a_production_key_until_rebuilt(first_night, tmp_path, monkeypatch):
    from assets.publication import DEFAULT_PUBLISHED_TABLES, publish
    from satupekerja.privacy.pseudonyms import load_pseudonymisation_key
    from satupekerja.publishing.warehouse import WarehouseError, previous_stats

    shutil.copytree(first_night.warehouse, tmp_path / "warehouse")
    warehouse = Warehouse(tmp_path / "warehouse")
    tables = {
        table.name: warehouse.read(table.name, SNAPSHOT, RESTRICTED if table.restricted else ANALYTICS)
        for table in DEFAULT_PUBLISHED_TABLES[:1]
    }
    production_key = load_pseudonymisation_key("production", "ab" * 32)
    with pytest.raises(WarehouseError, match="refuses production key"):
        publish(
            warehouse,
            NEXT_NIGHT,
            "run-2",
            DEFAULT_PUBLISHED_TABLES[:1],
            tables,
            previous_stats(warehouse, NEXT_NIGHT),
            production_key,
        )
    assert warehouse.snapshots() == [SNAPSHOT] and not list((tmp_path / "warehouse").glob("_staging/*"))
