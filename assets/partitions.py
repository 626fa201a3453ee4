"""The one partitioning every Satu Pekerja asset shares: the snapshot date.

A partition is the state of all source inboxes on one day in Kota Depok (Asia/Jakarta). ``end_offset=1``
makes today's partition available during the day, so the nightly run and ``make run`` can process the
snapshot taken today rather than waiting for the day to close.
"""

from __future__ import annotations

import dagster as dg

SNAPSHOT_TIMEZONE = "Asia/Jakarta"

snapshot_partitions = dg.DailyPartitionsDefinition(
    start_date="2026-01-01",
    timezone=SNAPSHOT_TIMEZONE,
    end_offset=1,
)
