"""The analyst warehouse: Parquet hive-partitioned by ``snapshot_date``, published atomically, with DuckDB views.

Layout under the warehouse root (``SATUPEKERJA_WAREHOUSE_DIR``, default ``<repo>/warehouse``)::

    _manifest.json                      the published state: the commit point of every publication
    analytics/<table>/snapshot_date=YYYY-MM-DD/part-<token>.parquet
    restricted/<table>/snapshot_date=YYYY-MM-DD/part-<token>.parquet      (owner-only: 0o700 dirs, 0o600 files)
    _staging/<token>/<tier>/<table>/snapshot_date=YYYY-MM-DD/part-<token>.parquet
    satupekerja.duckdb                  views over the analytics tier, rebuilt from the manifest
    .lock                               serialises publications, removals and garbage collection

A snapshot is staged file by file, then published in one step: the staged files are renamed into their
partition directories under names unique to the staging attempt, and the manifest listing every published
file is replaced with ``os.replace``. Until that replace, the manifest (and so every reader and view, which
are driven by it) shows the previous state; after it, the new one. Files the manifest no longer lists
(superseded runs of the same date, leftovers of a crash, stale staging) are deleted only afterwards, and only
once the DuckDB file has been rebuilt from the new manifest. ``docs/operations.md`` lists the crash points.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from satupekerja.publishing import tables
from satupekerja.publishing.guards import HISTORY_EVENT_DATE, SnapshotStats
from satupekerja.publishing.stored import read_parquet_frame
from satupekerja.settings import DEFAULT_WAREHOUSE_DIR

ANALYTICS = "analytics"
RESTRICTED = "restricted"
TIERS = (ANALYTICS, RESTRICTED)

MANIFEST_NAME = "_manifest.json"
STAGING_DIR_NAME = "_staging"
DUCKDB_NAME = "satupekerja.duckdb"
LOCK_NAME = ".lock"
MANIFEST_FORMAT_VERSION = 1

#: Staging directories untouched for this long belong to crashed runs and are garbage-collected.
STALE_STAGING_AFTER = timedelta(hours=6)

_TABLE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_UNSAFE_TOKEN_CHARS = re.compile(r"[^A-Za-z0-9-]")
_OWNER_ONLY_DIR = 0o700
_OWNER_ONLY_FILE = 0o600


class WarehouseError(RuntimeError):
    """A warehouse operation was used wrongly (closed staging, bad table name, empty publication...)."""


class SnapshotNotFoundError(LookupError):
    """The requested snapshot or table is not published."""


def default_warehouse_dir() -> Path:
    """``<repo>/warehouse``: where the warehouse is unless the caller names another root
    (``Settings.warehouse_dir``, from ``SATUPEKERJA_WAREHOUSE_DIR``)."""
    return DEFAULT_WAREHOUSE_DIR


def partition_dir_name(snapshot_date: date) -> str:
    return f"snapshot_date={snapshot_date.isoformat()}"


@dataclass
class StagedSnapshot:
    """Tables written for one snapshot by one run, not yet visible to readers.

    Obtain one from :meth:`Warehouse.stage`; hand it to :meth:`Warehouse.publish` or :meth:`Warehouse.discard`.
    """

    snapshot_date: date
    run_id: str
    token: str
    directory: Path
    rows: dict[tuple[str, str], int] = field(default_factory=dict)
    closed: bool = False
    pseudonym_key: dict | None = None

    def write(self, table: str, frame: pd.DataFrame, tier: str = ANALYTICS) -> Path:
        """Stage ``frame`` as ``table`` in ``tier``; returns the staged file.

        A ``snapshot_date`` column is the partition key: it is dropped when it holds only this snapshot's date
        and refused otherwise. Datetime columns holding only midnights are stored as Parquet ``date32``.
        """
        if self.closed:
            raise WarehouseError(f"staged snapshot {self.token} is already published or discarded")
        _check_tier(tier)
        _check_table_name(table)
        if (tier, table) in self.rows:
            raise WarehouseError(f"table {table!r} ({tier}) is already staged in {self.token}")
        path = self._staged_path(tier, table)
        _make_dirs(path.parent, restricted=tier == RESTRICTED, top=self.directory)
        pq.write_table(_to_arrow(self._without_partition_column(table, frame)), path)
        if tier == RESTRICTED:
            path.chmod(_OWNER_ONLY_FILE)
        self.rows[(tier, table)] = len(frame)
        return path

    def staged_files(self) -> dict[tuple[str, str], Path]:
        """``(tier, table) → staged file``."""
        return {(tier, table): self._staged_path(tier, table) for tier, table in self.rows}

    def _staged_path(self, tier: str, table: str) -> Path:
        return self.directory / tier / table / partition_dir_name(self.snapshot_date) / f"part-{self.token}.parquet"

    def _without_partition_column(self, table: str, frame: pd.DataFrame) -> pd.DataFrame:
        if "snapshot_date" not in frame.columns:
            return frame
        dates = pd.to_datetime(frame["snapshot_date"]).dt.normalize()
        if not (dates == pd.Timestamp(self.snapshot_date)).all():
            raise WarehouseError(
                f"table {table!r}: column snapshot_date holds dates other than the staged snapshot "
                f"{self.snapshot_date.isoformat()}; it is the partition key and cannot vary within a snapshot"
            )
        return frame.drop(columns="snapshot_date")


class Warehouse:
    """Published analyst outputs: see the module docstring for the layout and the publication protocol."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root).resolve() if root is not None else default_warehouse_dir()
        self.duckdb_path = self.root / DUCKDB_NAME
        self._manifest_path = self.root / MANIFEST_NAME
        self._staging_root = self.root / STAGING_DIR_NAME

    # ----------------------------------------------------------------------------------------- writing

    def stage(self, snapshot_date: date, run_id: str) -> StagedSnapshot:
        """Open a staging area for ``snapshot_date``; unique per call, so retries within one run never collide."""
        token = f"{snapshot_date.strftime('%Y%m%d')}-{_safe_token(run_id)[:36]}-{uuid.uuid4().hex[:8]}"
        directory = self._staging_root / token
        _make_dirs(directory, restricted=False, top=self.root)
        return StagedSnapshot(snapshot_date=_as_date(snapshot_date), run_id=run_id, token=token, directory=directory)

    def publish(self, staged: StagedSnapshot, *, merge: bool = False) -> None:
        """Make ``staged`` the published snapshot for its date, replacing any earlier publication of that date.

        With ``merge=True`` the staged tables are added to the snapshot already published for that date (a
        staged table replaces the published table of the same name and tier; the others stay): for tables
        computed after the night's publication (``outreach_outcomes``). Raises when nothing is published
        for that date.

        Atomic for every reader driven by the manifest (:meth:`read`, the DuckDB views): they see the whole new
        snapshot or the previous state, never a mix. A crash at any point leaves the previous state readable.
        """
        self._check_open(staged)
        if not staged.rows:
            raise WarehouseError(f"staged snapshot {staged.token} has no tables; nothing to publish")
        with self._lock():
            manifest = self._load_manifest()
            if staged.pseudonym_key is not None:
                _check_same_key(manifest, staged.pseudonym_key, self.root)
                manifest["pseudonym_key"] = staged.pseudonym_key
            key = staged.snapshot_date.isoformat()
            if merge and key not in manifest["snapshots"]:
                raise SnapshotNotFoundError(f"snapshot {key} is not published in {self.root}; nothing to merge into")
            files = self._move_into_partitions(staged)
            if merge:
                earlier = manifest["snapshots"][key]["tables"]
                for tier, tables in files.items():
                    earlier.setdefault(tier, {}).update(tables)
                files = earlier
            manifest["snapshots"][key] = {
                "run_id": staged.run_id,
                "token": staged.token,
                "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "tables": files,
            }
            self._commit_manifest(manifest)
            staged.closed = True
            shutil.rmtree(staged.directory, ignore_errors=True)
            self._refresh_duckdb_locked(manifest)
            self._collect_garbage(manifest)

    def pseudonym_key(self) -> dict | None:
        """The key the published analytics tier was pseudonymised with: ``{"demo": bool, "fingerprint": …}``."""
        return self._load_manifest().get("pseudonym_key")

    def check_pseudonym_key(self, key_record: dict) -> None:
        """Raise :class:`WarehouseError` when tonight's key is not the key of the snapshots already published."""
        _check_same_key(self._load_manifest(), key_record, self.root)

    def discard(self, staged: StagedSnapshot) -> None:
        """Drop a staged snapshot without publishing it."""
        self._check_open(staged)
        staged.closed = True
        shutil.rmtree(staged.directory, ignore_errors=True)

    def remove_snapshot(self, snapshot_date: date) -> None:
        """Unpublish ``snapshot_date`` (both tiers) and delete its files: used by retention."""
        key = _as_date(snapshot_date).isoformat()
        with self._lock():
            manifest = self._load_manifest()
            if key not in manifest["snapshots"]:
                raise SnapshotNotFoundError(f"snapshot {key} is not published in {self.root}")
            del manifest["snapshots"][key]
            self._commit_manifest(manifest)
            self._refresh_duckdb_locked(manifest)
            self._collect_garbage(manifest)

    def refresh_duckdb(self) -> None:
        """Rebuild ``satupekerja.duckdb`` from the manifest (temporary file, then ``os.replace``)."""
        with self._lock():
            self._refresh_duckdb_locked(self._load_manifest())

    # ----------------------------------------------------------------------------------------- reading

    def snapshots(self) -> list[date]:
        """Published snapshot dates, ascending."""
        return sorted(date.fromisoformat(key) for key in self._load_manifest()["snapshots"])

    def latest_snapshot(self) -> date | None:
        published = self.snapshots()
        return published[-1] if published else None

    def tables(self, tier: str = ANALYTICS) -> list[str]:
        """Tables of ``tier`` in any published snapshot, sorted."""
        _check_tier(tier)
        snapshots = self._load_manifest()["snapshots"].values()
        return sorted({table for entry in snapshots for table in entry["tables"].get(tier, {})})

    def read(self, table: str, snapshot_date: date | None = None, tier: str = ANALYTICS) -> pd.DataFrame:
        """One published table of one snapshot (default: the latest published snapshot)."""
        _check_tier(tier)
        try:
            return _read_parquet_files(self._published_files(table, snapshot_date, tier))
        except FileNotFoundError:
            # A concurrent re-publication of the same date replaced these files between reading the manifest
            # and opening them: the new manifest names the new files.
            return _read_parquet_files(self._published_files(table, snapshot_date, tier))

    def published_files(self, table: str, snapshot_date: date | None = None, tier: str = ANALYTICS) -> list[Path]:
        """Absolute paths of the Parquet files of a published table (for readers other than pandas)."""
        _check_tier(tier)
        return self._published_files(table, snapshot_date, tier)

    # ----------------------------------------------------------------------------------------- internals

    def _published_files(self, table: str, snapshot_date: date | None, tier: str) -> list[Path]:
        snapshots = self._load_manifest()["snapshots"]
        if not snapshots:
            raise SnapshotNotFoundError(f"no snapshot is published in {self.root}")
        key = _as_date(snapshot_date).isoformat() if snapshot_date is not None else max(snapshots)
        if key not in snapshots:
            raise SnapshotNotFoundError(
                f"snapshot {key} is not published in {self.root}; published: {', '.join(sorted(snapshots))}"
            )
        tier_tables = snapshots[key]["tables"].get(tier, {})
        if table not in tier_tables:
            raise SnapshotNotFoundError(
                f"table {table!r} ({tier}) is not in snapshot {key}; it has: {', '.join(sorted(tier_tables)) or 'none'}"
            )
        return [self.root / relative for relative in tier_tables[table]["files"]]

    def _check_open(self, staged: StagedSnapshot) -> None:
        if staged.closed:
            raise WarehouseError(f"staged snapshot {staged.token} is already published or discarded")
        if staged.directory.parent != self._staging_root:
            raise WarehouseError(f"staged snapshot {staged.token} belongs to another warehouse")

    def _move_into_partitions(self, staged: StagedSnapshot) -> dict[str, dict[str, dict]]:
        """Rename staged files into their partition directories; returns the manifest's ``tables`` entry."""
        tables: dict[str, dict[str, dict]] = {}
        for (tier, table), source in sorted(staged.staged_files().items()):
            partition = self.root / tier / table / partition_dir_name(staged.snapshot_date)
            _make_dirs(partition, restricted=tier == RESTRICTED, top=self.root)
            target = partition / source.name
            os.replace(source, target)
            tables.setdefault(tier, {})[table] = {
                "files": [target.relative_to(self.root).as_posix()],
                "rows": staged.rows[(tier, table)],
            }
        return tables

    def _load_manifest(self) -> dict:
        try:
            manifest = json.loads(self._manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"format_version": MANIFEST_FORMAT_VERSION, "snapshots": {}}
        if manifest.get("format_version") != MANIFEST_FORMAT_VERSION:
            raise WarehouseError(
                f"{self._manifest_path} has format version {manifest.get('format_version')!r}; "
                f"this code reads version {MANIFEST_FORMAT_VERSION}"
            )
        return manifest

    def _commit_manifest(self, manifest: dict) -> None:
        """The commit point: write a temporary manifest, flush it to disk, then ``os.replace`` it into place."""
        _atomic_write_text(self._manifest_path, json.dumps(manifest, indent=2, sort_keys=True))

    def _refresh_duckdb_locked(self, manifest: dict) -> None:
        temporary = self.duckdb_path.with_name(f"{DUCKDB_NAME}.tmp-{uuid.uuid4().hex}")
        try:
            with duckdb.connect(str(temporary)) as connection:
                for statement in _duckdb_view_statements(self.root, manifest):
                    connection.execute(statement)
            os.replace(temporary, self.duckdb_path)
        finally:
            temporary.unlink(missing_ok=True)
            temporary.with_name(temporary.name + ".wal").unlink(missing_ok=True)
        _fsync_dir(self.root)

    def _collect_garbage(self, manifest: dict) -> None:
        """Delete what the manifest does not list: superseded files, crash leftovers, stale staging areas."""
        referenced = {
            self.root / relative
            for entry in manifest["snapshots"].values()
            for tier_tables in entry["tables"].values()
            for table_entry in tier_tables.values()
            for relative in table_entry["files"]
        }
        for tier in TIERS:
            tier_dir = self.root / tier
            if not tier_dir.is_dir():
                continue
            for path in tier_dir.glob("*/snapshot_date=*/*"):
                if path not in referenced:
                    _remove(path)
            _remove_empty_dirs(tier_dir)
        self._collect_stale_staging()
        for leftover in self.root.glob(f"{MANIFEST_NAME}.tmp-*"):
            leftover.unlink(missing_ok=True)
        for leftover in self.root.glob(f"{DUCKDB_NAME}.tmp-*"):
            leftover.unlink(missing_ok=True)

    def _collect_stale_staging(self) -> None:
        if not self._staging_root.is_dir():
            return
        cutoff = time.time() - STALE_STAGING_AFTER.total_seconds()
        for directory in self._staging_root.iterdir():
            newest = max((path.stat().st_mtime for path in directory.rglob("*")), default=directory.stat().st_mtime)
            if newest < cutoff:
                shutil.rmtree(directory, ignore_errors=True)

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / LOCK_NAME, "a+b") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


