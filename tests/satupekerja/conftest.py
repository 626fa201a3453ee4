"""Small hand-made person records and links for the product-logic tests."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pandas as pd
import pytest

import data_contracts
from data_contracts.schema import conform_to_person_schema
from satupekerja.privacy.pseudonyms import DEMO_KEY, to_analytics_tier
from satupekerja.publishing.warehouse import ANALYTICS, RESTRICTED, Warehouse
from satupekerja.registry.coverage import coverage_by_area, uncovered_informal_workers
from tests.generated_registry import GeneratedRegistry, build_generated_registry


@pytest.fixture
def make_records():
    """``make_records((worker_id, {field: value, ...}), ...) -> (person_records, worker_links)``.

    Each record needs at least ``source``; ``record_id`` defaults to ``<source>:<n>``.
    """

    def build(*rows: tuple[str, dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
        counter = itertools.count(1)
        records = []
        for _worker_id, fields in rows:
            number = next(counter)
            record = {
                "record_id": f"{fields['source']}:{number}",
                "source_file": "test",
                "source_row": number,
                **fields,
            }
            records.append(record)
        person_records = conform_to_person_schema(pd.DataFrame(records))
        links = pd.DataFrame(
            {"record_id": person_records["record_id"], "worker_id": [worker_id for worker_id, _ in rows]}, dtype="str"
        )
        return person_records, links

    return build


DEMO_AS_OF = dt.date(2026, 11, 1)
EARLIER_SNAPSHOT = dt.date(2026, 10, 1)


DemoRegistry = GeneratedRegistry


@pytest.fixture(scope="session")
def demo_registry(tmp_path_factory) -> DemoRegistry:
    """300 synthetic people (seed 7) as of ``DEMO_AS_OF``: sources → person records → links → unified workers."""
    return build_generated_registry(300, 7, DEMO_AS_OF, tmp_path_factory.mktemp("demo_sources"))


@pytest.fixture(scope="session")
def published_warehouse(demo_registry, tmp_path_factory) -> Path:
    """A warehouse with two published snapshots of the demo registry (restricted and analytics tiers)."""
    root = tmp_path_factory.mktemp("warehouse")
    warehouse = Warehouse(root)
    unified = demo_registry.unified
    uncovered = uncovered_informal_workers(unified)
    coverage = coverage_by_area(unified, data_contracts.load_region_reference())
    for snapshot in (EARLIER_SNAPSHOT, DEMO_AS_OF):
        staged = warehouse.stage(snapshot, "test")
        day = pd.Timestamp(snapshot)
        staged.write("unified_workers", unified.assign(snapshot_date=day), RESTRICTED)
        staged.write("uncovered_informal_workers", uncovered.assign(snapshot_date=day), RESTRICTED)
        staged.write("worker_links", demo_registry.worker_links, RESTRICTED)
        staged.write("person_records", demo_registry.person_records, RESTRICTED)
        staged.write("coverage_by_area", coverage, ANALYTICS)
        staged.write(
            "uncovered_informal_workers",
            to_analytics_tier("uncovered_informal_workers", uncovered.assign(snapshot_date=day), DEMO_KEY, snapshot),
            ANALYTICS,
        )
        warehouse.publish(staged)
    return root
