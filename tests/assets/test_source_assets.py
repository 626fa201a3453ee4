"""Every asset materialised on a small generated inbox: sources standardised, rows accounted, metadata clean."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from assets.check_names import CONTRACT_FILE_RULES
from data_contracts.schema import PERSON_SCHEMA
from pipelines.summary import RunSummary
from satupekerja.privacy.pseudonyms import personal_data_scanner

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("dagster")]


def test_run_succeeds(pipeline_run):
    failures = [event.step_key for event in pipeline_run.result.get_step_failure_events()]
    assert pipeline_run.result.success, f"failed steps: {failures}"


def test_every_source_passes_file_rules_and_is_standardised_in_the_person_schema(pipeline_run, contracts):
    for source in contracts:
        assert pipeline_run.check(f"raw_{source}", CONTRACT_FILE_RULES).passed, source
        records = pipeline_run.stored(f"standard_{source}")
        assert len(records) > 0, source
        assert {column: str(dtype) for column, dtype in records.dtypes.items()} == PERSON_SCHEMA, source
        assert set(records["source"]) == {source}


def test_rows_read_equal_rows_written_by_the_generator(pipeline_run, contracts, manifest):
    for source in contracts:
        raw = pipeline_run.materialization(f"raw_{source}")
        assert raw["rows read"] == manifest["rows"][source], source


def test_row_accounting_balances_per_source(pipeline_run, contracts):
    for source in contracts:
        standard = pipeline_run.materialization(f"standard_{source}")
        quarantine = pipeline_run.materialization(f"quarantine_{source}")
        assert standard["rows read"] == standard["rows standardised"] + standard["rows quarantined"], source
        assert standard["rows read"] == pipeline_run.materialization(f"raw_{source}")["rows read"], source
        assert len(pipeline_run.stored(f"standard_{source}")) == standard["rows standardised"], source
        assert len(pipeline_run.stored(f"quarantine_{source}")) == standard["rows quarantined"], source
        assert quarantine["dagster/row_count"] == standard["rows quarantined"], source


def test_quarantine_reasons_name_quarantined_columns_and_count_rows(pipeline_run, contracts):
    for source in contracts:
        stored = pipeline_run.stored(f"quarantine_{source}")
        top = pipeline_run.materialization(f"quarantine_{source}")["top reasons"]
        quarantined_columns = set(stored["columns"].str.split(",").explode())
        for reason, rows in top.items():
            assert reason.split(": ", 1)[0] in quarantined_columns, (source, reason)
            assert 0 < rows <= len(stored), (source, reason)
        assert bool(top) == bool(len(stored)), source


def test_standard_metadata_rates_match_the_records(pipeline_run, contracts):
    for source in contracts:
        records = pipeline_run.stored(f"standard_{source}")
        metadata = pipeline_run.materialization(f"standard_{source}")
        assert metadata["nik validity rate"] == pytest.approx(records["nik_valid"].mean(), abs=1e-4), source
        assert metadata["region resolution rate"] == pytest.approx(
            records["kelurahan_code"].notna().mean(), abs=1e-4
        ), source


def test_person_records_stacks_every_standard_source(pipeline_run, contracts):
    person_records = pipeline_run.stored("person_records")
    expected = {source: len(pipeline_run.stored(f"standard_{source}")) for source in contracts}
    assert person_records["source"].value_counts().to_dict() == expected
    assert person_records["record_id"].is_unique
    assert {column: str(dtype) for column, dtype in person_records.dtypes.items()} == PERSON_SCHEMA
    table = pipeline_run.materialization("person_records")["rows per source"]
    for source, rows in expected.items():
        assert f"| {source} | {rows} |" in table


def test_metadata_holds_no_personal_data(pipeline_run, sample_inbox):
    truth = pd.read_parquet(sample_inbox / "truth" / "persons.parquet")
    records = pipeline_run.stored("person_records")
    scanner = personal_data_scanner(
        niks=[*truth["nik"], *records["nik"], *records["kk"]],
        phones=records["phone"],
        names=[*truth["name"], *records["name"]],
    )
    texts = [
        json.dumps({key: str(value.value) for key, value in event.materialization.metadata.items()})
        for event in pipeline_run.result.get_asset_materialization_events()
    ] + [
        json.dumps({key: str(value.value) for key, value in evaluation.metadata.items()})
        for evaluation in pipeline_run.result.get_asset_check_evaluations()
    ]
    hits = {kind for text in texts for kind in scanner.find(text)}
    assert hits == set()


def test_summary_lists_every_source_and_the_stacked_total(pipeline_run, contracts):
    text = RunSummary.from_result(pipeline_run.result, elapsed_seconds=1.0).render()
    assert "SUCCESS" in text
    for source in contracts:
        assert f"  {source} " in text
    assert f"person_records: {len(pipeline_run.stored('person_records')):,} records" in text
    assert "Failures" not in text
