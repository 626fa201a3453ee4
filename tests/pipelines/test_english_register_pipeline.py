"""The English-language register configured with YAML only (sample_data/english_register/contracts/): the
contracts read the generator's exact header, and the whole pipeline publishes without a membership register.

The fixture rows are invented here (the generator, ``python -m sample_data.english_register``, is tested with
its own data); they use the generator's header exactly."""

from __future__ import annotations

import csv
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import data_contracts
from data_contracts.roles import RoleBook
from matching.normalize import RegionResolver

REPO = Path(__file__).resolve().parents[2]
CONTRACTS = REPO / "sample_data" / "english_register" / "contracts"
HEADER = [
    "rec_id",
    "given_name",
    "surname",
    "street_number",
    "address_1",
    "address_2",
    "suburb",
    "postcode",
    "state",
    "date_of_birth",
    "phone_number",
]
PEOPLE = [
    ["rec-1-org", "olivia", "mitchell", "14", "acacia street", "", "carlton", "3053", "vic", "19870214", "0412345678"],
    ["rec-1-dup", "olvia", "mitchell", "14", "acacia st", "unit 2", "carlton", "3053", "vic", "", "0412345678"],
    ["rec-2-org", "jack", "harper", "7", "banksia road", "", "newtown", "2042", "nsw", "19591130", "0298765432"],
    ["rec-3-org", "charlotte", "lawson", "120", "wattle avenue", "", "fremantle", "6160", "wa", "20010301", ""],
    ["rec-3-dup", "lawson", "charlotte", "120", "wattle avenue", "", "fremantle", "6160", "wa", "20010301", ""],
    ["rec-4-org", "noah", "bennett", "3", "jacaranda place", "", "glenelg", "5045", "sa", "19720709", "0433221100"],
]
SNAPSHOT = dt.date(2025, 6, 30)


def write(path: Path, rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)


@pytest.fixture(scope="module")
def inbox(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("english_register")
    write(folder / "register" / "people.csv", PEOPLE)
    write(folder / "linkage" / "file_a.csv", [["a-" + row[0], *row[1:]] for row in PEOPLE[::2]])
    write(folder / "linkage" / "file_b.csv", [["b-" + row[0], *row[1:]] for row in PEOPLE[1::2]])
    return folder


def standard(contracts_dir: Path, inbox: Path) -> dict[str, data_contracts.StandardResult]:
    resolver = RegionResolver(data_contracts.load_region_reference())
    out = {}
    for source, contract in data_contracts.load_contracts(contracts_dir).items():
        raw = data_contracts.read_source(contract, inbox)
        report = data_contracts.validate_source(contract, raw, SNAPSHOT)
        assert report.passed and report.warnings == [], report.file_errors
        out[source] = data_contracts.standardise(contract, raw, report, SNAPSHOT, resolver)
    return out


def test_the_register_contract_maps_the_generator_header(inbox: Path) -> None:
    (result,) = standard(CONTRACTS / "register", inbox).values()
    records = result.records.set_index("record_id")
    rows = {key: result.accounting[key] for key in ("rows_read", "rows_standardised", "rows_quarantined")}
    assert rows == {"rows_read": 6, "rows_standardised": 6, "rows_quarantined": 0}
    assert result.accounting["lines_physical"] == 7  # the header and six rows: every line accounted for
    olivia = records.loc["people:rec-1-org"]
    assert (olivia["name"], olivia["birth_date"]) == ("OLIVIA MITCHELL", pd.Timestamp("1987-02-14"))
    assert (olivia["house_number"], olivia["street"], olivia["locality"], olivia["postcode"], olivia["province"]) == (
        "14",
        "ACACIA STREET",
        "CARLTON",
        "3053",
        "VIC",
    )
    assert olivia["address"] == "14 ACACIA STREET" and olivia["phone"] == "62412345678"
    assert pd.isna(records.loc["people:rec-1-dup", "birth_date"])  # empty date: missing, not an error
    assert records["nik"].isna().all() and records["kelurahan_code"].isna().all()


def test_the_linkage_contracts_read_both_files_the_same_way(inbox: Path) -> None:
    results = standard(CONTRACTS / "linkage", inbox)
    assert sorted(results) == ["file_a", "file_b"]
    assert [len(r.records) for r in results.values()] == [3, 3]
    assert set(results["file_b"].records["name"]) == {"OLVIA MITCHELL", "CHARLOTTE LAWSON", "NOAH BENNETT"}


def test_no_membership_register_is_declared() -> None:
    for folder in ("register", "linkage"):
        book = RoleBook.from_contracts(data_contracts.load_contracts(CONTRACTS / folder))
        assert book.membership_registers == ()


@pytest.mark.integration
def test_the_whole_pipeline_publishes_the_register(inbox: Path, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "SATUPEKERJA_CONTRACTS_DIR": str(CONTRACTS / "register"),
        "SATUPEKERJA_DATA_DIR": str(inbox),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "SATUPEKERJA_WAREHOUSE_DIR": str(tmp_path / "warehouse"),
        "SATUPEKERJA_ASSET_STORAGE_DIR": str(tmp_path / "assets"),
    }
    env.pop("SATUPEKERJA_FIRST_SNAPSHOT_DATE", None)
    done = subprocess.run(
        [sys.executable, "-m", "pipelines.run_local", "--snapshot-date", SNAPSHOT.isoformat()],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-2000:]
    assert "coverage: not computed" in done.stdout
    files = sorted((tmp_path / "warehouse").glob("*/*/snapshot_date=2025-06-30/*.parquet"))
    assert {path.parts[-3] for path in files} >= {"unified_workers", "worker_links", "person_records"}
    unified = pd.read_parquet(next(p for p in files if "restricted" in p.parts and "unified_workers" in p.parts))
    assert set(unified["bpjs_tk_status"]) == {"not_computed"}
    links = pd.read_parquet(next(p for p in files if "restricted" in p.parts and "worker_links" in p.parts))
    assert len(links) == len(PEOPLE) and set(links["worker_id"]) == set(unified["worker_id"])  # every record linked
    for path in files:
        assert duckdb.sql(f"SELECT count(*) FROM read_parquet('{path}')").fetchone()[0] == len(pd.read_parquet(path))


@pytest.mark.integration
def test_the_generated_register_matches_with_f1_of_at_least_099_in_both_variants() -> None:
    """Issue 10's bar, end to end: generator → YAML contracts and matching settings → published worker_links."""
    done = subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "register_bench.py"),
            "--records",
            "5000",
            "--seed",
            "11",
            "--min-f1",
            "0.99",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    rows = [line.split() for line in done.stdout.splitlines() if line.split()[:1] in (["register"], ["linkage"])]
    assert [row[0] for row in rows] == ["register", "linkage"] and all(float(row[-1]) >= 0.99 for row in rows)
