"""The standing fault corpus: shared fixtures.

One small demo sample is generated per session (500 synthetic people); every test injects its fault into a
*copy* of it (``inbox`` fixture) and asserts the documented behaviour: exact line and row accounting, the
previous snapshot intact when a night is held back, and no personal value of the sample in any message,
metadata or log (``scanner``). The table of faults, what the user sees and what is kept is in
``docs/operations.md`` ("Fault corpus").
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

import data_contracts
from data_contracts import RawSource, StandardResult, ValidationReport
from sample_data.generate import GeneratedData, generate_frames, write_sources
from satupekerja.privacy.pseudonyms import PersonalDataScanner, personal_data_scanner

# The tests of this folder share the session sample, so they run in one xdist group (one worker builds it).
SAMPLE_PERSONS = 500
SAMPLE_SEED = 20260101  # every community list has members with this seed
SNAPSHOT = dt.date(2026, 11, 20)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/faults" in str(item.fspath):
            item.add_marker(pytest.mark.xdist_group("fault_corpus"))


@dataclass(frozen=True)
class Sample:
    inbox: Path
    data: GeneratedData


@pytest.fixture(scope="session")
def sample(tmp_path_factory) -> Sample:
    data = generate_frames(SAMPLE_PERSONS, SAMPLE_SEED, SNAPSHOT)
    inbox = tmp_path_factory.mktemp("fault_sample")
    manifest = write_sources(data, inbox)
    assert all(rows for rows in manifest["komunitas_files"].values())
    return Sample(inbox, data)


@pytest.fixture
def inbox(sample, tmp_path) -> Path:
    """A fresh copy of the sample inbox for one test to damage."""
    target = tmp_path / "inbox"
    shutil.copytree(sample.inbox, target, ignore=shutil.ignore_patterns("truth"))
    return target


@pytest.fixture(scope="session")
def contracts() -> dict[str, data_contracts.Contract]:
    return data_contracts.load_contracts()


@pytest.fixture(scope="session")
def scanner(sample) -> PersonalDataScanner:
    """Every NIK, KK, phone and full name of the sample (its sources and its truth)."""
    tables: list[pd.DataFrame] = []
    for table in sample.data.sources.values():
        tables.extend(table.values() if isinstance(table, dict) else [table])
    niks, phones, names = [], [], []
    for table in tables:
        for column in table.columns:
            label = str(column).upper()
            values = table[column].tolist()
            if "NIK" in label or label in ("KK", "NO_KK"):
                niks += values
            elif any(word in label for word in ("HP", "TELP", "WA", "WHATSAPP", "PHONE")):
                phones += values
            elif label.startswith(("NAMA", "NAME")) and not any(w in label for w in ("USAHA", "PANGGILAN")):
                names += values
    truth = sample.data.persons
    return personal_data_scanner(
        niks=[*niks, *truth["nik"], *truth["nik_alt"], *truth["kk"]], phones=phones, names=[*names, *truth["name"]]
    )


@dataclass
class Ingest:
    """One source read, validated and (when it passed) standardised: what the nightly step does."""

    raw: RawSource
    report: ValidationReport
    result: StandardResult | None

    def messages(self) -> str:
        """Every text the step shows: file errors, warnings, row issue reasons, quarantine reasons."""
        parts = [
            *self.report.file_errors,
            *self.report.warnings,
            *self.raw.dropped_files,
            *self.report.row_issues["reason"].astype(str),
        ]
        if self.result is not None:
            parts += self.result.quarantine["reason"].astype(str).tolist()
        return "\n".join(parts)


@pytest.fixture(scope="session")
def regions():
    from matching.normalize import RegionResolver

    return RegionResolver(data_contracts.load_region_reference())


@pytest.fixture
def ingest(contracts, regions):
    def run(source: str, inbox: Path) -> Ingest:
        contract = contracts[source]
        raw = data_contracts.read_source(contract, inbox)
        report = data_contracts.validate_source(contract, raw)
        result = data_contracts.standardise(contract, raw, report, SNAPSHOT, regions) if report.passed else None
        assert_accounted(raw, result)
        return Ingest(raw, report, result)

    return run


def assert_accounted(raw: RawSource, result: StandardResult | None) -> None:
    """The invariant: every physical line is a header, blank, continuation, in a refused file, or a row read;
    every row read is standardised or quarantined."""
    totals = raw.line_totals()
    assert totals["lines_physical"] == (
        totals["lines_header"]
        + totals["lines_blank"]
        + totals["lines_continuation"]
        + totals["lines_file_error"]
        + totals["rows_read"]
    )
    assert totals["rows_read"] == len(raw.frame)
    if result is not None:
        accounting = result.accounting
        assert accounting["rows_read"] == accounting["rows_standardised"] + accounting["rows_quarantined"]
        assert accounting["lines_physical"] == totals["lines_physical"]


def physical_lines(path: Path) -> int:
    data = path.read_bytes()
    ends = data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")
    return ends + (1 if data and not data.endswith((b"\n", b"\r")) else 0)


def no_personal_values(scanner: PersonalDataScanner, text: str) -> None:
    hits = scanner.find(text)
    assert not hits, f"personal values in the text: {sorted(set(hits))} ({len(hits)} hits)"


# -- nights of the pipeline ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Night:
    result: object  # dagster.ExecuteInProcessResult
    inbox: Path
    warehouse: Path

    def metadata_text(self) -> str:
        """Every materialisation's and check's metadata and description, and every event message, as text."""
        import json

        parts: list[str] = []
        for event in self.result.all_events:
            parts.append(event.message or "")
            data = event.event_specific_data
            materialization = getattr(data, "materialization", None)
            evaluation = data if hasattr(data, "check_name") else None
            for holder in (materialization, evaluation):
                metadata = getattr(holder, "metadata", None) or {}
                for key, value in metadata.items():
                    plain = getattr(value, "value", value)
                    text = (
                        json.dumps(plain, default=str, ensure_ascii=False)
                        if isinstance(plain, (str, int, float, bool, list, dict, type(None)))
                        else repr(plain)
                    )
                    parts.append(f"{key}: {text}")
            if evaluation is not None:
                parts.append(evaluation.description or "")
        return "\n".join(parts)


def run_night(inbox: Path, output_dir: Path, snapshot: dt.date, max_quarantine_fraction: float = 0.5) -> Night:
    import dagster as dg

    from assets.catalog import build_all_assets
    from assets.outreach import WebDatabase
    from assets.publication import PublicationGuards
    from assets.resources import (
        EmploymentModelFile,
        MatchingSettingsFile,
        PrivacyResource,
        SourceInbox,
        WarehouseResource,
    )
    from pipelines.io_managers import ParquetIOManager

    warehouse = output_dir / "warehouse"
    result = dg.materialize(
        build_all_assets(),
        partition_key=snapshot.isoformat(),
        resources={
            "io_manager": ParquetIOManager(base_dir=str(output_dir / "asset_storage")),
            "source_inbox": SourceInbox(data_dir=str(inbox)),
            "warehouse": WarehouseResource(root=str(warehouse)),
            "publication_guards": PublicationGuards(max_quarantine_fraction=max_quarantine_fraction),
            "web_database": WebDatabase(url=f"sqlite:///{output_dir / 'web.sqlite'}"),
            "privacy": PrivacyResource(),
            "matching_settings": MatchingSettingsFile(),
            "employment_model": EmploymentModelFile(),
        },
        raise_on_error=False,
    )
    return Night(result, inbox, warehouse)


@pytest.fixture(scope="session")
def first_night(sample, tmp_path_factory) -> Night:
    """The clean sample published as the snapshot of 2026-11-20 (demo mode)."""
    output = tmp_path_factory.mktemp("first_night")
    return run_night(sample.inbox, output, SNAPSHOT)
