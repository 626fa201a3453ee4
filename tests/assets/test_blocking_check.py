"""The blocking whole-file check: a broken source stops its own standardisation and everything downstream."""

from __future__ import annotations

import csv
import shutil

import dagster as dg
import pytest

from assets.check_names import CONTRACT_FILE_RULES
from pipelines.summary import RunSummary

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("dagster")]

MISSING_COLUMN_SOURCE = "bpjs_kesehatan"
REMOVED_COLUMN = "NIK"
EMPTY_FILE_SOURCE = "umkm"
MISSING_FILE_SOURCE = "pedagang_pasar"
HEALTHY_SOURCE = "bpjs_ketenagakerjaan"
BLANKED_COLUMN = "NAMA"  # not_null in the contract: blank rows are quarantined
BLANKED_ROWS = 3
OPTIONAL_SOURCE = "komunitas"
BROKEN_SOURCES = (MISSING_COLUMN_SOURCE, EMPTY_FILE_SOURCE, MISSING_FILE_SOURCE)


def rewrite_csv(path, settings, edit) -> None:
    """Apply ``edit`` to the CSV's rows (header first), keeping the contract's delimiter and encoding."""
    with path.open(encoding=settings.encoding, newline="") as handle:
        rows = list(csv.reader(handle, delimiter=settings.delimiter))
    with path.open("w", encoding=settings.encoding, newline="") as handle:
        csv.writer(handle, delimiter=settings.delimiter).writerows(edit(rows))


def without_column(column: str):
    def edit(rows: list[list[str]]) -> list[list[str]]:
        position = rows[0].index(column)
        return [[cell for i, cell in enumerate(row) if i != position] for row in rows]

    return edit


def blanking(column: str, count: int):
    def edit(rows: list[list[str]]) -> list[list[str]]:
        position = rows[0].index(column)
        for row in rows[1 : count + 1]:
            row[position] = ""
        for row in rows[count + 1 :]:  # a name the generator itself left empty: only the planted rows are bad
            if not row[position].strip():
                row[position] = "NAMA CONTOH"
        return rows

    return edit


@pytest.fixture(scope="module")
def broken_run(sample_inbox, contracts, pipeline_runner, tmp_path_factory):
    """The sample with one required column removed, one file emptied, one file deleted, a few rows of a healthy
    source blanked where the contract forbids it, and one community list (an optional source) emptied."""
    inbox = tmp_path_factory.mktemp("broken_inbox")
    shutil.copytree(sample_inbox, inbox, dirs_exist_ok=True)
    missing_column = contracts[MISSING_COLUMN_SOURCE]
    assert missing_column.required and missing_column.column(REMOVED_COLUMN).required
    rewrite_csv(inbox / missing_column.read.paths[0], missing_column.read, without_column(REMOVED_COLUMN))
    (inbox / contracts[EMPTY_FILE_SOURCE].read.paths[0]).write_bytes(b"")
    (inbox / contracts[MISSING_FILE_SOURCE].read.paths[0]).unlink()
    healthy = contracts[HEALTHY_SOURCE]
    assert healthy.column(BLANKED_COLUMN).not_null and healthy.column(BLANKED_COLUMN).on_fail == "quarantine"
    rewrite_csv(inbox / healthy.read.paths[0], healthy.read, blanking(BLANKED_COLUMN, BLANKED_ROWS))
    assert not contracts[OPTIONAL_SOURCE].required
    next((inbox / "komunitas").glob("*.csv")).write_text("Nama,No WA\n", encoding="utf-8")
    selection = [
        f"{prefix}_{source}"
        for source in (*BROKEN_SOURCES, HEALTHY_SOURCE, OPTIONAL_SOURCE)
        for prefix in ("raw", "quarantine", "standard")
    ] + ["person_records"]
    return pipeline_runner(inbox, tmp_path_factory.mktemp("broken_outputs"), selection=selection)


