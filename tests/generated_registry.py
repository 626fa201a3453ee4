"""One small generated registry for the tests that need published-like data: sources → person records → links →
unified workers, through the same contracts, engine, stable ids and unification as the nightly run.

Contract validation (Great Expectations) is skipped with an empty passing report: it is tested with the
contracts, and costs seconds here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

import data_contracts
from data_contracts.contract import default_role_book
from data_contracts.roles import load_employment_model
from matching import link_records
from matching.link import LinkResult
from matching.normalize import RegionResolver
from matching.stable_ids import assign_worker_ids
from sample_data.generate import generate
from satupekerja.registry.unify import build_unified_workers


@dataclass(frozen=True)
class GeneratedRegistry:
    data_dir: Path
    person_records: pd.DataFrame
    worker_links: pd.DataFrame
    unified: pd.DataFrame
    link_result: LinkResult


def build_generated_registry(persons: int, seed: int, as_of: dt.date, data_dir: Path) -> GeneratedRegistry:
    """Generate ``persons`` synthetic people into ``data_dir`` and build their registry as of ``as_of``."""
    generate(persons, seed, data_dir, as_of)
    resolver = RegionResolver(data_contracts.load_region_reference())
    frames = []
    for source, contract in data_contracts.load_contracts().items():
        raw = data_contracts.read_source(contract, data_dir)
        report = data_contracts.ValidationReport(source=source)
        frames.append(data_contracts.standardise(contract, raw, report, as_of, resolver).records)
    person_records = pd.concat(frames, ignore_index=True)
    result = link_records(person_records)
    ids, _history = assign_worker_ids(result.links.rename(columns={"cluster_id": "cluster"}), None, None, as_of)
    worker_links = ids.merge(result.links[["record_id", "confidence"]], on="record_id")
    unified = build_unified_workers(person_records, worker_links, as_of, default_role_book(), load_employment_model())
    return GeneratedRegistry(data_dir, person_records, worker_links, unified, result)
