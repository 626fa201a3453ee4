"""Every Satu Pekerja asset, built from the data contracts given (``build_definitions`` passes those of
``Settings.contracts_dir``; default: the shipped contracts)."""

from __future__ import annotations

from collections.abc import Mapping

import dagster as dg

import data_contracts
from assets.matching import link_person_records
from assets.outreach import outreach_outcomes
from assets.person_records import build_person_records
from assets.publication import build_publish_snapshot
from assets.registry import build_unified_workers_asset, coverage_by_area, uncovered_informal_workers
from assets.sources import build_source_assets
from data_contracts.roles import RoleBook


def build_all_assets(contracts: Mapping[str, data_contracts.Contract] | None = None) -> list[dg.AssetsDefinition]:
    """Per-source assets for each contract, then stacking, matching, the registry and publication."""
    contracts = data_contracts.load_contracts() if contracts is None else contracts
    return [
        *(build_source_assets(contract) for contract in contracts.values()),
        build_person_records(contracts),
        link_person_records,
        build_unified_workers_asset(RoleBook.from_contracts(contracts)),
        uncovered_informal_workers,
        coverage_by_area,
        build_publish_snapshot(contracts),
        outreach_outcomes,
    ]
