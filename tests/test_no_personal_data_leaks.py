"""No personal data leaks: run the whole pipeline (``make run``'s entry) on a generated sample and look for every
NIK, KK, phone number and full name of the inputs where personal data must never be:

* the Dagster instance's storage (SQLite event log, run storage: every event's message and metadata, run tags
  and config) and captured compute logs, i.e. every file under ``DAGSTER_HOME`` except the asset storage
  (working Parquet, restricted by design);
* the run's stdout and stderr (console log level DEBUG, so every event message is printed);
* the warehouse's analytics tier and the audit log.

The test cannot pass vacuously: it asserts that the run succeeded and stored events, that the scanner sees
the planted values in control strings, and that it finds the inputs' personal data in the restricted tier.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from sample_data.generate import GeneratedData, generate_frames, write_sources
from satupekerja.privacy.pseudonyms import PersonalDataScanner, personal_data_scanner

# One worker runs the whole module under `pytest -n 2 --dist loadgroup`, so the pipeline runs once.
pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("no_personal_data_leaks")]

REPO_ROOT = Path(__file__).resolve().parents[1]
PERSONS = 300
SEED = 20261120
SNAPSHOT = dt.date(2026, 11, 20)
PIPELINE_TIMEOUT_SECONDS = 900

_NIK_COLUMN = re.compile(r"\bNIK\b|^NO_KK$|^KK$", re.IGNORECASE)
_PHONE_COLUMN = re.compile(r"HP|TELP|\bWA\b|WHATSAPP|PHONE", re.IGNORECASE)
_NAME_COLUMN = re.compile(r"^NAMA|^NAME", re.IGNORECASE)
_NOT_A_PERSON_NAME = re.compile(r"USAHA|PERUSAHAAN|PANGGILAN", re.IGNORECASE)
_ASSET_STORAGE = ("storage", "assets")


@dataclass(frozen=True)
class PipelineRun:
    returncode: int
    stdout: str = field(repr=False)
    stderr: str = field(repr=False)
    dagster_home: Path
    warehouse_dir: Path
    inputs: GeneratedData = field(repr=False)


def _source_tables(data: GeneratedData) -> list[pd.DataFrame]:
    tables: list[pd.DataFrame] = []
    for table in data.sources.values():
        tables.extend(table.values() if isinstance(table, dict) else [table])
    return tables


def _values(tables: list[pd.DataFrame], wanted: re.Pattern, unwanted: re.Pattern | None = None) -> list[object]:
    return [
        value
        for table in tables
        for column in table.columns
        if wanted.search(str(column)) and not (unwanted and unwanted.search(str(column)))
        for value in table[column].tolist()
    ]


def inputs_scanner(data: GeneratedData) -> PersonalDataScanner:
    """Every NIK, KK, phone and full name in the generated sources and the ground truth."""
    tables = _source_tables(data)
    truth = data.persons
    return personal_data_scanner(
        niks=[*_values(tables, _NIK_COLUMN), *truth["nik"], *truth["nik_alt"], *truth["kk"]],
        phones=_values(tables, _PHONE_COLUMN),
        names=[*_values(tables, _NAME_COLUMN, _NOT_A_PERSON_NAME), *truth["name"]],
    )


@pytest.fixture(scope="module")
def pipeline_run(tmp_path_factory) -> PipelineRun:
    root = tmp_path_factory.mktemp("leak_check")
    data = generate_frames(PERSONS, SEED, SNAPSHOT)
    write_sources(data, root / "inbox")
    env = {
        **os.environ,
        "SATUPEKERJA_MODE": "demo",
        "SATUPEKERJA_DATA_DIR": str(root / "inbox"),
        "SATUPEKERJA_WAREHOUSE_DIR": str(root / "warehouse"),
        "SATUPEKERJA_EXPORT_DIR": str(root / "exports"),
        "DAGSTER_HOME": str(root / "dagster_home"),
    }
    env.pop("SATUPEKERJA_AUDIT_LOG", None)
    completed = subprocess.run(
        [sys.executable, "-m", "pipelines.run_local", "--snapshot-date", SNAPSHOT.isoformat(), "--log-level", "DEBUG"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=PIPELINE_TIMEOUT_SECONDS,
    )
    return PipelineRun(
        completed.returncode, completed.stdout, completed.stderr, root / "dagster_home", root / "warehouse", data
    )


@pytest.fixture(scope="module")
def scanner(pipeline_run) -> PersonalDataScanner:
    return inputs_scanner(pipeline_run.inputs)


def sqlite_text(path: Path) -> tuple[str, dict[str, int]]:
    """Every text and blob value of every table of a SQLite file, and the row count per table."""
    parts, rows = [], {}
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        tables = [name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            records = connection.execute(f'SELECT * FROM "{table}"').fetchall()
            rows[table] = len(records)
            for record in records:
                for value in record:
                    if isinstance(value, bytes):
                        parts.append(value.decode("utf-8", errors="replace"))
                    elif isinstance(value, str):
                        parts.append(value)
    return "\n".join(parts), rows


def dagster_home_texts(home: Path) -> tuple[dict[str, str], Counter]:
    """Text of every file under ``home`` outside the asset storage, and row counts of every SQLite table."""
    texts: dict[str, str] = {}
    rows: Counter = Counter()
    for path in sorted(p for p in home.rglob("*") if p.is_file()):
        relative = path.relative_to(home)
        if relative.parts[:2] == _ASSET_STORAGE or path.suffix == ".parquet":
            continue
        with path.open("rb") as handle:
            is_sqlite = handle.read(16) == b"SQLite format 3\x00"
        if is_sqlite:
            texts[str(relative)], table_rows = sqlite_text(path)
            rows.update(table_rows)
        else:
            texts[str(relative)] = path.read_bytes().decode("utf-8", errors="replace")
    return texts, rows


def leaks(scanner: PersonalDataScanner, texts: dict[str, str]) -> dict[str, Counter]:
    """``{place: Counter(kind → hits)}`` for every place with a hit; the values themselves are never shown."""
    found = {place: Counter(scanner.find(text)) for place, text in texts.items()}
    return {place: kinds for place, kinds in found.items() if kinds}


def test_the_scanner_sees_the_inputs_personal_data(pipeline_run, scanner):
    persons = pipeline_run.inputs.persons.dropna(subset=["nik"])
    truth = persons[persons["name"].str.contains(" ")].iloc[0]
    phones = _values(_source_tables(pipeline_run.inputs), _PHONE_COLUMN)
    phone = next(str(value) for value in phones if isinstance(value, str) and sum(c.isdigit() for c in value) >= 10)
    control = f'{{"nik": "{truth["nik"]}", "contact": "{phone}", "message": "peserta {truth["name"].lower()}"}}'
    assert sorted(scanner.find(control)) == ["name", "nik", "phone"]
    assert len(scanner.niks) >= PERSONS and len(scanner.phones) >= PERSONS // 3


def test_the_pipeline_ran_and_stored_its_events(pipeline_run):
    assert pipeline_run.returncode == 0, pipeline_run.stderr[-4000:]
    _, rows = dagster_home_texts(pipeline_run.dagster_home)
    assert rows["event_logs"] > 0
    assert rows["runs"] >= 1


def test_no_personal_data_in_the_dagster_event_log_compute_logs_or_run_storage(pipeline_run, scanner):
    texts, _ = dagster_home_texts(pipeline_run.dagster_home)
    assert texts, "nothing stored under DAGSTER_HOME"
    assert leaks(scanner, texts) == {}


def test_no_personal_data_on_stdout_or_stderr(pipeline_run, scanner):
    assert "DEBUG" in pipeline_run.stdout + pipeline_run.stderr  # the console logger printed every event
    assert leaks(scanner, {"stdout": pipeline_run.stdout, "stderr": pipeline_run.stderr}) == {}


def published_texts(warehouse_dir: Path, tier: str) -> dict[str, str]:
    return {
        str(path.relative_to(warehouse_dir)): json.dumps(pq.read_table(path).to_pylist(), default=str)
        for path in sorted((warehouse_dir / tier).rglob("*.parquet"))
    }


def test_no_personal_data_in_the_analytics_tier_or_the_audit_log(pipeline_run, scanner):
    restricted = published_texts(pipeline_run.warehouse_dir, "restricted")
    assert leaks(scanner, restricted), "control: the restricted tier holds the inputs' personal data"
    texts = published_texts(pipeline_run.warehouse_dir, "analytics")
    assert texts, "nothing published in the analytics tier"
    audit_log = pipeline_run.warehouse_dir / "_audit" / "audit.jsonl"
    if audit_log.exists():
        texts["_audit/audit.jsonl"] = audit_log.read_text(encoding="utf-8")
    assert leaks(scanner, texts) == {}


def test_a_leak_planted_in_dagster_storage_is_found_and_asset_storage_is_skipped(tmp_path):
    home = tmp_path / "dagster_home"
    (home / "history" / "runs").mkdir(parents=True)
    with sqlite3.connect(home / "history" / "runs" / "run.db") as connection:
        connection.execute("CREATE TABLE event_logs (id INTEGER, event TEXT, blob BLOB)")
        connection.execute(
            "INSERT INTO event_logs VALUES (1, ?, ?)", ('{"metadata": {"example": "3276015708900001"}}', b"rows=12")
        )
    compute_logs = home / "storage" / "run" / "compute_logs"
    compute_logs.mkdir(parents=True)
    (compute_logs / "step.err").write_text("contact +62 812-3456-7890 failed\n")
    asset_storage = home / "storage" / "assets" / "person_records"
    asset_storage.mkdir(parents=True)
    (asset_storage / "data.json").write_text("SITI AMINAH 3276015708900001")
    scanner = personal_data_scanner(niks=["3276015708900001"], phones=["081234567890"], names=["Siti Aminah"])
    texts, rows = dagster_home_texts(home)
    assert rows["event_logs"] == 1
    assert leaks(scanner, texts) == {
        "history/runs/run.db": Counter({"nik": 1}),
        "storage/run/compute_logs/step.err": Counter({"phone": 1}),
    }
