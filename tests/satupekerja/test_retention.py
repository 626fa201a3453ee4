"""Retention removes exactly what is older than the period, from every place personal data rests, and audits it."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from satupekerja.privacy.audit import AuditLog
from satupekerja.publishing.retention import (
    DEFAULT_RETENTION_DAYS,
    REMOVE_ASSET_PARTITION,
    REMOVE_EXPORT,
    REMOVE_SNAPSHOT,
    REMOVE_STAGING,
    apply_retention,
)
from satupekerja.publishing.warehouse import ANALYTICS, RESTRICTED, STALE_STAGING_AFTER, Warehouse
from satupekerja.settings import RETENTION_DAYS_ENV, Settings

TODAY = date(2026, 11, 21)
KEEP_DAYS = 30
CUTOFF = TODAY - timedelta(days=KEEP_DAYS)
SNAPSHOTS = [CUTOFF - timedelta(days=40), CUTOFF - timedelta(days=1), CUTOFF, CUTOFF + timedelta(days=10), TODAY]


def publish(warehouse: Warehouse, snapshot: date) -> None:
    staged = warehouse.stage(snapshot, run_id=f"run-{snapshot:%Y%m%d}")
    staged.write("unified_workers", pd.DataFrame({"worker_id": ["W1"], "name": ["SITI AMINAH"]}), tier=RESTRICTED)
    staged.write("coverage_by_area", pd.DataFrame({"level": ["kota"], "people": [1]}), tier=ANALYTICS)
    warehouse.publish(staged)


@pytest.fixture(scope="module")
def published_template(tmp_path_factory) -> Path:
    """Published once per module (publishing rebuilds DuckDB each time); each test gets its own copy."""
    root = tmp_path_factory.mktemp("template") / "warehouse"
    template = Warehouse(root)
    for snapshot in SNAPSHOTS:
        publish(template, snapshot)
    return root


@pytest.fixture
def warehouse(published_template: Path, tmp_path: Path) -> Warehouse:
    root = tmp_path / "warehouse"
    shutil.copytree(published_template, root)
    return Warehouse(root)


@pytest.fixture
def audit(tmp_path: Path) -> AuditLog:
    return AuditLog(tmp_path / "audit" / "audit.jsonl")


def audited(audit: AuditLog, action: str) -> list[dict]:
    frame = audit.entries()
    return [json.loads(filters) for filters in frame.loc[frame["action"] == action, "filters"]]


def set_age(path: Path, days: float) -> None:
    stamp = time.time() - days * 86_400
    os.utime(path, (stamp, stamp))


def test_removes_exactly_the_snapshots_older_than_the_period_from_both_tiers(warehouse, audit):
    removed = apply_retention(warehouse, KEEP_DAYS, TODAY, audit)
    assert removed == SNAPSHOTS[:2]
    assert warehouse.snapshots() == SNAPSHOTS[2:]
    for tier in (ANALYTICS, RESTRICTED):
        on_disk = {path.name for path in (warehouse.root / tier).glob("*/snapshot_date=*")}
        assert on_disk == {f"snapshot_date={snapshot.isoformat()}" for snapshot in SNAPSHOTS[2:]}, tier


def test_every_removal_is_audited_and_the_log_verifies(warehouse, audit):
    apply_retention(warehouse, KEEP_DAYS, TODAY, audit)
    logged = audited(audit, REMOVE_SNAPSHOT)
    assert [entry["snapshot_date"] for entry in logged] == [snapshot.isoformat() for snapshot in SNAPSHOTS[:2]]
    assert logged[0]["cutoff"] == CUTOFF.isoformat() and logged[0]["keep_days"] == KEEP_DAYS
    assert audit.verify()


def test_a_second_run_removes_nothing_more(warehouse, audit):
    apply_retention(warehouse, KEEP_DAYS, TODAY, audit)
    assert apply_retention(warehouse, KEEP_DAYS, TODAY, audit) == []
    assert len(audit.entries()) == 2


def test_stale_staging_leftovers_are_removed_and_fresh_ones_kept(warehouse, audit):
    crashed = warehouse.stage(CUTOFF, run_id="crashed")
    crashed.write("unified_workers", pd.DataFrame({"worker_id": ["W1"], "name": ["SITI AMINAH"]}), tier=RESTRICTED)
    running = warehouse.stage(TODAY, run_id="running")
    running.write("unified_workers", pd.DataFrame({"worker_id": ["W1"]}), tier=RESTRICTED)
    stale_days = STALE_STAGING_AFTER.total_seconds() / 86_400 + 1
    for path in [crashed.directory, *crashed.directory.rglob("*")]:
        set_age(path, stale_days)
    apply_retention(warehouse, KEEP_DAYS, TODAY, audit)
    assert not crashed.directory.exists()
    assert running.directory.exists()
    assert [entry["staging"] for entry in audited(audit, REMOVE_STAGING)] == [crashed.directory.name]


def test_old_asset_storage_partitions_are_removed(warehouse, audit, tmp_path):
    storage = tmp_path / "dagster_home" / "storage" / "assets"
    for asset in ("raw_dukcapil", "standard/bpjs_kesehatan"):
        for snapshot in (CUTOFF - timedelta(days=1), CUTOFF):
            partition = storage / asset / f"snapshot_date={snapshot.isoformat()}"
            partition.mkdir(parents=True)
            (partition / "data.parquet").write_bytes(b"PAR1")
    apply_retention(warehouse, KEEP_DAYS, TODAY, audit, asset_storage_dir=storage)
    left = sorted(p.relative_to(storage).as_posix() for p in storage.rglob("snapshot_date=*"))
    assert left == [f"raw_dukcapil/snapshot_date={CUTOFF}", f"standard/bpjs_kesehatan/snapshot_date={CUTOFF}"]
    assert sorted(e["partition"] for e in audited(audit, REMOVE_ASSET_PARTITION)) == [
        f"raw_dukcapil/snapshot_date={CUTOFF - timedelta(days=1)}",
        f"standard/bpjs_kesehatan/snapshot_date={CUTOFF - timedelta(days=1)}",
    ]


def test_old_exports_are_removed_with_their_checksum(warehouse, audit, tmp_path):
    exports = tmp_path / "exports"
    exports.mkdir()
    old, recent = exports / "outreach_beji_old.xlsx", exports / "outreach_beji_recent.xlsx"
    old.write_bytes(b"old export")
    recent.write_bytes(b"recent export")
    days_before_cutoff = (date.today() - CUTOFF).days + 2
    set_age(old, days_before_cutoff)
    set_age(recent, days_before_cutoff - 4)
    apply_retention(warehouse, KEEP_DAYS, TODAY, audit, exports_dir=exports)
    assert not old.exists() and recent.exists()
    (logged,) = audited(audit, REMOVE_EXPORT)
    assert logged["export"] == "outreach_beji_old.xlsx"
    assert logged["sha256"] == hashlib.sha256(b"old export").hexdigest()


def test_retention_days_setting():
    assert Settings.from_env({}).retention_days == DEFAULT_RETENTION_DAYS == 400
    assert Settings.from_env({RETENTION_DAYS_ENV: "90"}).retention_days == 90
    for bad in ("0", "-5", "a year"):
        with pytest.raises(ValueError, match=RETENTION_DAYS_ENV):
            Settings.from_env({RETENTION_DAYS_ENV: bad})


def test_keep_days_below_one_is_refused(warehouse, audit):
    with pytest.raises(ValueError, match="keep_days"):
        apply_retention(warehouse, 0, TODAY, audit)
    assert warehouse.snapshots() == SNAPSHOTS
