"""Asset groups: one per source system, the way the Dagster UI lists them.

Contracts carry no ``system`` key, so a source joins the group of the agency whose id prefixes its source id
(``disnaker_pelatihan`` → ``disnaker``). Every other source is a city-level registry (UMKM, market traders,
community lists): new registries land there without code changes.
"""

from __future__ import annotations

AGENCY_SYSTEMS = ("dukcapil", "bpjs_kesehatan", "disnaker", "bpjs_ketenagakerjaan")
CITY_REGISTRIES = "city_registries"
INTEGRATION = "integration"
MATCHING = "matching"
REGISTRY = "registry"


def source_system(source: str) -> str:
    """The group of ``source``: its agency when the source id is or starts with ``<agency>_``."""
    for system in AGENCY_SYSTEMS:
        if source == system or source.startswith(f"{system}_"):
            return system
    return CITY_REGISTRIES