# --------------------------------------------------------------------------------------------- helpers


def _duckdb_view_statements(root: Path, manifest: dict) -> list[str]:
    """``<table>``: the table in the latest snapshot; ``<table>_all``: every published snapshot, with ``snapshot_date``.

    Views list the manifest's files explicitly, so they never pick up unpublished or superseded files.
    """
    snapshots = manifest["snapshots"]
    statements = [
        "CREATE TABLE _snapshots (snapshot_date DATE, run_id VARCHAR, published_at TIMESTAMPTZ)",
        *(
            f"INSERT INTO _snapshots VALUES ({_sql_string(key)}, {_sql_string(entry['run_id'])}, "
            f"{_sql_string(entry['published_at'])})"
            for key, entry in sorted(snapshots.items())
        ),
    ]
    files_by_table: dict[str, list[str]] = {}
    for key in sorted(snapshots):
        for table, table_entry in snapshots[key]["tables"].get(ANALYTICS, {}).items():
            files_by_table.setdefault(table, []).extend(str(root / relative) for relative in table_entry["files"])
    latest_tables = snapshots[max(snapshots)]["tables"].get(ANALYTICS, {}) if snapshots else {}
    for table, files in sorted(files_by_table.items()):
        statements.append(
            f'CREATE VIEW "{table}_all" AS SELECT * FROM read_parquet({_sql_list(files)}, '
            "hive_partitioning = true, hive_types = {'snapshot_date': DATE}, union_by_name = true)"
        )
        if table in latest_tables:
            latest_files = [str(root / relative) for relative in latest_tables[table]["files"]]
            statements.append(
                f'CREATE VIEW "{table}" AS SELECT * FROM read_parquet({_sql_list(latest_files)}, hive_partitioning = false)'
            )
    return statements


