"""Asset groups: one per source system, the way the Dagster UI lists them.

A source's group is the ``roles.system`` its contract declares (``dukcapil``, ``disnaker``...); a contract that
declares none lands in ``city_registries``, so a new registry needs no code change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from data_contracts.roles import DEFAULT_SYSTEM

if TYPE_CHECKING:
    from data_contracts.contract import Contract

CITY_REGISTRIES = DEFAULT_SYSTEM
INTEGRATION = "integration"
MATCHING = "matching"
REGISTRY = "registry"


def source_system(contract: Contract) -> str:
    """The group of a contract's source: its declared ``roles.system``, else ``city_registries``."""
    return contract.roles.system or CITY_REGISTRIES
