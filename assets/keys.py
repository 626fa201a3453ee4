"""Names of the per-source assets, built and parsed in one place.

Each contracted source has three assets, ``raw_<source>``, ``quarantine_<source>`` and ``standard_<source>``,
made by one step ``ingest_<source>`` (:mod:`assets.sources`). Everything that names one of them (the stacking
and publication assets, the run summary, tests) builds the name here, and everything that reads a source id
back out of an asset name parses it here. Source ids are snake_case and may contain ``_``; the prefixes do not.

The names of the tables after stacking are in :mod:`satupekerja.publishing.tables`.
"""

from __future__ import annotations

from typing import Literal

import dagster as dg

SourceAssetKind = Literal["raw", "quarantine", "standard"]
RAW: SourceAssetKind = "raw"
QUARANTINE: SourceAssetKind = "quarantine"
STANDARD: SourceAssetKind = "standard"
SOURCE_ASSET_KINDS: tuple[SourceAssetKind, ...] = (RAW, QUARANTINE, STANDARD)
INGEST_STEP_PREFIX = "ingest"


def source_asset_name(kind: SourceAssetKind, source: str) -> str:
    """``<kind>_<source>``, e.g. ``standard_dukcapil``."""
    if kind not in SOURCE_ASSET_KINDS:
        raise ValueError(f"unknown per-source asset kind {kind!r}; expected one of {', '.join(SOURCE_ASSET_KINDS)}")
    return f"{kind}_{source}"


def raw_name(source: str) -> str:
    return source_asset_name(RAW, source)


def quarantine_name(source: str) -> str:
    return source_asset_name(QUARANTINE, source)


def standard_name(source: str) -> str:
    return source_asset_name(STANDARD, source)


def raw_key(source: str) -> dg.AssetKey:
    return dg.AssetKey(raw_name(source))


def quarantine_key(source: str) -> dg.AssetKey:
    return dg.AssetKey(quarantine_name(source))


def standard_key(source: str) -> dg.AssetKey:
    return dg.AssetKey(standard_name(source))


def ingest_step_name(source: str) -> str:
    """``ingest_<source>``: the name of the step (multi-asset) that makes a source's three assets."""
    return f"{INGEST_STEP_PREFIX}_{source}"


def parse_source_asset(name: str) -> tuple[SourceAssetKind, str] | None:
    """``(kind, source)`` of a per-source asset name (``"standard_umkm"`` → ``("standard", "umkm")``); None for
    any other asset (``person_records``, the stacked ``quarantine`` table...)."""
    kind, separator, source = name.partition("_")
    if not separator or not source or kind not in SOURCE_ASSET_KINDS:
        return None
    return kind, source


def source_of(name: str, *kinds: SourceAssetKind) -> str | None:
    """The source id of a per-source asset name, if it is one of ``kinds`` (default: any kind); else None."""
    parsed = parse_source_asset(name)
    if parsed is None or (kinds and parsed[0] not in kinds):
        return None
    return parsed[1]
