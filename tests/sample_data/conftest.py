from __future__ import annotations

import datetime as dt

import pytest

from sample_data.generate import GeneratedData, generate_frames, write_sources

AS_OF = dt.date(2026, 11, 21)
PERSONS = 1000
SEED = 11


@pytest.fixture(scope="session")
def generated() -> GeneratedData:
    return generate_frames(PERSONS, SEED, AS_OF)


@pytest.fixture(scope="session")
def written(generated, tmp_path_factory):
    out = tmp_path_factory.mktemp("sample")
    manifest = write_sources(generated, out)
    return out, manifest
