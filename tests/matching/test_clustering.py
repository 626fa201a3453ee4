"""Clustering guards: NIK conflicts (and their override), twins, parent/child namesakes, chaining, size cap."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from matching import DEFAULT_SETTINGS, MatchSettings
from matching.clustering import LevelsOf, NikConflictGuard, cluster
from matching.features import compute_features
from tests.matching.helpers import person_records

PRIOR = -16.0
GUARDS = DEFAULT_SETTINGS.cluster_guards()
STRONG = {"level_name": "exact", "level_birth_date": "exact", "level_phone": "exact", "level_location": "address"}
WEAK = {"level_name": "else", "level_birth_date": "exact", "level_phone": "exact", "level_location": "address"}


def edges(*pairs: tuple[int, int, float, float, dict]) -> pd.DataFrame:
    """Scored pairs: (left, right, match weight, NIK weight, levels)."""
    rows = [
        {"left": a, "right": b, "match_weight": w, "w_nik": w_nik, **levels, "match_probability": 1 / (1 + 2.0**-w)}
        for a, b, w, w_nik, levels in pairs
    ]
    return pd.DataFrame(rows)


def clusters_of(rows: list[dict], scored: pd.DataFrame, guards=GUARDS) -> list[set[str]]:
    features = compute_features(person_records(rows))
    links = cluster(scored, features, PRIOR, guards)
    return sorted((set(group) for _, group in links.groupby("cluster")["record_id"]), key=sorted)


def person(nik: str | None, birth_date: str, name: str = "AGUS SANTOSO", sex: str = "L") -> dict:
    return {"nik": nik, "birth_date": birth_date, "name": name, "sex": sex}


def test_two_different_valid_niks_are_not_linked_on_ordinary_evidence():
    rows = [person("3276011505900001", "1990-05-15"), person("3276011505900002", "1990-05-15", "AGUS SETIAWAN")]
    scored = edges((0, 1, 12.0, 2.0, WEAK))  # twins: same birth date, shared phone and address, near NIKs
    assert clusters_of(rows, scored) == [{"test:0"}, {"test:1"}]


def test_overwhelming_evidence_links_a_person_with_two_valid_niks():
    rows = [person("3276011505900001", "1990-05-15"), person("3171011505900007", "1990-05-15")]  # NIK ganda
    scored = edges((0, 1, 40.0, -5.0, STRONG))
    assert clusters_of(rows, scored) == [{"test:0", "test:1"}]


def test_the_override_needs_corroboration_beyond_name_and_birth_date():
    rows = [person("3276011505900001", "1990-05-15"), person("3171011505900007", "1990-05-15")]
    namesakes = {**STRONG, "level_phone": "else", "level_location": "else"}
    assert clusters_of(rows, edges((0, 1, 40.0, -5.0, namesakes))) == [{"test:0"}, {"test:1"}]


def test_same_name_parent_and_child_stay_apart():
    rows = [person(None, "1965-02-01"), person(None, "1992-07-09")]
    scored = edges((0, 1, 15.0, 0.0, {**STRONG, "level_birth_date": "else"}))
    assert clusters_of(rows, scored) == [{"test:0"}, {"test:1"}]


def test_chaining_through_a_record_without_nik_keeps_the_strongest_link():
    rows = [
        person("3276011505900001", "1990-05-15"),
        {"name": "AGUS", "alias": "AGUS", "phone": "6281234567890"},  # community list: nickname and phone
        person("3276012003850004", "1985-03-20"),
    ]
    scored = edges((0, 1, 20.0, 0.0, STRONG), (1, 2, 8.0, 0.0, WEAK))
    assert clusters_of(rows, scored) == [{"test:0", "test:1"}, {"test:2"}]


def test_generation_gap_inside_a_chain_is_split_at_the_weakest_link():
    rows = [person(None, "1965-02-01"), {"name": "AGUS SANTOSO"}, person(None, "1992-07-09")]
    scored = edges((0, 1, 9.0, 0.0, STRONG), (1, 2, 14.0, 0.0, STRONG))
    assert clusters_of(rows, scored) == [{"test:0"}, {"test:1", "test:2"}]


def test_cluster_size_is_capped():
    rows = [person(None, "1990-05-15") for _ in range(4)]
    scored = edges(*[(a, a + 1, 20.0 - a, 0.0, STRONG) for a in range(3)])
    guards = MatchSettings(max_cluster_size=2).cluster_guards()
    assert clusters_of(rows, scored, guards) == [{"test:0", "test:1"}, {"test:2", "test:3"}]


def test_cluster_key_is_the_smallest_record_id_and_confidence_the_best_weight():
    rows = [{**person(None, "1990-05-15"), "record_id": rid} for rid in ("b:2", "a:9", "c:1")]
    scored = edges((0, 1, 12.0, 0.0, STRONG), (1, 2, 7.0, 0.0, STRONG))
    features = compute_features(person_records(rows))
    links = cluster(scored, features, PRIOR, GUARDS)
    assert links["cluster"].tolist() == ["a:9"] * 3
    np.testing.assert_allclose(links["confidence"], [12.0, 12.0, 7.0])
    assert links["cluster_size"].tolist() == [3, 3, 3]


def test_records_without_links_are_their_own_cluster():
    rows = [person(None, "1990-05-15"), person(None, "1970-01-01")]
    links = cluster(edges((0, 1, -5.0, 0.0, WEAK)), compute_features(person_records(rows)), PRIOR, GUARDS)
    assert links["cluster"].tolist() == ["test:0", "test:1"]
    assert links["confidence"].isna().all()


def _as_scored_by_the_engine(scored: pd.DataFrame) -> pd.DataFrame:
    """Level columns as ``link_records`` makes them: categoricals over each comparison's declared levels."""
    levels = {comparison.name: list(comparison.levels) for comparison in DEFAULT_SETTINGS.comparisons}
    for column in [c for c in scored.columns if c.startswith("level_")]:
        scored[column] = pd.Categorical(scored[column], categories=levels[column.removeprefix("level_")])
    return scored


def test_a_guard_naming_a_level_the_comparison_does_not_have_is_an_error_not_a_silent_no():
    rows = [person("3276011505900001", "1990-05-15"), person("3171011505900007", "1990-05-15")]  # NIK ganda
    scored = _as_scored_by_the_engine(edges((0, 1, 40.0, -5.0, STRONG)))
    assert len(clusters_of(rows, scored)) == 1  # the override holds with the shipped level names
    renamed = NikConflictGuard(requires=((LevelsOf("name", ("exact_name",)),),))
    with pytest.raises(ValueError, match=r"\['exact_name'\] not level\(s\) of comparison 'name'"):
        clusters_of(rows, scored, replace(GUARDS, nik_conflict=renamed))
    unknown = NikConflictGuard(requires=((LevelsOf("full_name", ("exact",)),),))
    with pytest.raises(ValueError, match="not scored on a comparison named 'full_name'"):
        clusters_of(rows, scored, replace(GUARDS, nik_conflict=unknown))
