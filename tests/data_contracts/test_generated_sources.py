"""Every contract against a generated sample: it reads, validates, standardises, and its ids match the truth."""

from __future__ import annotations

import pandas as pd
import pytest

from data_contracts import PERSON_SCHEMA, QUARANTINE_COLUMNS, read_source, standardise, validate_source
from data_contracts.contract import PACKAGE_DIR

SOURCES = sorted(path.stem for path in PACKAGE_DIR.glob("*.yaml"))
AS_OF = pd.Timestamp("2026-11-21")


@pytest.fixture(scope="module")
def truth_records(sample_dir) -> pd.DataFrame:
    return pd.read_parquet(sample_dir / "truth" / "records.parquet")


@pytest.mark.parametrize("source", SOURCES)
def test_source_reads_validates_and_standardises(
    source, contracts, sample_dir, sample_manifest, regions, truth_records
):
    contract = contracts[source]
    raw = read_source(contract, sample_dir)
    report = validate_source(contract, raw)
    assert report.file_errors == [] and report.warnings == []
    assert len(raw.frame) == sample_manifest["rows"][source]

    result = standardise(contract, raw, report, AS_OF.date(), regions)
    accounting = result.accounting
    assert accounting["rows_read"] == len(raw.frame)
    assert accounting["rows_read"] == accounting["rows_standardised"] + accounting["rows_quarantined"]
    assert accounting["rows_quarantined"] <= max(1, 0.02 * accounting["rows_read"])  # one blank name in a tiny sheet

    records = result.records
    assert {c: str(t) for c, t in records.dtypes.items()} == {
        c: str(pd.Series(dtype=t).dtype) for c, t in PERSON_SCHEMA.items()
    }
    assert (records["source"] == source).all() and records["record_id"].is_unique
    assert list(result.quarantine.columns) == QUARANTINE_COLUMNS
    expected_ids = set(truth_records.loc[truth_records["source"] == source, "record_id"])
    assert set(records["record_id"]) | set(result.quarantine["record_id"]) == expected_ids
    assert records["name"].notna().all()
    assert (records["birth_date"].dropna() <= AS_OF).all()
    assert report.expectations["unexpected_count"].ge(0).all()
    assert set(report.expectations.columns) == {"expectation", "column", "success", "unexpected_count"}


def test_standard_values_are_normalised(contracts, sample_dir, regions):
    results = {}
    for source in ("bpjs_kesehatan", "bpjs_ketenagakerjaan", "komunitas", "disnaker_pekerja_informal"):
        raw = read_source(contracts[source], sample_dir)
        results[source] = standardise(
            contracts[source], raw, validate_source(contracts[source], raw), AS_OF.date(), regions
        ).records
    assert set(results["bpjs_kesehatan"]["jkn_segment"].dropna()) <= {"PBI_APBN", "PBI_APBD", "PPU", "PBPU", "BP"}
    assert results["bpjs_kesehatan"]["phone"].dropna().str.fullmatch(r"62\d{7,13}").all()
    assert set(results["bpjs_ketenagakerjaan"]["tk_programs"].dropna()) <= {
        "JKK,JKM",
        "JHT,JKK,JKM",
        "JHT,JKK,JKM,JP",
        "JHT,JKK,JKM,JKP,JP",
    }
    assert (results["bpjs_ketenagakerjaan"]["tk_last_paid_month"].dropna().dt.day == 1).all()
    assert set(results["komunitas"]["sector"]) == {"ojol", "kurir"}
    assert results["komunitas"]["record_id"].str.fullmatch(r"komunitas:[a-z0-9_]+:\d+").all()
    assert results["disnaker_pekerja_informal"]["registration_type"].eq("pekerja_informal").all()
    assert results["disnaker_pekerja_informal"]["sector"].notna().all()


@pytest.mark.parametrize("source", SOURCES)
def test_vectorised_row_rules_find_what_the_gx_suite_finds(source, contracts, sample_dir):
    """The generated sample carries every kind of noise: both engines give the same issues and summary."""
    contract = contracts[source]
    raw = read_source(contract, sample_dir)
    fast = validate_source(contract, raw, AS_OF.date())
    reference = validate_source(contract, raw, AS_OF.date(), engine="gx")
    pd.testing.assert_frame_equal(fast.row_issues, reference.row_issues)
    pd.testing.assert_frame_equal(fast.expectations, reference.expectations)
