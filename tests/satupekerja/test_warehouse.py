"""Warehouse: layout, reading, atomic and idempotent publication, crash safety, retention removal."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

from satupekerja.publishing import warehouse as warehouse_module
from satupekerja.publishing.warehouse import SnapshotNotFoundError, Warehouse, WarehouseError

NIGHT_1 = date(2026, 11, 20)
NIGHT_2 = date(2026, 11, 21)
REPO_ROOT = Path(__file__).resolve().parents[2]


def workers(night: int, count: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "worker_id": [f"W{night}{i:04d}" for i in range(count)],
            "kelurahan_code": pd.Series(["32.76.03.1010"] * count, dtype="str"),
            "birth_date": pd.to_datetime(["1990-05-17"] * count),
            "uncovered": [i % 2 == 0 for i in range(count)],
        }
    )


def areas(night: int) -> pd.DataFrame:
    return pd.DataFrame({"kecamatan_code": ["32.76.03"], "uncovered_workers": [night * 10]})


def publish_night(warehouse: Warehouse, snapshot_date: date, night: int, count: int, run_id: str = "run") -> None:
    staged = warehouse.stage(snapshot_date, run_id)
    staged.write("unified_workers", workers(night, count))
    staged.write("coverage_by_area", areas(night))
    staged.write("worker_links", pd.DataFrame({"record_id": ["dukcapil:1"], "worker_id": ["W1"]}), tier="restricted")
    warehouse.publish(staged)


def duckdb_rows(warehouse: Warehouse, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse.duckdb_path), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def files_on_disk(warehouse: Warehouse, tier: str = "analytics") -> set[Path]:
    return set((warehouse.root / tier).rglob("*.parquet"))


def files_in_manifest(warehouse: Warehouse, tier: str = "analytics") -> set[Path]:
    return {
        path
        for snapshot in warehouse.snapshots()
        for table in warehouse.tables(tier)
        for path in _files_or_empty(warehouse, table, snapshot, tier)
    }


def _files_or_empty(warehouse: Warehouse, table: str, snapshot: date, tier: str) -> list[Path]:
    try:
        return warehouse.published_files(table, snapshot, tier)
    except SnapshotNotFoundError:
        return []


@pytest.fixture
def warehouse(tmp_path: Path) -> Warehouse:
    return Warehouse(tmp_path / "warehouse")


def test_the_root_is_the_given_folder_else_the_repository_warehouse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from satupekerja.settings import REPO_ROOT

    assert Warehouse(tmp_path / "elsewhere").root == tmp_path / "elsewhere"
    assert Warehouse(tmp_path / "elsewhere").duckdb_path == tmp_path / "elsewhere" / "satupekerja.duckdb"
    monkeypatch.setenv("SATUPEKERJA_WAREHOUSE_DIR", str(tmp_path / "ignored"))
    assert Warehouse().root == REPO_ROOT / "warehouse", "the library never reads the environment"


def test_published_tables_round_trip_with_dtypes(warehouse: Warehouse) -> None:
    publish_night(warehouse, NIGHT_1, night=1, count=3)

    read = warehouse.read("unified_workers")

    pd.testing.assert_frame_equal(read, workers(1, 3), check_dtype=False)
    assert read["kelurahan_code"].dtype == "str"
    assert pd.api.types.is_datetime64_dtype(read["birth_date"])
    assert warehouse.snapshots() == [NIGHT_1]
    assert warehouse.latest_snapshot() == NIGHT_1
    assert warehouse.tables() == ["coverage_by_area", "unified_workers"]
    assert warehouse.tables("restricted") == ["worker_links"]


def test_layout_is_hive_partitioned_and_readable_without_the_warehouse_class(warehouse: Warehouse) -> None:
    publish_night(warehouse, NIGHT_1, night=1, count=3)
    publish_night(warehouse, NIGHT_2, night=2, count=5)

    partitions = sorted(p.name for p in (warehouse.root / "analytics" / "unified_workers").iterdir())
    by_analyst = pd.read_parquet(warehouse.root / "analytics" / "unified_workers")

    assert partitions == ["snapshot_date=2026-11-20", "snapshot_date=2026-11-21"]
    assert by_analyst.groupby(by_analyst["snapshot_date"].astype(str)).size().to_dict() == {
        "2026-11-20": 3,
        "2026-11-21": 5,
    }


def test_read_defaults_to_latest_and_reads_older_snapshots(warehouse: Warehouse) -> None:
    publish_night(warehouse, NIGHT_2, night=2, count=5)
    publish_night(warehouse, NIGHT_1, night=1, count=3)  # a backfill of an older night

    assert warehouse.snapshots() == [NIGHT_1, NIGHT_2]
    assert len(warehouse.read("unified_workers")) == 5
    assert len(warehouse.read("unified_workers", NIGHT_1)) == 3


def test_reading_what_is_not_published_fails_clearly(warehouse: Warehouse) -> None:
    with pytest.raises(SnapshotNotFoundError, match="no snapshot is published"):
        warehouse.read("unified_workers")
    publish_night(warehouse, NIGHT_1, night=1, count=3)
    with pytest.raises(SnapshotNotFoundError, match="snapshot 2026-11-21 is not published"):
        warehouse.read("unified_workers", NIGHT_2)
    with pytest.raises(SnapshotNotFoundError, match="'missing_table'"):
        warehouse.read("missing_table")
    with pytest.raises(SnapshotNotFoundError, match="'worker_links' \\(analytics\\)"):
        warehouse.read("worker_links")
    assert warehouse.latest_snapshot() == NIGHT_1


def test_duckdb_views_show_latest_and_all_snapshots_of_the_analytics_tier_only(warehouse: Warehouse) -> None:
    publish_night(warehouse, NIGHT_1, night=1, count=3)
    publish_night(warehouse, NIGHT_2, night=2, count=5)

    assert duckdb_rows(warehouse, "SELECT count(*) FROM unified_workers") == [(5,)]
    assert duckdb_rows(warehouse, "SELECT snapshot_date, count(*) FROM unified_workers_all GROUP BY 1 ORDER BY 1") == [
        (NIGHT_1, 3),
        (NIGHT_2, 5),
    ]
    assert duckdb_rows(warehouse, "SELECT snapshot_date FROM _snapshots ORDER BY 1") == [(NIGHT_1,), (NIGHT_2,)]
    views = {row[0] for row in duckdb_rows(warehouse, "SELECT view_name FROM duckdb_views() WHERE NOT internal")}
    assert views == {"unified_workers", "unified_workers_all", "coverage_by_area", "coverage_by_area_all"}


def test_restricted_tier_is_owner_only(warehouse: Warehouse) -> None:
    publish_night(warehouse, NIGHT_1, night=1, count=3)

    restricted = warehouse.root / "restricted"
    paths = [restricted, *restricted.rglob("*")]
    modes = {path: stat.S_IMODE(path.stat().st_mode) for path in paths}

    assert all(mode == 0o700 for path, mode in modes.items() if path.is_dir())
    assert [mode for path, mode in modes.items() if path.is_file()] == [0o600]


def test_publishing_the_same_snapshot_again_replaces_it_without_duplicates(warehouse: Warehouse) -> None:
    publish_night(warehouse, NIGHT_1, night=1, count=3, run_id="first")
    publish_night(warehouse, NIGHT_1, night=1, count=4, run_id="rerun")
    publish_night(warehouse, NIGHT_1, night=1, count=4, run_id="rerun")

    assert len(warehouse.read("unified_workers")) == 4
    assert duckdb_rows(warehouse, "SELECT count(*) FROM unified_workers_all") == [(4,)]
    assert len(pd.read_parquet(warehouse.root / "analytics" / "unified_workers")) == 4
    assert files_on_disk(warehouse) == files_in_manifest(warehouse)
    assert files_on_disk(warehouse, "restricted") == files_in_manifest(warehouse, "restricted")
    assert not any((warehouse.root / "_staging").iterdir())


def test_staged_but_unpublished_snapshot_is_invisible(warehouse: Warehouse) -> None:
    publish_night(warehouse, NIGHT_1, night=1, count=3)
    staged = warehouse.stage(NIGHT_2, "crashed-before-publish")
    staged.write("unified_workers", workers(2, 5))

    assert warehouse.snapshots() == [NIGHT_1]
    assert len(warehouse.read("unified_workers")) == 3
    assert duckdb_rows(warehouse, "SELECT count(*) FROM unified_workers_all") == [(3,)]
    assert len(pd.read_parquet(warehouse.root / "analytics" / "unified_workers")) == 3


def test_discard_removes_the_staging_area(warehouse: Warehouse) -> None:
    staged = warehouse.stage(NIGHT_1, "held-back")
    staged.write("unified_workers", workers(1, 3))

    warehouse.discard(staged)

    assert not staged.directory.exists()
    assert warehouse.snapshots() == []
    with pytest.raises(WarehouseError, match="already published or discarded"):
        staged.write("coverage_by_area", areas(1))


def test_publication_is_refused_when_empty_or_already_published(warehouse: Warehouse) -> None:
    with pytest.raises(WarehouseError, match="no tables"):
        warehouse.publish(warehouse.stage(NIGHT_1, "empty"))
    staged = warehouse.stage(NIGHT_1, "run")
    staged.write("unified_workers", workers(1, 3))
    warehouse.publish(staged)
    with pytest.raises(WarehouseError, match="already published"):
        warehouse.publish(staged)


def test_write_validates_names_tiers_and_the_partition_column(warehouse: Warehouse) -> None:
    staged = warehouse.stage(NIGHT_1, "run")
    with pytest.raises(ValueError, match="snake_case"):
        staged.write("Unified Workers", workers(1, 1))
    with pytest.raises(ValueError, match="unknown warehouse tier"):
        staged.write("unified_workers", workers(1, 1), tier="public")
    with pytest.raises(WarehouseError, match="snapshot_date holds dates other than"):
        staged.write("unified_workers", workers(1, 1).assign(snapshot_date=pd.Timestamp(NIGHT_2)))
    staged.write("unified_workers", workers(1, 2).assign(snapshot_date=pd.Timestamp(NIGHT_1)))
    with pytest.raises(WarehouseError, match="already staged"):
        staged.write("unified_workers", workers(1, 2))
    warehouse.publish(staged)
    assert "snapshot_date" not in warehouse.read("unified_workers").columns
    assert duckdb_rows(warehouse, "SELECT DISTINCT snapshot_date FROM unified_workers_all") == [(NIGHT_1,)]


class SimulatedCrash(BaseException):
    """Raised in place of the n-th ``os.replace``: nothing in the warehouse may catch it, like a kill."""


def crash_at_replace(monkeypatch: pytest.MonkeyPatch, crash_at: int) -> None:
    real_replace = os.replace
    calls = {"count": 0}

    def replace(source, target):
        calls["count"] += 1
        if calls["count"] == crash_at:
            raise SimulatedCrash(f"crash at os.replace #{crash_at}")
        real_replace(source, target)

    monkeypatch.setattr(warehouse_module.os, "replace", replace)


# A publication of three tables calls os.replace 5 times: 3 file moves, the manifest (commit point), the DuckDB file.
@pytest.mark.parametrize("crash_at", [1, 2, 3, 4, 5])
def test_a_crash_at_any_replace_leaves_a_whole_readable_snapshot(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch, crash_at: int
) -> None:
    publish_night(warehouse, NIGHT_1, night=1, count=3)
    crash_at_replace(monkeypatch, crash_at)

    with pytest.raises(SimulatedCrash):
        publish_night(warehouse, NIGHT_1, night=2, count=5, run_id="crashing-rerun")
    monkeypatch.undo()

    committed = crash_at >= 5
    expected_night, expected_count = (2, 5) if committed else (1, 3)
    expected_workers = workers(expected_night, expected_count)
    pd.testing.assert_frame_equal(warehouse.read("unified_workers"), expected_workers, check_dtype=False)
    pd.testing.assert_frame_equal(warehouse.read("coverage_by_area"), areas(expected_night), check_dtype=False)
    # The DuckDB file is replaced after the commit: until then it still shows the whole previous snapshot.
    assert duckdb_rows(warehouse, "SELECT count(*), min(worker_id) FROM unified_workers") == [(3, "W10000")]
    assert duckdb_rows(warehouse, "SELECT uncovered_workers FROM coverage_by_area_all") == [(10,)]

    publish_night(warehouse, NIGHT_1, night=3, count=4, run_id="clean-rerun")

    assert duckdb_rows(warehouse, "SELECT count(*), min(worker_id) FROM unified_workers_all") == [(4, "W30000")]
    assert files_on_disk(warehouse) == files_in_manifest(warehouse)
    assert not list(warehouse.root.glob("*.tmp-*"))


def test_a_killed_publication_leaves_the_previous_snapshot(warehouse: Warehouse) -> None:
    """A real SIGKILL at the commit point, in a separate process."""
    publish_night(warehouse, NIGHT_1, night=1, count=3)
    script = textwrap.dedent(
        f"""
        import os, signal
        from datetime import date
        import pandas as pd
        from satupekerja.publishing import warehouse as module

        real_replace = os.replace
        def replace(source, target):
            if str(target).endswith("_manifest.json"):
                os.kill(os.getpid(), signal.SIGKILL)
            real_replace(source, target)
        module.os.replace = replace

        warehouse = module.Warehouse({str(warehouse.root)!r})
        staged = warehouse.stage(date(2026, 11, 21), "killed")
        staged.write("unified_workers", pd.DataFrame({{"worker_id": ["X"] * 7}}))
        warehouse.publish(staged)
        """
    )
    completed = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, timeout=120)

    assert completed.returncode == -signal.SIGKILL, completed.stderr.decode()
    assert warehouse.snapshots() == [NIGHT_1]
    assert len(warehouse.read("unified_workers")) == 3
    assert duckdb_rows(warehouse, "SELECT count(*) FROM unified_workers_all") == [(3,)]


def test_stale_staging_areas_are_collected_on_the_next_publication(warehouse: Warehouse) -> None:
    abandoned = warehouse.stage(NIGHT_1, "abandoned")
    abandoned.write("unified_workers", workers(1, 3))
    long_ago = 0
    for path in [abandoned.directory, *abandoned.directory.rglob("*")]:
        os.utime(path, (long_ago, long_ago))
    recent = warehouse.stage(NIGHT_2, "still-running")
    recent.write("unified_workers", workers(2, 3))

    publish_night(warehouse, NIGHT_1, night=1, count=3)

    assert not abandoned.directory.exists()
    assert recent.directory.exists()


def test_remove_snapshot_unpublishes_and_deletes_its_files(warehouse: Warehouse) -> None:
    publish_night(warehouse, NIGHT_1, night=1, count=3)
    publish_night(warehouse, NIGHT_2, night=2, count=5)

    warehouse.remove_snapshot(NIGHT_1)

    assert warehouse.snapshots() == [NIGHT_2]
    assert not (warehouse.root / "analytics" / "unified_workers" / "snapshot_date=2026-11-20").exists()
    assert not (warehouse.root / "restricted" / "worker_links" / "snapshot_date=2026-11-20").exists()
    assert duckdb_rows(warehouse, "SELECT DISTINCT snapshot_date FROM unified_workers_all") == [(NIGHT_2,)]
    with pytest.raises(SnapshotNotFoundError, match="2026-11-20"):
        warehouse.remove_snapshot(NIGHT_1)

    warehouse.remove_snapshot(NIGHT_2)

    assert warehouse.latest_snapshot() is None
    assert files_on_disk(warehouse) == set()
    assert duckdb_rows(warehouse, "SELECT count(*) FROM duckdb_views() WHERE NOT internal") == [(0,)]


def test_refresh_duckdb_rebuilds_views_from_the_manifest(warehouse: Warehouse) -> None:
    publish_night(warehouse, NIGHT_1, night=1, count=3)
    warehouse.duckdb_path.unlink()

    warehouse.refresh_duckdb()

    assert duckdb_rows(warehouse, "SELECT count(*) FROM unified_workers") == [(3,)]


def test_list_columns_round_trip(warehouse: Warehouse) -> None:
    """unified_workers carries the linked record ids as a list column; it must read back as lists."""
    frame = pd.DataFrame({"worker_id": ["W1", "W2"], "record_ids": [["a:1", "b:2"], ["c:3"]]})
    frame["record_ids"] = frame["record_ids"].astype(pd.ArrowDtype(pa.list_(pa.string())))
    staged = warehouse.stage(date(2026, 11, 1), "run")
    staged.write("unified_workers", frame, tier="restricted")
    warehouse.publish(staged)

    back = warehouse.read("unified_workers", tier="restricted")

    assert [list(ids) for ids in back["record_ids"]] == [["a:1", "b:2"], ["c:3"]]


def test_the_duckdb_command_analysts_use_opens_the_warehouse(warehouse: Warehouse) -> None:
    """`duckdb warehouse/satupekerja.duckdb` (the duckdb-cli package in the venv) reads the views we write."""
    import shutil

    cli = shutil.which("duckdb", path=str(Path(sys.executable).parent))
    assert cli is not None, "the duckdb-cli package is a dependency: its `duckdb` command must be in the venv"
    publish_night(warehouse, NIGHT_1, night=1, count=3)

    result = subprocess.run(
        [cli, "-readonly", "-csv", str(warehouse.duckdb_path), "-c", "select count(*) as n from unified_workers"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )

    assert result.stdout.split() == ["n", "3"]
