"""Jobs. Kept apart from ``definitions`` so schedules and sensors can import them without an import cycle."""

from __future__ import annotations

import dagster as dg

from pipelines.memory import release_memory_hooks

NIGHTLY_JOB_NAME = "satupekerja_nightly"


def build_nightly_job() -> dg.UnresolvedAssetJobDefinition:
    """Every asset for one snapshot date: the job's partitions are the assets' (Dagster infers them when the
    definitions resolve the job), so the first snapshot date is set once, on the assets."""
    return dg.define_asset_job(
        NIGHTLY_JOB_NAME,
        selection=dg.AssetSelection.all(),
        description="Every asset for one snapshot date: read, validate, standardise, match, publish.",
        hooks=release_memory_hooks,  # each step gives its memory back: the night's peak is its largest step
    )
