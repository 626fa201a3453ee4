"""Shared fixtures for the data-contract tests: the packaged contracts, a small generated sample, bad inputs."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from data_contracts import Contract, load_contracts, load_region_reference

FIXTURES = Path(__file__).parent / "fixtures"
# Large enough that every community list has members (a header-only file is, rightly, a file error).
SAMPLE_PERSONS = 1500
SAMPLE_SEED = 11
SAMPLE_AS_OF = date(2026, 11, 21)


@pytest.fixture(scope="session")
def contracts() -> dict[str, Contract]:
    return load_contracts()


@pytest.fixture(scope="session")
def regions():
    from matching.normalize import RegionResolver

    return RegionResolver(load_region_reference())


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small generated sample of every source (one per xdist worker: nothing shared between workers)."""
    from sample_data.generate import generate

    out = tmp_path_factory.mktemp("generated_sample")
    generate(persons=SAMPLE_PERSONS, seed=SAMPLE_SEED, out_dir=out, as_of=SAMPLE_AS_OF)
    return out


@pytest.fixture(scope="session")
def sample_manifest(sample_dir: Path) -> dict:
    return json.loads((sample_dir / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture
def inbox(tmp_path: Path):
    """Place a fixture file at a contract's path inside a fresh data dir; returns the data dir."""

    def place(contract: Contract, fixture: str) -> Path:
        target = tmp_path / contract.read.paths[0]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(FIXTURES / fixture, target)
        return tmp_path

    return place