def _to_arrow(frame: pd.DataFrame) -> pa.Table:
    """Arrow table of ``frame`` with datetime columns that hold only midnights stored as ``date32``, and pandas
    metadata that plain ``pd.read_parquet`` understands (see :func:`readable_pandas_metadata`)."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_datetime64_dtype(column) and (column.dropna() == column.dropna().dt.normalize()).all():
            index = table.schema.get_field_index(name)
            table = table.set_column(index, pa.field(name, pa.date32()), table.column(index).cast(pa.date32()))
    return readable_pandas_metadata(table)


def readable_pandas_metadata(table: pa.Table) -> pa.Table:
    """``table`` whose pandas metadata names no ``pd.ArrowDtype`` (``list<item: string>[pyarrow]``): pandas
    records that dtype name on write but cannot parse it back, so plain ``pd.read_parquet`` of a list column
    (``record_ids``) failed. Such columns are recorded as ``object``: they read back as Python lists."""
    raw = (table.schema.metadata or {}).get(b"pandas")
    if raw is None:
        return table
    metadata = json.loads(raw)
    for column in metadata.get("columns", []):
        if str(column.get("numpy_type", "")).endswith("[pyarrow]"):
            column["numpy_type"] = "object"
    return table.replace_schema_metadata({**table.schema.metadata, b"pandas": json.dumps(metadata).encode()})


def _read_parquet_files(files: list[Path]) -> pd.DataFrame:
    frames = [read_parquet_frame(path) for path in files]
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)


def _make_dirs(path: Path, *, restricted: bool, top: Path) -> None:
    """Create ``path`` and its parents; restricted tier directories (from the tier down) are owner-only."""
    path.mkdir(parents=True, exist_ok=True)
    if not restricted:
        return
    relative_parts = path.relative_to(top).parts
    tier_depth = relative_parts.index(RESTRICTED)
    for depth in range(tier_depth, len(relative_parts)):
        (top.joinpath(*relative_parts[: depth + 1])).chmod(_OWNER_ONLY_DIR)


def _check_same_key(manifest: dict, key_record: dict, root: Path) -> None:
    """A warehouse keeps one pseudonym key: a demo-mode warehouse refuses a production key (and any key change)
    until it is rebuilt, so reversible demo pseudonyms never sit beside, or pass for, production ones."""
    if not manifest.get("snapshots"):
        return
    recorded = manifest.get("pseudonym_key")
    if recorded == key_record:
        return
    if recorded is None and key_record.get("demo"):
        return  # a warehouse published before keys were recorded, still in demo mode
    was = "demo" if recorded is None or recorded.get("demo") else f"key {recorded.get('fingerprint')}"
    now = "the demo key" if key_record.get("demo") else f"production key {key_record.get('fingerprint')}"
    raise WarehouseError(
        f"gudang data {root} dibuat dengan kunci {was}; tidak dapat diterbitkan dengan {now} sebelum dibangun ulang / "
        f"the warehouse was created with the {was} key and refuses {now} until it is rebuilt: move it aside "
        "(keep it for the audit trail) and run the nightly again"
    )


def _atomic_write_text(path: Path, text: str) -> None:
    temporary = path.with_name(f"{path.name}.tmp-{uuid.uuid4().hex}")
    try:
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _remove_empty_dirs(top: Path) -> None:
    for directory in sorted((p for p in top.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
        with contextlib.suppress(OSError):
            directory.rmdir()


# What the last publication holds: the reads the nightly assets and the staff tools make of earlier snapshots
# (the guards themselves stay pure: :mod:`satupekerja.publishing.guards`).


def last_published_before(warehouse: Warehouse, snapshot_date: date) -> date | None:
    """The newest published snapshot strictly before ``snapshot_date``: what tonight is compared with and
    inherits worker ids from (a re-run of a night never compares with, or inherits from, itself)."""
    earlier = [published for published in warehouse.snapshots() if published < snapshot_date]
    return earlier[-1] if earlier else None


def previous_stats(warehouse: Warehouse, snapshot_date: date) -> SnapshotStats | None:
    """The stats published with the last snapshot before ``snapshot_date``, if any."""
    previous = last_published_before(warehouse, snapshot_date)
    if previous is None:
        return None
    try:
        return SnapshotStats.from_frame(previous, warehouse.read(tables.PUBLICATION_STATS, previous, ANALYTICS))
    except SnapshotNotFoundError:
        return None


def previous_worker_ids(warehouse: Warehouse, snapshot_date: date) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """``(record_id → worker_id, id history)`` of the last snapshot before ``snapshot_date``, for
    :func:`matching.stable_ids.assign_worker_ids`; ``(None, None)`` before the first publication."""
    previous = last_published_before(warehouse, snapshot_date)
    if previous is None:
        return None, None
    links = warehouse.read(tables.WORKER_LINKS, previous, RESTRICTED)[["record_id", "worker_id"]]
    try:
        history = warehouse.read(tables.WORKER_ID_HISTORY, previous, ANALYTICS)
    except SnapshotNotFoundError:
        return links, None
    return links, history.rename(columns={HISTORY_EVENT_DATE: "snapshot_date"})


def previous_matching_model(warehouse: Warehouse, snapshot_date: date) -> dict | None:
    """The matching model published with the last snapshot before ``snapshot_date`` (None: none published)."""
    previous = last_published_before(warehouse, snapshot_date)
    if previous is None:
        return None
    return published_matching_model(warehouse, previous)


def published_matching_model(warehouse: Warehouse, snapshot_date: date | None = None) -> dict | None:
    """The model document published with ``snapshot_date`` (default: the latest); None when that snapshot has
    no model (published before models were)."""
    try:
        frame = warehouse.read(tables.MATCHING_MODEL, snapshot_date, tier=RESTRICTED)
    except SnapshotNotFoundError:
        return None
    return json.loads(frame["model_json"].iloc[0]) if len(frame) else None


#: Why the published matching features cannot be used for a look-up (see :func:`published_matching_features`).
FEATURES_NOT_PUBLISHED = "not_published"
FEATURES_OTHER_SETTINGS = "other_settings"


@dataclass(frozen=True)
class PublishedFeatures:
    """The registry's matching features published with a snapshot, when made under the settings asked for.

    ``frame``: the features (``None`` when they cannot be used); ``problem``: why not
    (:data:`FEATURES_NOT_PUBLISHED`: a snapshot published before they were; :data:`FEATURES_OTHER_SETTINGS`:
    computed under other matching settings than those in force, so not to be mixed with them)."""

    frame: pd.DataFrame | None
    problem: str | None = None


def published_matching_features(
    warehouse: Warehouse,
    snapshot_date: date | None,
    settings_hash: str,
    record_ids: list[str] | None = None,
) -> PublishedFeatures:
    """The ``matching_features`` published with ``snapshot_date`` (default: the latest), if computed under the
    settings whose fingerprint is ``settings_hash``; only the rows of ``record_ids`` when given (a look-up).

    The settings hash is read first (one column), so features of other settings are never loaded."""
    try:
        files = warehouse.published_files(tables.MATCHING_FEATURES, snapshot_date, tier=RESTRICTED)
    except SnapshotNotFoundError:
        return PublishedFeatures(None, FEATURES_NOT_PUBLISHED)
    hashes = {
        value
        for path in files
        for value in pq.read_table(path, columns=["settings_hash"]).column(0).unique().to_pylist()
    }
    if hashes != {settings_hash}:
        return PublishedFeatures(None, FEATURES_OTHER_SETTINGS)
    filters = [("record_id", "in", list(record_ids))] if record_ids is not None else None
    frames = [pq.read_table(path, filters=filters).to_pandas() for path in files]
    frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    return PublishedFeatures(frame.drop(columns="settings_hash"))


def _check_tier(tier: str) -> None:
    if tier not in TIERS:
        raise ValueError(f"unknown warehouse tier {tier!r}; expected one of {', '.join(TIERS)}")


def _check_table_name(table: str) -> None:
    if not _TABLE_NAME.match(table):
        raise ValueError(
            f"table name {table!r} must be snake_case: lower-case letters, digits and _, starting with a letter"
        )


def _safe_token(run_id: str) -> str:
    return _UNSAFE_TOKEN_CHARS.sub("-", run_id) or "run"


def _as_date(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _sql_list(values: list[str]) -> str:
    return "[" + ", ".join(_sql_string(value) for value in values) + "]"
