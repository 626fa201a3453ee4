"""The registry: one unified worker per person and what the registry knows about them.

Survivorship into the unified worker record (:mod:`.unify`), the coverage flag and outreach tiers
(:mod:`.coverage`), per-worker lists built without a Python call per group (:mod:`.grouping`) and everything
held about one person (:mod:`.lookup`). Pure: DataFrames in, DataFrames out; no files, no Dagster.
"""