def test_run_fails(broken_run):
    assert not broken_run.result.success
    failed = {event.step_key for event in broken_run.result.get_step_failure_events()}
    assert failed == {f"ingest_{source}" for source in BROKEN_SOURCES}


@pytest.mark.parametrize("source", BROKEN_SOURCES)
def test_file_rules_check_fails_and_nothing_is_standardised(broken_run, source):
    evaluation = broken_run.check(f"raw_{source}", CONTRACT_FILE_RULES)
    assert not evaluation.passed
    assert evaluation.metadata["file errors"].value >= 1
    assert broken_run.materialization(f"standard_{source}") is None
    assert broken_run.materialization(f"quarantine_{source}") is None
    assert not (broken_run.storage / f"standard_{source}").exists()


def test_missing_column_error_names_source_and_column(broken_run):
    errors = broken_run.check(f"raw_{MISSING_COLUMN_SOURCE}", CONTRACT_FILE_RULES).metadata["errors"].value
    assert any(MISSING_COLUMN_SOURCE in error or "peserta_jkn" in error for error in errors)
    assert any(REMOVED_COLUMN in error for error in errors)


def test_downstream_of_a_broken_source_does_not_run(broken_run):
    assert broken_run.materialization("person_records") is None
    started = {event.step_key for event in broken_run.result.all_events if event.is_step_start}
    assert f"ingest_{HEALTHY_SOURCE}" in started
    assert "person_records" not in started


def test_healthy_source_is_still_standardised_with_its_bad_rows_quarantined(broken_run, manifest):
    assert broken_run.check(f"raw_{HEALTHY_SOURCE}", CONTRACT_FILE_RULES).passed
    standard = broken_run.materialization(f"standard_{HEALTHY_SOURCE}")
    assert standard["rows read"] == manifest["rows"][HEALTHY_SOURCE]
    assert standard["rows quarantined"] == BLANKED_ROWS
    assert standard["rows standardised"] == standard["rows read"] - BLANKED_ROWS
    quarantine = broken_run.stored(f"quarantine_{HEALTHY_SOURCE}")
    assert list(quarantine["source_row"]) == [2, 3, 4], "CSV lines as the user sees them (header is line 1)"
    assert set(quarantine["columns"]) == {BLANKED_COLUMN}
    [(reason, count)] = broken_run.materialization(f"quarantine_{HEALTHY_SOURCE}")["top reasons"].items()
    assert reason.startswith(f"{BLANKED_COLUMN}: ")
    assert count == BLANKED_ROWS


def test_optional_source_with_a_rejected_file_warns_and_reads_its_other_files(broken_run):
    """An optional multi-file source degrades per file: the bad list is dropped with a WARN naming it, the
    other lists are read (one header-only file used to discard every list of the night)."""
    evaluation = broken_run.check(f"raw_{OPTIONAL_SOURCE}", CONTRACT_FILE_RULES)
    assert not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.WARN
    assert "dilewati / skipped" in str(evaluation.metadata["errors"].value)
    assert f"ingest_{OPTIONAL_SOURCE}" not in {e.step_key for e in broken_run.result.get_step_failure_events()}
    standard = broken_run.materialization(f"standard_{OPTIONAL_SOURCE}")
    assert "skipped" not in standard and standard["rows read"] > 0
    assert len(broken_run.stored(f"standard_{OPTIONAL_SOURCE}")) == standard["rows standardised"]


def test_summary_explains_the_failure(broken_run):
    text = RunSummary.from_result(broken_run.result, elapsed_seconds=1.0).render()
    assert "FAILED" in text
    for source in BROKEN_SOURCES:
        assert f"ingest_{source}" in text
    assert f"raw_{MISSING_COLUMN_SOURCE} {CONTRACT_FILE_RULES}" in text
    assert REMOVED_COLUMN in text
    assert f"[WARN] raw_{OPTIONAL_SOURCE}" in text
