"""``make run`` end to end on a fresh (temporary) clone: demo sample generated, run stored, summary printed."""

from __future__ import annotations

import dagster as dg
import pytest

from pipelines import run_local
from pipelines.jobs import NIGHTLY_JOB_NAME

SNAPSHOT = "2026-11-20"


@pytest.fixture
def fresh_clone(tmp_path, monkeypatch):
    """No demo sample, no Dagster home, no data dir configured: what a newcomer has after ``git clone``
    (the warehouse goes to the temporary folder too, never into the repository's ``warehouse/``)."""
    monkeypatch.setattr(run_local, "DEMO_DIR", tmp_path / "demo")
    monkeypatch.setattr(run_local, "DEMO_PERSONS", 300)
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    monkeypatch.setenv(run_local.DATA_DIR_ENV, "")
    monkeypatch.delenv("SATUPEKERJA_ASSET_STORAGE_DIR", raising=False)
    monkeypatch.setenv("SATUPEKERJA_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    # In a 300-person inbox one blank name is a large share of a small source: let publication through.
    monkeypatch.setenv("SATUPEKERJA_GUARD_MAX_QUARANTINE_FRACTION", "0.5")
    return tmp_path


@pytest.mark.integration
def test_first_run_generates_the_sample_materialises_and_summarises(fresh_clone, capsys):
    exit_code = run_local.main(["--snapshot-date", SNAPSHOT])
    output = capsys.readouterr().out
    assert exit_code == 0, output
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
    monkeypatch.setenv(run_local.DATA_DIR_ENV, str(empty_inbox))
    exit_code = run_local.main(["--snapshot-date", SNAPSHOT])
    output = capsys.readouterr().out
    assert exit_code == 1
    assert "FAILED" in output
    assert "contract_file_rules" in output
    assert not (fresh_clone / "demo").exists(), "an explicit data dir must never trigger the demo generator"


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("2025-12-31", "set SATUPEKERJA_FIRST_SNAPSHOT_DATE to run an older extract"),
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


def test_an_older_extract_runs_as_its_own_partition():
    """``--snapshot-date 2025-06-30`` (before the default first snapshot) moves the first snapshot for the run."""
    import subprocess
    import sys

    code = (
        "from pipelines import run_local; args = run_local._parse_args(['--snapshot-date', '2025-06-30']); "
        "from assets.partitions import snapshot_partitions as p; "
        "print(args.snapshot_date, p.get_first_partition_key(), p.has_partition_key('2025-06-30'))"
    )
    env = {k: v for k, v in __import__("os").environ.items() if k != run_local.FIRST_SNAPSHOT_ENV}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True, cwd=run_local.REPO_ROOT
    )
    assert done.stdout.split() == ["2025-06-30", "2025-06-30", "True"]


def test_the_first_snapshot_is_a_setting():
    from assets.partitions import DEFAULT_FIRST_SNAPSHOT_DATE, first_snapshot_date

    assert run_local.DEFAULT_FIRST_SNAPSHOT_DATE == DEFAULT_FIRST_SNAPSHOT_DATE == first_snapshot_date({})
    assert first_snapshot_date({"SATUPEKERJA_FIRST_SNAPSHOT_DATE": "2025-01-01"}) == "2025-01-01"
    with pytest.raises(ValueError, match="SATUPEKERJA_FIRST_SNAPSHOT_DATE must be a date"):
        first_snapshot_date({"SATUPEKERJA_FIRST_SNAPSHOT_DATE": "30/06/2025"})
