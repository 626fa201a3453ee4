"""The nightly schedule: every asset for today's snapshot date at 01:00 Asia/Jakarta.

Schedules and sensors start STOPPED (so ``make dev`` on a laptop never fires them) unless automation is on
(``Settings.automation``, ``SATUPEKERJA_AUTOMATION=on``, which production sets in ``deploy/``); a state toggled in
the UI or with ``dagster schedule start`` is kept in the instance's schedule storage either way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import dagster as dg

if TYPE_CHECKING:
    from dagster._core.definitions.partitions.partitioned_schedule import (
        UnresolvedPartitionedAssetScheduleDefinition,
    )

NIGHTLY_SCHEDULE_NAME = "satupekerja_nightly_schedule"
NIGHTLY_HOUR = 1
NIGHTLY_MINUTE = 0


def build_nightly_schedule(
    job: dg.UnresolvedAssetJobDefinition, *, automation: bool = False
) -> dg.ScheduleDefinition | UnresolvedPartitionedAssetScheduleDefinition:
    """A schedule running ``job`` at 01:00 in the partitions' timezone (Asia/Jakarta) for the newest partition,
    i.e. today's snapshot date (the partitions end one day ahead). Starts running only with ``automation``.
    The job takes its partitions from its assets, so the schedule is resolved with the definitions
    (``Definitions.resolve_schedule_def``)."""
    return dg.build_schedule_from_partitioned_job(
        job,
        name=NIGHTLY_SCHEDULE_NAME,
        hour_of_day=NIGHTLY_HOUR,
        minute_of_hour=NIGHTLY_MINUTE,
        description="Nightly: read every source inbox, match, publish the snapshot when the guards pass.",
        default_status=dg.DefaultScheduleStatus.RUNNING if automation else dg.DefaultScheduleStatus.STOPPED,
    )
