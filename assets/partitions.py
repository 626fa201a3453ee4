"""The one partitioning every Satu Pekerja asset shares: the snapshot date.

A partition is the state of all source inboxes on one day in Kota Depok (Asia/Jakarta). ``end_offset=1``
makes today's partition available during the day, so the nightly run and ``make run`` can process the
snapshot taken today rather than waiting for the day to close.

The first partition is a setting: ``SATUPEKERJA_FIRST_SNAPSHOT_DATE`` (``YYYY-MM-DD``, default
:data:`DEFAULT_FIRST_SNAPSHOT_DATE`), read when the code location loads. An extract dated 2025-06-30 runs as the
2025-06-30 partition once the first snapshot is on or before that day (``pipelines.run_local`` sets it for its
own run when given an earlier ``--snapshot-date``).
"""

from __future__ import annotations

import datetime as dt
import os

import dagster as dg

SNAPSHOT_TIMEZONE = "Asia/Jakarta"
FIRST_SNAPSHOT_ENV = "SATUPEKERJA_FIRST_SNAPSHOT_DATE"
DEFAULT_FIRST_SNAPSHOT_DATE = "2026-01-01"


def first_snapshot_date(environ: dict[str, str] | None = None) -> str:
    """``$SATUPEKERJA_FIRST_SNAPSHOT_DATE`` (checked: an ISO date), else :data:`DEFAULT_FIRST_SNAPSHOT_DATE`."""
    raw = (os.environ if environ is None else environ).get(FIRST_SNAPSHOT_ENV) or DEFAULT_FIRST_SNAPSHOT_DATE
    try:
        return dt.date.fromisoformat(raw.strip()).isoformat()
    except ValueError as error:
        raise ValueError(f"{FIRST_SNAPSHOT_ENV} must be a date YYYY-MM-DD, got {raw!r}") from error


snapshot_partitions = dg.DailyPartitionsDefinition(
    start_date=first_snapshot_date(),
    timezone=SNAPSHOT_TIMEZONE,
    end_offset=1,
)


def snapshot_date(partition_key: str) -> dt.date:
    """The snapshot date a partition key names."""
    return dt.date.fromisoformat(partition_key)
