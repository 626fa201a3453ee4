"""``make run`` end to end on a fresh (temporary) clone: demo sample generated, run stored, summary printed."""

from __future__ import annotations

import datetime as dt
import os

import dagster as dg
import pytest

from pipelines import run_local
from pipelines.jobs import NIGHTLY_JOB_NAME
from satupekerja.settings import DATA_DIR_ENV, Settings

SNAPSHOT = "2026-11-20"


@pytest.fixture
def fresh_clone(tmp_path, monkeypatch):
    """No demo sample, no Dagster home, no data dir configured: what a newcomer has after ``git clone``
    (the warehouse goes to the temporary folder too, never into the repository's ``warehouse/``)."""
    monkeypatch.setattr(run_local, "DEMO_DIR", tmp_path / "demo")
    monkeypatch.setattr(run_local, "DEMO_PERSONS", 300)
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    monkeypatch.setenv(DATA_DIR_ENV, "")
    monkeypatch.delenv("SATUPEKERJA_ASSET_STORAGE_DIR", raising=False)
    monkeypatch.setenv("SATUPEKERJA_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    # In a 300-person inbox one blank name is a large share of a small source: let publication through.
    monkeypatch.setenv("SATUPEKERJA_GUARD_MAX_QUARANTINE_FRACTION", "0.5")
    return tmp_path


@pytest.mark.integration
def test_first_run_generates_the_sample_materialises_and_summarises(fresh_clone, capsys):
    before = dict(os.environ)
    exit_code = run_local.main(["--snapshot-date", SNAPSHOT])
    output = capsys.readouterr().out
    assert exit_code == 0, output
    assert dict(os.environ) == before, "make run reads the environment, it does not edit it"
    assert (fresh_clone / "demo" / "manifest.json").is_file()
    assert "Generating the demo sample" in output
    assert f"snapshot {SNAPSHOT}: SUCCESS" in output
    assert "person_records:" in output
    assert "make dev" in output
    assert (fresh_clone / "dagster_home" / "dagster.yaml").is_file()
    with dg.DagsterInstance.from_config(str(fresh_clone / "dagster_home")) as instance:
        [run] = instance.get_runs()
    assert run.job_name == NIGHTLY_JOB_NAME
    assert run.tags["dagster/partition"] == SNAPSHOT
    assert list((fresh_clone / "dagster_home" / "storage" / "assets" / "person_records").iterdir())
    assert (fresh_clone / "warehouse" / "_manifest.json").is_file()


@pytest.mark.integration
def test_failing_run_exits_non_zero_and_says_why(fresh_clone, monkeypatch, capsys):
    empty_inbox = fresh_clone / "empty_inbox"
    empty_inbox.mkdir()
    monkeypatch.setenv(DATA_DIR_ENV, str(empty_inbox))
    exit_code = run_local.main(["--snapshot-date", SNAPSHOT])
    output = capsys.readouterr().out
    assert exit_code == 1
    assert "FAILED" in output
    assert "contract_file_rules" in output
    assert not (fresh_clone / "demo").exists(), "an explicit data dir must never trigger the demo generator"


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("2999-01-01", "after today"),
        ("20-11-2026", "not a date in the form YYYY-MM-DD"),
    ],
)
def test_snapshot_date_outside_the_partitions_is_refused_before_running(fresh_clone, capsys, given, message):
    with pytest.raises(SystemExit) as exit_info:
        run_local.main(["--snapshot-date", given])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
    assert not (fresh_clone / "demo").exists()


def test_an_older_extract_runs_as_its_own_partition(capsys):
    """``--snapshot-date 2025-06-30`` (before the default first snapshot) moves the first snapshot for the run."""
    from pipelines.definitions import build_definitions

    args = run_local._parse_args(["--snapshot-date", "2025-06-30"])
    settings = run_local.settings_for_run(Settings(), args.snapshot_date)
    job = build_definitions(settings).resolve_job_def(NIGHTLY_JOB_NAME)
    assert settings.first_snapshot_date == dt.date(2025, 6, 30)
    assert job.partitions_def.get_first_partition_key() == "2025-06-30"
    assert "First snapshot for this run: 2025-06-30" in capsys.readouterr().err
    later = Settings(first_snapshot_date=dt.date(2025, 1, 1))
    assert run_local.settings_for_run(later, args.snapshot_date) is later, "an earlier first snapshot stays"
