"""Issue 11's registry rules: registered NIKs, double registrations to review, stated sex, phone + call name."""

from __future__ import annotations

import dataclasses

from matching import DEFAULT_SETTINGS, link_records
from matching.clustering import LevelsOf, cluster, edge_flags
from matching.features import compute_features
from matching.link import _add_register_features
from tests.matching.helpers import person_records
from tests.matching.test_clustering import PRIOR, STRONG, edges

RULES = dataclasses.replace(
    DEFAULT_SETTINGS,
    nik_register_sources=("dukcapil",),
    double_registration_requires=(
        (LevelsOf("name", ("exact", "token_sorted", "given_name")),),
        (LevelsOf("birth_date", ("exact", "nik_implied")),),
    ),
    stated_sex_apart=True,
    link_when=((LevelsOf("phone", ("exact",)),), (LevelsOf("name", ("exact", "alias", "alias_partial")),)),
)


def _features(rows):
    records = person_records(rows)
    features = compute_features(records)
    _add_register_features(features, records, RULES)
    return features


def _clusters(rows, scored, settings=RULES):
    links = cluster(scored, _features(rows), PRIOR, settings.cluster_guards())
    return sorted((set(group) for _, group in links.groupby("cluster")["record_id"]), key=sorted)


def test_two_registered_niks_never_merge_but_a_double_registration_is_flagged_for_review():
    rows = [
        {"source": "dukcapil", "nik": "3276011505900001", "birth_date": "1990-05-15", "name": "AGUS SANTOSO"},
        {"source": "dukcapil", "nik": "3171011505900007", "birth_date": "1990-05-15", "name": "AGUS SANTOSO"},
    ]
    scored = edges((0, 1, 40.0, -5.0, STRONG))  # overwhelming evidence: the default override would merge them
    assert _clusters(rows, scored, DEFAULT_SETTINGS) == [{"dukcapil:0", "dukcapil:1"}]
    assert _clusters(rows, scored) == [{"dukcapil:0"}, {"dukcapil:1"}]
    flags = edge_flags(scored, _features(rows), PRIOR, RULES.cluster_guards())
    assert flags["double_registration"].tolist() == [True]


def test_a_valid_nik_outside_the_register_can_still_be_overridden():
    rows = [
        {"source": "dukcapil", "nik": "3276011505900001", "birth_date": "1990-05-15", "name": "AGUS SANTOSO"},
        {"source": "bpjs", "nik": "3276011505900009", "birth_date": "1990-05-15", "name": "AGUS SANTOSO"},
    ]
    assert _clusters(rows, edges((0, 1, 40.0, -5.0, STRONG))) == [{"dukcapil:0", "bpjs:1"}]


def test_a_stated_sex_that_differs_keeps_twins_apart_even_through_a_list_record():
    rows = [
        {"source": "bpjs", "name": "FAJAR HIDAYAT", "sex": "L", "birth_date": "2001-02-03"},
        {"source": "kom", "name": "FAJ", "phone": "6281234567890"},
        {"source": "umkm", "name": "FAJRIA HIDAYAT", "sex": "P", "birth_date": "2001-02-03"},
    ]
    scored = edges((0, 2, 30.0, 0.0, STRONG), (0, 1, 12.0, 0.0, STRONG), (1, 2, 10.0, 0.0, STRONG))
    assert _clusters(rows, scored, DEFAULT_SETTINGS) == [{"bpjs:0", "kom:1", "umkm:2"}]
    assert _clusters(rows, scored) == [{"bpjs:0", "kom:1"}, {"umkm:2"}]


def test_a_phone_and_a_call_name_link_below_the_threshold():
    rows = [
        {
            "source": "dukcapil",
            "nik": "3276011505900001",
            "birth_date": "1990-05-15",
            "name": "SUPRIYADI",
            "sex": "L",
            "phone": "6281234567890",
        },
        {"source": "komunitas", "name": "BANG SUP", "phone": "6281234567890"},
        {"source": "komunitas", "name": "CAK DIDI", "phone": "6281234567890"},
        {"source": "komunitas", "name": "JOKO", "phone": "6281234567890"},
    ]
    records = person_records(rows)
    result = link_records(records, dataclasses.replace(RULES, u_sample_pairs=1000, u_sample_pairs_per_record=0))
    levels = result.scored_pairs.set_index(["record_id_l", "record_id_r"])["level_name"].astype(str)
    assert levels[("dukcapil:0", "komunitas:1")] == "alias"  # SUP begins SUPRIYADI
    assert levels[("dukcapil:0", "komunitas:2")] == "alias"  # DIDI: SUPRIYADI's last syllable doubled
    cluster_of = result.links.set_index("record_id")["cluster"]
    assert cluster_of["komunitas:1"] == cluster_of["dukcapil:0"] == cluster_of["komunitas:2"]
    assert cluster_of["komunitas:3"] != cluster_of["dukcapil:0"]  # same phone, another name: a housemate
