"""Retention: personal data is kept no longer than needed (UU 27/2022), then deleted, and every deletion audited.

:func:`apply_retention` removes, for a retention period of ``keep_days`` days counted back from ``today``:

* published warehouse snapshots dated before the cutoff, both tiers (:meth:`Warehouse.remove_snapshot`);
* staging areas of the warehouse left behind by crashed runs (untouched for the warehouse's own
  ``STALE_STAGING_AFTER``): they hold restricted-tier personal data that no manifest points at;
* when given, Dagster asset-storage partitions (``<asset>/snapshot_date=YYYY-MM-DD/``) dated before the cutoff:
  the pipeline's working copies of raw and standardised records;
* when given, staff export files last modified before the cutoff.

The period is given by the caller (``Settings.retention_days``, from ``SATUPEKERJA_RETENTION_DAYS``, default
:data:`DEFAULT_RETENTION_DAYS`). A snapshot exactly ``keep_days`` old is kept.
"""

from __future__ import annotations

import re
import shutil
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from satupekerja.privacy.audit import AuditLog, file_sha256
from satupekerja.publishing.warehouse import STAGING_DIR_NAME, STALE_STAGING_AFTER, Warehouse
from satupekerja.settings import DEFAULT_RETENTION_DAYS  # noqa: F401  (re-exported: the default period)

REMOVE_SNAPSHOT = "retention_remove_snapshot"
REMOVE_STAGING = "retention_remove_staging"
REMOVE_ASSET_PARTITION = "retention_remove_asset_partition"
REMOVE_EXPORT = "retention_remove_export"

_PARTITION_DIR = re.compile(r"^snapshot_date=(\d{4}-\d{2}-\d{2})$")
_COMMAND = "satupekerja retention"


def apply_retention(
    warehouse: Warehouse,
    keep_days: int,
    today: date,
    audit: AuditLog,
    *,
    exports_dir: Path | None = None,
    asset_storage_dir: Path | None = None,
) -> list[date]:
    """Delete everything older than ``keep_days`` days (see the module docstring); returns the snapshot dates
    removed from the warehouse. Each removal is one audit entry (action ``retention_remove_*``)."""
    if keep_days < 1:
        raise ValueError(f"keep_days must be at least 1, not {keep_days}")
    cutoff = today - timedelta(days=keep_days)
    filters = {"keep_days": keep_days, "cutoff": cutoff.isoformat()}
    _remove_stale_staging(warehouse, audit, filters)  # first: the warehouse's own clean-up would not audit it
    removed = [snapshot for snapshot in warehouse.snapshots() if snapshot < cutoff]
    for snapshot in removed:
        warehouse.remove_snapshot(snapshot)
        audit.record(
            REMOVE_SNAPSHOT,
            requested_by=None,
            command=_COMMAND,
            filters={**filters, "snapshot_date": snapshot.isoformat()},
            row_count=0,
            output_file=None,
        )
    if asset_storage_dir is not None:
        _remove_old_asset_partitions(Path(asset_storage_dir), cutoff, audit, filters)
    if exports_dir is not None:
        _remove_old_exports(Path(exports_dir), cutoff, audit, filters)
    return removed


def _remove_stale_staging(warehouse: Warehouse, audit: AuditLog, filters: dict) -> None:
    staging_root = warehouse.root / STAGING_DIR_NAME
    if not staging_root.is_dir():
        return
    stale_before = time.time() - STALE_STAGING_AFTER.total_seconds()
    for directory in sorted(path for path in staging_root.iterdir() if path.is_dir()):
        if _newest_mtime(directory) < stale_before:
            shutil.rmtree(directory)
            audit.record(
                REMOVE_STAGING,
                requested_by=None,
                command=_COMMAND,
                filters={**filters, "staging": directory.name},
                row_count=0,
                output_file=None,
            )


def _remove_old_asset_partitions(storage: Path, cutoff: date, audit: AuditLog, filters: dict) -> None:
    for partition in sorted(storage.rglob("snapshot_date=*")):
        matched = _PARTITION_DIR.match(partition.name)
        if partition.is_dir() and matched and date.fromisoformat(matched.group(1)) < cutoff:
            shutil.rmtree(partition)
            audit.record(
                REMOVE_ASSET_PARTITION,
                requested_by=None,
                command=_COMMAND,
                filters={**filters, "partition": partition.relative_to(storage).as_posix()},
                row_count=0,
                output_file=None,
            )


def _remove_old_exports(exports_dir: Path, cutoff: date, audit: AuditLog, filters: dict) -> None:
    for export in sorted(path for path in exports_dir.rglob("*") if path.is_file()):
        if datetime.fromtimestamp(export.stat().st_mtime).date() < cutoff:
            checksum = file_sha256(export)  # ties the removal to the export's own audit entry
            export.unlink()
            audit.record(
                REMOVE_EXPORT,
                requested_by=None,
                command=_COMMAND,
                filters={**filters, "export": export.relative_to(exports_dir).as_posix(), "sha256": checksum},
                row_count=0,
                output_file=None,
            )


def _newest_mtime(directory: Path) -> float:
    return max((path.stat().st_mtime for path in directory.rglob("*")), default=directory.stat().st_mtime)
