"""The code location loads, covers every contract, and passes Dagster's own validation."""

from __future__ import annotations

import datetime as dt
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
from pipelines.definitions import build_definitions, defs
from pipelines.io_managers import ParquetIOManager
from pipelines.jobs import NIGHTLY_JOB_NAME
from pipelines.schedules import NIGHTLY_SCHEDULE_NAME
from pipelines.sensors import FAILURE_SENSOR_NAME, INBOX_SENSOR_NAME
from satupekerja.settings import REPO_ROOT, Settings


@pytest.fixture(scope="module")
def default_defs() -> dg.Definitions:
    return build_definitions(Settings())


@pytest.fixture(scope="module")
def asset_graph(default_defs):
    return default_defs.resolve_asset_graph()


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


def test_nightly_job_selects_every_asset(default_defs, asset_graph):
    job = default_defs.resolve_job_def(NIGHTLY_JOB_NAME)
    assert job.partitions_def == snapshot_partitions
    assert set(job.asset_layer.executable_asset_keys) == set(asset_graph.get_all_asset_keys())


def test_io_manager_is_the_parquet_io_manager(default_defs):
    assert isinstance(default_defs.resources["io_manager"], ParquetIOManager)


def test_the_schedule_and_both_sensors_are_in_the_code_location(default_defs):
    assert default_defs.resolve_schedule_def(NIGHTLY_SCHEDULE_NAME).job_name == NIGHTLY_JOB_NAME
    assert default_defs.resolve_sensor_def(INBOX_SENSOR_NAME).job_name == NIGHTLY_JOB_NAME
    assert default_defs.resolve_sensor_def(FAILURE_SENSOR_NAME).name == FAILURE_SENSOR_NAME


def test_the_first_snapshot_setting_partitions_every_asset_the_job_and_the_schedule():
    built = build_definitions(Settings(first_snapshot_date=dt.date(2025, 6, 30)))
    graph = built.resolve_asset_graph()
    firsts = {graph.get(key).partitions_def.get_first_partition_key() for key in graph.get_all_asset_keys()}
    assert firsts == {"2025-06-30"}
    assert built.resolve_job_def(NIGHTLY_JOB_NAME).partitions_def.get_first_partition_key() == "2025-06-30"
    assert built.resolve_job_def(NIGHTLY_JOB_NAME).partitions_def.has_partition_key("2025-06-30")


def test_variables_the_environment_set_reach_resources_as_envvars(monkeypatch, tmp_path):
    monkeypatch.setenv("SATUPEKERJA_ASSET_STORAGE_DIR", str(tmp_path / "storage"))
    monkeypatch.setenv("SATUPEKERJA_DATA_DIR", str(tmp_path / "inbox"))
    monkeypatch.setenv("SATUPEKERJA_HMAC_KEY", "a-secret-key-of-at-least-32-bytes-long")
    monkeypatch.setenv("SATUPEKERJA_SOURCE_DUKCAPIL_URL", "sqlite:///elsewhere.sqlite")
    monkeypatch.setenv("SATUPEKERJA_GUARD_MAX_QUARANTINE_FRACTION", "0.25")
    monkeypatch.setenv("SATUPEKERJA_EMPLOYMENT_MODEL", str(tmp_path / "employment.yaml"))
    monkeypatch.delenv("SATUPEKERJA_WAREHOUSE_DIR", raising=False)
    monkeypatch.delenv("SATUPEKERJA_MATCHING_SETTINGS", raising=False)
    built = defs()
    storage, inbox = built.resources["io_manager"].base_dir, built.resources["source_inbox"].data_dir
    assert (storage, inbox) == (dg.EnvVar("SATUPEKERJA_ASSET_STORAGE_DIR"), dg.EnvVar("SATUPEKERJA_DATA_DIR"))
    assert (storage.get_value(), inbox.get_value()) == (str(tmp_path / "storage"), str(tmp_path / "inbox"))
    assert built.resources["privacy"].hmac_key == dg.EnvVar("SATUPEKERJA_HMAC_KEY")
    assert built.resources["source_inbox"].source_url_variables == {"dukcapil": "SATUPEKERJA_SOURCE_DUKCAPIL_URL"}
    assert built.resources["publication_guards"].max_quarantine_fraction == 0.25
    assert built.resources["warehouse"].root == str(REPO_ROOT / "warehouse"), "unset: the settings' default"
    assert built.resources["employment_model"].path == dg.EnvVar("SATUPEKERJA_EMPLOYMENT_MODEL")
    assert built.resources["matching_settings"].path == str(REPO_ROOT / "data_contracts" / "matching" / "depok.yaml")


def test_a_bad_setting_stops_the_code_location_naming_the_variable(monkeypatch):
    monkeypatch.setenv("SATUPEKERJA_GUARD_MAX_ROW_DROP_FRACTION", "lots")
    with pytest.raises(ValueError, match="SATUPEKERJA_GUARD_MAX_ROW_DROP_FRACTION"):
        defs()


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
