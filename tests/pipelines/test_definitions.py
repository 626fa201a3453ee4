"""The code location loads, covers every contract, and passes Dagster's own validation."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

import data_contracts
from assets.check_names import CONTRACT_FILE_RULES
from assets.partitions import snapshot_partitions
from assets.sources import contract_version
from pipelines import definitions
from pipelines.definitions import definitions_in, defs, env_or_default
from pipelines.io_managers import ParquetIOManager
from pipelines.jobs import NIGHTLY_JOB_NAME

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def asset_graph():
    return defs.resolve_asset_graph()


def test_every_contract_has_its_raw_quarantine_and_standard_assets(asset_graph):
    keys = {key.to_user_string() for key in asset_graph.get_all_asset_keys()}
    for source in data_contracts.load_contracts():
        assert {f"raw_{source}", f"quarantine_{source}", f"standard_{source}"} <= keys
    assert "person_records" in keys


def test_every_asset_is_partitioned_by_snapshot_date(asset_graph):
    for key in asset_graph.get_all_asset_keys():
        assert asset_graph.get(key).partitions_def == snapshot_partitions, key


def test_each_raw_asset_carries_the_blocking_file_rules_check(asset_graph):
    for source in data_contracts.load_contracts():
        check_key = dg.AssetCheckKey(dg.AssetKey(f"raw_{source}"), CONTRACT_FILE_RULES)
        assert asset_graph.get_check_spec(check_key).blocking, source


def test_person_records_reads_every_standard_asset(asset_graph):
    parents = {key.to_user_string() for key in asset_graph.get(dg.AssetKey("person_records")).parent_keys}
    assert parents == {f"standard_{source}" for source in data_contracts.load_contracts()}


def test_nightly_job_selects_every_asset(asset_graph):
    job = defs.resolve_job_def(NIGHTLY_JOB_NAME)
    assert job.partitions_def == snapshot_partitions
    assert set(job.asset_layer.executable_asset_keys) == set(asset_graph.get_all_asset_keys())


def test_io_manager_is_the_parquet_io_manager():
    assert isinstance(defs.resources["io_manager"], ParquetIOManager)


def test_env_or_default_reads_through_envvar_only_when_set(monkeypatch):
    monkeypatch.setenv("SATUPEKERJA_TEST_SETTING", "/data/inbox")
    assert env_or_default("SATUPEKERJA_TEST_SETTING") == dg.EnvVar("SATUPEKERJA_TEST_SETTING")
    monkeypatch.delenv("SATUPEKERJA_TEST_SETTING")
    assert env_or_default("SATUPEKERJA_TEST_SETTING") is None


def test_definitions_in_collects_definitions_from_an_existing_module(tmp_path, monkeypatch):
    (tmp_path / "ops_schedules_for_test.py").write_text(
        "import dagster as dg\n"
        "nightly = dg.ScheduleDefinition(name='nightly', cron_schedule='0 2 * * *', target=dg.AssetSelection.all())\n"
        "NOT_A_SCHEDULE = 'nightly'\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    [schedule] = definitions_in("ops_schedules_for_test", dg.ScheduleDefinition)
    assert schedule.name == "nightly"
    assert definitions_in("no_such_module_for_test", dg.ScheduleDefinition) == []


def test_paths_come_from_environment_variables_when_set(monkeypatch, tmp_path):
    monkeypatch.setenv(definitions.ASSET_STORAGE_ENV, str(tmp_path / "storage"))
    monkeypatch.setenv(definitions.DATA_DIR_ENV, str(tmp_path / "inbox"))
    try:
        reloaded = importlib.reload(definitions).defs
        storage, inbox = reloaded.resources["io_manager"].base_dir, reloaded.resources["source_inbox"].data_dir
        assert (storage, inbox) == (dg.EnvVar(definitions.ASSET_STORAGE_ENV), dg.EnvVar(definitions.DATA_DIR_ENV))
        assert (storage.get_value(), inbox.get_value()) == (str(tmp_path / "storage"), str(tmp_path / "inbox"))
    finally:
        monkeypatch.undo()
        importlib.reload(definitions)


def test_dagster_definitions_validate_passes_on_the_project_instance(tmp_path):
    """The CI gate, run against an instance configured by the repository's ``dagster.yaml``."""
    shutil.copyfile(REPO_ROOT / "dagster.yaml", tmp_path / "dagster.yaml")
    completed = subprocess.run(
        [str(Path(sys.executable).with_name("dagster")), "definitions", "validate", "-m", "pipelines.definitions"],
        cwd=REPO_ROOT,
        env={**os.environ, "DAGSTER_HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_source_assets_are_versioned_by_their_contract_file(asset_graph):
    versions = {
        source: asset_graph.get(dg.AssetKey(f"standard_{source}")).code_version
        for source in data_contracts.load_contracts()
    }
    assert all(versions.values())
    assert len(set(versions.values())) == len(versions), "each contract file has its own version"
    for source in versions:
        assert asset_graph.get(dg.AssetKey(f"raw_{source}")).code_version == versions[source]


def test_contract_version_changes_when_the_contract_file_changes(tmp_path):
    original = data_contracts.load_contracts()["umkm"].path
    copy = tmp_path / original.name
    shutil.copyfile(original, copy)
    before = contract_version(data_contracts.load_contract(copy))
    copy.write_text(copy.read_text(encoding="utf-8") + "\n# reviewed\n", encoding="utf-8")
    assert contract_version(data_contracts.load_contract(copy)) != before
    assert contract_version(data_contracts.load_contract(original)) == contract_version(
        data_contracts.load_contracts()["umkm"]
    )
