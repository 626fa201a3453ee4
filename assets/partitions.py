"""The one partitioning every Satu Pekerja asset shares: the snapshot date.

A partition is the state of all source inboxes on one day in Kota Depok (Asia/Jakarta). ``end_offset=1``
makes today's partition available during the day, so the nightly run and ``make run`` can process the
snapshot taken today rather than waiting for the day to close.

The first partition is a setting (``Settings.first_snapshot_date``, ``SATUPEKERJA_FIRST_SNAPSHOT_DATE``, default
:data:`DEFAULT_FIRST_SNAPSHOT_DATE`). The asset modules declare :data:`snapshot_partitions` (the default);
``pipelines.definitions.build_definitions`` gives every asset, the job and the schedule the partitions of its
settings with :func:`with_partitions`. An extract dated 2025-06-30 runs as the 2025-06-30 partition once the
first snapshot is on or before that day (``pipelines.run_local`` moves it for its own run when given an earlier
``--snapshot-date``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import dagster as dg

from satupekerja.settings import DEFAULT_FIRST_SNAPSHOT_DATE

SNAPSHOT_TIMEZONE = "Asia/Jakarta"


def snapshot_partitions_def(
    first_snapshot: dt.date | str = DEFAULT_FIRST_SNAPSHOT_DATE,
) -> dg.DailyPartitionsDefinition:
    """Daily snapshot partitions in Asia/Jakarta from ``first_snapshot`` up to today."""
    start = first_snapshot if isinstance(first_snapshot, str) else first_snapshot.isoformat()
    return dg.DailyPartitionsDefinition(start_date=start, timezone=SNAPSHOT_TIMEZONE, end_offset=1)


#: The partitions with the default first snapshot: what the asset modules declare.
snapshot_partitions = snapshot_partitions_def()


def with_partitions(
    assets: Iterable[dg.AssetsDefinition], partitions_def: dg.PartitionsDefinition
) -> list[dg.AssetsDefinition]:
    """``assets`` with every partitioned asset moved onto ``partitions_def`` (same keys, same computation)."""
    return [
        asset.map_asset_specs(
            lambda spec: spec if spec.partitions_def is None else spec.replace_attributes(partitions_def=partitions_def)
        )
        for asset in assets
    ]


def snapshot_date(partition_key: str) -> dt.date:
    """The snapshot date a partition key names."""
    return dt.date.fromisoformat(partition_key)
