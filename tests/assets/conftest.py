"""A small generated inbox and one materialisation of every asset on it, shared by the asset tests.

Everything lives in pytest's temporary folders: the inbox, the Parquet asset storage, the warehouse, and an
ephemeral Dagster instance (``dagster.materialize`` without an instance). The tests sharing these fixtures run
in one xdist group, so the session fixtures are built once.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

import data_contracts
from assets.catalog import build_all_assets
from assets.outreach import WebDatabase
from assets.publication import PublicationGuards
from assets.resources import EmploymentModelFile, MatchingSettingsFile, PrivacyResource, SourceInbox, WarehouseResource
from pipelines.io_managers import ParquetIOManager
from sample_data.generate import generate

# 500 people with this seed give every community list at least one row (an empty list is a file error).
SAMPLE_PERSONS = 500
SAMPLE_SEED = 20260101
SNAPSHOT = "2026-11-20"
SMALL_SAMPLE_QUARANTINE_LIMIT = 0.5


@dataclass(frozen=True)
class PipelineRun:
    """One materialisation: its result, where it read from, where it stored and published."""

    result: dg.ExecuteInProcessResult
    inbox: Path
    storage: Path
    warehouse: Path

    def materialization(self, asset: str) -> dict[str, object] | None:
        """The plain metadata values of ``asset``'s materialisation in this run, or None if not materialised."""
        for event in self.result.get_asset_materialization_events():
            if event.asset_key == dg.AssetKey(asset):
                return {key: value.value for key, value in event.materialization.metadata.items()}
        return None

    def check(self, asset: str, check_name: str) -> dg.AssetCheckEvaluation:
        [evaluation] = [
            e
            for e in self.result.get_asset_check_evaluations()
            if e.asset_key == dg.AssetKey(asset) and e.check_name == check_name
        ]
        return evaluation

    def stored(self, asset: str, partition_key: str = SNAPSHOT) -> pd.DataFrame:
        return pd.read_parquet(self.storage / asset / f"snapshot_date={partition_key}" / "data.parquet")


def run_pipeline(
    inbox: Path,
    output_dir: Path,
    selection: list[str] | None = None,
    partition_key: str = SNAPSHOT,
    privacy: PrivacyResource | None = None,
) -> PipelineRun:
    """Materialise every asset (or ``selection``) for one partition into ``output_dir``; failures are kept."""
    storage, warehouse = output_dir / "asset_storage", output_dir / "warehouse"
    result = dg.materialize(
        build_all_assets(),
        selection=selection,
        partition_key=partition_key,
        resources={
            "io_manager": ParquetIOManager(base_dir=str(storage)),
            "source_inbox": SourceInbox(data_dir=str(inbox)),
            "warehouse": WarehouseResource(root=str(warehouse)),
            # A small inbox quarantines a large share of its smallest sources: publication must not be held back.
            "publication_guards": PublicationGuards(max_quarantine_fraction=SMALL_SAMPLE_QUARANTINE_LIMIT),
            "web_database": WebDatabase(url=f"sqlite:///{output_dir / 'web.sqlite'}"),
            "privacy": privacy or PrivacyResource(),
            "matching_settings": MatchingSettingsFile(),
            "employment_model": EmploymentModelFile(),
        },
        raise_on_error=False,
    )
    return PipelineRun(result, inbox, storage, warehouse)


@pytest.fixture(scope="session")
def pipeline_runner():
    """:func:`run_pipeline`, for tests that materialise a modified inbox."""
    return run_pipeline


@pytest.fixture(scope="session")
def snapshot() -> str:
    """The partition key every asset test materialises."""
    return SNAPSHOT


@pytest.fixture(scope="session")
def contracts() -> dict[str, data_contracts.Contract]:
    return data_contracts.load_contracts()


@pytest.fixture(scope="session")
def sample_inbox(tmp_path_factory) -> Path:
    inbox = tmp_path_factory.mktemp("inbox")
    manifest = generate(persons=SAMPLE_PERSONS, seed=SAMPLE_SEED, out_dir=inbox, as_of=dt.date.fromisoformat(SNAPSHOT))
    empty_lists = [name for name, rows in manifest["komunitas_files"].items() if rows == 0]
    assert not empty_lists, f"pick another SAMPLE_SEED: the generator wrote empty community lists {empty_lists}"
    return inbox


@pytest.fixture(scope="session")
def manifest(sample_inbox) -> dict:
    return json.loads((sample_inbox / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def pipeline_run(sample_inbox, tmp_path_factory) -> PipelineRun:
    return run_pipeline(sample_inbox, tmp_path_factory.mktemp("outputs"))
