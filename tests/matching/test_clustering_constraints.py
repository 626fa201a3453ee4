"""Review decisions applied by clustering: must-links join, cannot-links split (at the weakest link), and
contradicting decisions resolve as documented in ``matching/clustering.py``."""

from __future__ import annotations

import pandas as pd

from matching import DEFAULT_SETTINGS
from matching.clustering import (
    APPLIED,
    DIFFERENT_PEOPLE,
    NOT_HELD,
    RECORD_MISSING,
    SAME_PERSON,
    cluster,
    constraint_outcomes,
)
from matching.features import compute_features
from tests.matching.helpers import person_records
from tests.matching.test_clustering import STRONG, edges, person

PRIOR = -16.0
GUARDS = DEFAULT_SETTINGS.cluster_guards()
#: Names that disagree and no shared phone: evidence no guard or forced link rule acts on.
UNLIKE = {**STRONG, "level_name": "else", "level_phone": "else"}
#: Name and birth date agree, neither phone nor place does: not enough to override a NIK conflict.
NAMESAKES = {**STRONG, "level_phone": "else", "level_location": "else"}


def decisions(*rows: tuple[str, str, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["record_id_l", "record_id_r", "decision"]).astype("str")


def clusters_with(rows: list[dict], scored: pd.DataFrame, constraints: pd.DataFrame | None):
    features = compute_features(person_records(rows))
    links = cluster(scored, features, PRIOR, GUARDS, constraints)
    groups = sorted((set(group) for _, group in links.groupby("cluster")["record_id"]), key=sorted)
    return groups, links, features


def test_without_decisions_the_clusters_are_unchanged():
    rows = [person(None, "1990-05-15"), person(None, "1990-05-15"), person(None, "1991-01-01", "BUDI")]
    scored = edges((0, 1, 20.0, 0.0, STRONG))
    assert clusters_with(rows, scored, None)[0] == clusters_with(rows, scored, decisions())[0]
    assert clusters_with(rows, scored, None)[0] == [{"test:0", "test:1"}, {"test:2"}]


def test_a_same_person_decision_joins_a_pair_below_the_threshold():
    rows = [person(None, "1990-05-15"), person(None, "1990-05-15", "AGUS S")]
    weak = edges((0, 1, -8.0, 0.0, UNLIKE))  # probability far below the match threshold
    assert clusters_with(rows, weak, None)[0] == [{"test:0"}, {"test:1"}]
    groups, _, _ = clusters_with(rows, weak, decisions(("test:0", "test:1", SAME_PERSON)))
    assert groups == [{"test:0", "test:1"}]


def test_a_same_person_decision_joins_records_never_scored_together():
    rows = [person(None, "1990-05-15"), person(None, "1985-02-02", "SITI")]
    never_scored = edges((0, 1, 0.0, 0.0, UNLIKE)).iloc[:0]
    groups, _, _ = clusters_with(rows, never_scored, decisions(("test:1", "test:0", SAME_PERSON)))
    assert groups == [{"test:0", "test:1"}]


def test_a_same_person_decision_wins_over_the_nik_rule_and_is_reported_as_a_conflict():
    # Two valid NIKs of one person registered twice: the guard keeps them apart, a clerk decides same person.
    rows = [person("3276011505900001", "1990-05-15"), person("3171011505900007", "1990-05-15")]
    scored = edges((0, 1, 12.0, -5.0, NAMESAKES))
    assert clusters_with(rows, scored, None)[0] == [{"test:0"}, {"test:1"}]
    constraints = decisions(("test:0", "test:1", SAME_PERSON))
    groups, links, features = clusters_with(rows, scored, constraints)
    assert groups == [{"test:0", "test:1"}]
    outcome = constraint_outcomes(constraints, links, features)
    assert outcome["status"].tolist() == [APPLIED]
    assert outcome["nik_rule_conflict"].tolist() == [True]


def test_a_different_people_decision_splits_a_direct_link():
    rows = [person(None, "1990-05-15"), person(None, "1990-05-15")]
    scored = edges((0, 1, 25.0, 0.0, STRONG))
    constraints = decisions(("test:0", "test:1", DIFFERENT_PEOPLE))
    groups, links, features = clusters_with(rows, scored, constraints)
    assert groups == [{"test:0"}, {"test:1"}]
    assert constraint_outcomes(constraints, links, features)["status"].tolist() == [APPLIED]


def test_a_different_people_decision_breaks_a_chain_at_its_weakest_link():
    # A-B strong, B-C weak, A-C decided different people: B stays with A, C leaves.
    rows = [person(None, "1990-05-15"), person(None, "1990-05-15"), person(None, "1990-05-15")]
    scored = edges((0, 1, 30.0, 0.0, STRONG), (1, 2, 14.0, 0.0, STRONG))
    assert clusters_with(rows, scored, None)[0] == [{"test:0", "test:1", "test:2"}]
    groups, _, _ = clusters_with(rows, scored, decisions(("test:0", "test:2", DIFFERENT_PEOPLE)))
    assert groups == [{"test:0", "test:1"}, {"test:2"}]


def test_contradicting_decisions_keep_the_cannot_link_and_drop_the_weaker_must_link():
    rows = [person(None, "1990-05-15"), person(None, "1990-05-15"), person(None, "1990-05-15")]
    scored = edges((0, 1, 5.0, 0.0, UNLIKE), (1, 2, -8.0, 0.0, UNLIKE))
    constraints = decisions(
        ("test:0", "test:1", SAME_PERSON), ("test:1", "test:2", SAME_PERSON), ("test:0", "test:2", DIFFERENT_PEOPLE)
    )
    groups, links, features = clusters_with(rows, scored, constraints)
    assert groups == [{"test:0", "test:1"}, {"test:2"}]
    assert constraint_outcomes(constraints, links, features)["status"].tolist() == [APPLIED, NOT_HELD, APPLIED]


def test_a_pair_decided_both_ways_stays_apart():
    rows = [person(None, "1990-05-15"), person(None, "1990-05-15")]
    scored = edges((0, 1, 25.0, 0.0, STRONG))
    constraints = decisions(("test:0", "test:1", SAME_PERSON), ("test:1", "test:0", DIFFERENT_PEOPLE))
    assert clusters_with(rows, scored, constraints)[0] == [{"test:0"}, {"test:1"}]


def test_decisions_about_records_that_are_gone_are_reported_and_ignored():
    rows = [person(None, "1990-05-15"), person(None, "1990-05-15")]
    scored = edges((0, 1, 25.0, 0.0, STRONG))
    constraints = decisions(("test:0", "umkm:9", DIFFERENT_PEOPLE), ("test:0", "test:1", SAME_PERSON))
    groups, links, features = clusters_with(rows, scored, constraints)
    assert groups == [{"test:0", "test:1"}]
    assert constraint_outcomes(constraints, links, features)["status"].tolist() == [RECORD_MISSING, APPLIED]


def test_a_different_people_decision_on_one_trusted_nik_is_a_nik_rule_conflict():
    rows = [person("3276011505900001", "1990-05-15"), person("3276011505900001", "1990-05-15", "AGUS SETIAWAN")]
    scored = edges((0, 1, 30.0, 10.0, STRONG))
    constraints = decisions(("test:0", "test:1", DIFFERENT_PEOPLE))
    groups, links, features = clusters_with(rows, scored, constraints)
    assert groups == [{"test:0"}, {"test:1"}]
    outcome = constraint_outcomes(constraints, links, features)
    assert outcome["nik_rule_conflict"].tolist() == [True]
