"""Jobs. Kept apart from ``definitions`` so schedules and sensors can import them without an import cycle."""

from __future__ import annotations

import dagster as dg

from assets.partitions import snapshot_partitions
from pipelines.memory import release_memory_hooks

NIGHTLY_JOB_NAME = "satupekerja_nightly"


def build_nightly_job(partitions_def: dg.PartitionsDefinition = snapshot_partitions) -> dg.UnresolvedAssetJobDefinition:
    """Every asset for one snapshot date of ``partitions_def``."""
    return dg.define_asset_job(
        NIGHTLY_JOB_NAME,
        selection=dg.AssetSelection.all(),
        partitions_def=partitions_def,
        description="Every asset for one snapshot date: read, validate, standardise, match, publish.",
        hooks=release_memory_hooks,  # each step gives its memory back: the night's peak is its largest step
    )
