"""Settings mappings → MatchSettings: derived blocking keys, declared levels, guards that check their levels."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from data_contracts.schema import conform_to_person_schema
from matching import link_records
from matching.blocking import block
from matching.clustering import ClusterGuards, LevelsOf, NikConflictGuard, cluster
from matching.features import compute_features, soundex
from matching.settings import DEFAULT_SETTINGS, MatchSettings, MatchSettingsError
from matching.settings_mapping import settings_from_mapping


def _records(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame.insert(0, "source", "register")
    frame["source_file"] = "register.csv"
    frame["source_row"] = range(2, len(frame) + 2)
    if "birth_date" in frame:
        frame["birth_date"] = pd.to_datetime(frame["birth_date"])
    return conform_to_person_schema(frame)


def _mapping(**overrides) -> dict:
    mapping = {
        "version": 1,
        "names": {"spelling": "plain"},
        "blocking": {
            "rules": [
                {
                    "name": "surname_sound_year",
                    "key": [
                        {
                            "any": [
                                {"field": "name_first", "transform": "phonetic"},
                                {"field": "name_last", "transform": "phonetic"},
                            ]
                        },
                        {"field": "birth_date", "transform": "year"},
                    ],
                },
            ]
        },
        "synonyms": {"name": {"bob": "robert"}, "street": {"STREET": "ST"}},
        "comparisons": [
            {
                "name": "name",
                "kind": "levels",
                "levels": [
                    {"name": "exact", "when": {"exact": "name"}},
                    {
                        "name": "close",
                        "when": {
                            "all": [{"jaro_winkler": "name_first", "min": 0.85}, {"levenshtein": "name_last", "max": 1}]
                        },
                    },
                    {"name": "else"},
                ],
            },
            {
                "name": "street",
                "kind": "levels",
                "levels": [
                    {"name": "same", "when": {"all": [{"exact": "house_number"}, {"exact": "street"}]}},
                    {"name": "else"},
                ],
            },
        ],
        "thresholds": {"match": 0.5, "review": 0.1},
        "clustering": {
            "nik_conflict": None,
            "generation_gap_years": None,
            "link_requires": [[{"comparison": "name", "levels": ["exact", "close"]}]],
        },
    }
    mapping.update(overrides)
    return mapping


def test_soundex_known_values():
    codes = soundex(pd.Series(["Robert", "Rupert", "Ashcraft", "Tymczak", "Pfister", None]))
    assert codes[:5].tolist() == ["R163", "R163", "A261", "T522", "P236"]
    assert pd.isna(codes[5])


def test_derived_keys_synonyms_and_declared_levels():
    settings = settings_from_mapping(_mapping())
    records = _records(
        [
            {
                "record_id": "r:1",
                "name": "BOB SMYTHE",
                "birth_date": "1980-01-02",
                "house_number": "12",
                "street": "King Street",
            },
            {
                "record_id": "r:2",
                "name": "ROBERT SMITHE",
                "birth_date": "1980-06-30",
                "house_number": "12",
                "street": "KING ST",
            },
            {
                "record_id": "r:3",
                "name": "ROBERT SMITHE",
                "birth_date": "1990-06-30",
                "house_number": "7",
                "street": "QUEEN ST",
            },
        ]
    )
    features = compute_features(records, settings.feature_spec())
    assert features["name_key"].tolist() == ["ROBERT SMYTHE", "ROBERT SMITHE", "ROBERT SMITHE"]
    assert features["street_text"].tolist() == ["KING ST", "KING ST", "QUEEN ST"]
    assert features["birth_date|year"].tolist() == [1980, 1980, 1990]
    pairs = block(features, settings.blocking_rules, settings.max_block_size).pairs
    assert pairs[["left", "right"]].values.tolist() == [[0, 1]]  # same sound and year; r:3 is another year
    result = link_records(records, settings)
    scored = result.scored_pairs.iloc[0]
    assert (scored["level_name"], scored["level_street"]) == ("close", "same")
    assert result.links["cluster"].tolist() == ["r:1", "r:1", "r:3"]


def _scored(levels: list[tuple[int, int, str]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    features = pd.DataFrame({"record_id": ["r:0", "r:1", "r:2"], "nik_trusted": False, "nik_num": -1, "birth_year": -1})
    scored = pd.DataFrame(
        {
            "left": [a for a, _, _ in levels],
            "right": [b for _, b, _ in levels],
            "match_weight": [20.0, 19.0, 18.0],
            "match_probability": 0.999,
            "w_name": 0.0,
            "level_name": [level for _, _, level in levels],
        }
    )
    return scored, features


def test_link_requires_keeps_housemates_apart_whatever_their_probability():
    scored, features = _scored([(0, 1, "else"), (0, 2, "exact"), (1, 2, "else")])
    requires = ((LevelsOf("name", ("exact", "close")),),)
    guards = ClusterGuards(
        match_threshold=0.5,
        nik_conflict_override_weight=16,
        generation_gap_years=None,
        max_cluster_size=10,
        nik_conflict=None,
        link_requires=requires,
    )
    assert cluster(scored, features, -10.0, guards)["cluster"].tolist() == ["r:0", "r:1", "r:0"]
    no_guard = dataclasses.replace(guards, link_requires=())
    assert cluster(scored, features, -10.0, no_guard)["cluster"].tolist() == ["r:0", "r:0", "r:0"]


def test_keep_apart_holds_through_other_records():
    scored, features = _scored([(0, 1, "exact"), (1, 2, "exact"), (0, 2, "else")])
    guards = ClusterGuards(
        match_threshold=0.5,
        nik_conflict_override_weight=16,
        generation_gap_years=None,
        max_cluster_size=10,
        nik_conflict=None,
        keep_apart=(LevelsOf("name", ("else",)),),
    )
    clusters = cluster(scored, features, -10.0, guards)["cluster"].tolist()
    assert clusters == ["r:0", "r:0", "r:2"]  # the stronger edge 0–1 first; 1–2 would join 0 and 2


def test_guard_naming_a_level_that_does_not_exist_fails_on_construction():
    guard = NikConflictGuard(requires=((LevelsOf("name", ("exact", "exact_match")),),))
    with pytest.raises(MatchSettingsError, match=r"'exact_match' is not a level of comparison 'name'"):
        MatchSettings(nik_conflict_guard=guard)
    with pytest.raises(MatchSettingsError, match="no comparison named 'nik'"):
        MatchSettings(comparisons=DEFAULT_SETTINGS.comparisons[1:])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"names": {"spelling": "dutch"}}, "names.spelling: 'dutch' is not one of"),
        (
            {
                "comparisons": [
                    {"name": "x", "kind": "levels", "levels": [{"name": "a", "when": {"exact": "name"}}, {"name": "b"}]}
                ]
            },
            "comparisons[0].levels[1]: the last level must be {name: else}",
        ),
        (
            {
                "comparisons": [
                    {
                        "name": "x",
                        "kind": "levels",
                        "levels": [{"name": "a", "when": {"jaro_winkler": "postcode", "min": 1.5}}, {"name": "else"}],
                    }
                ]
            },
            "comparisons[0].levels[0].when.min: 1.5 is outside [0.0, 1.0]",
        ),
        (
            {
                "comparisons": [
                    {
                        "name": "x",
                        "kind": "levels",
                        "levels": [{"name": "a", "when": {"sounds_like": "name"}}, {"name": "else"}],
                    }
                ]
            },
            "comparisons[0].levels[0].when: unknown test ['sounds_like']",
        ),
        (
            {"blocking": {"rules": [{"name": "r", "key": [{"field": "birth_date", "transform": "first", "n": 2}]}]}},
            "blocking.rules[0].key[0].field: 'first' needs a text field",
        ),
        ({"synonyms": {"kelurahan": {"A": "B"}}}, "synonyms.kelurahan: synonyms apply to"),
    ],
)
def test_mapping_errors_name_the_key_path(change, message):
    with pytest.raises(MatchSettingsError) as caught:
        settings_from_mapping(_mapping(**change))
    assert message in str(caught.value)


def test_a_term_frequency_level_the_comparison_does_not_have_fails_on_construction():
    name = next(c for c in DEFAULT_SETTINGS.comparisons if c.name == "name")
    renamed = dataclasses.replace(name, tf_level="exact_name", frequency_levels={"exact_name": "name_key_code"})
    comparisons = tuple(renamed if c is name else c for c in DEFAULT_SETTINGS.comparisons)
    with pytest.raises(MatchSettingsError) as caught:
        MatchSettings(comparisons=comparisons)
    assert "(name).tf_level: 'exact_name' is not one of its levels" in str(caught.value)
    assert "(name).frequency_levels: 'exact_name' is not one of its levels" in str(caught.value)


def test_call_name_suffix_minimum_is_declared_with_the_name_levels():
    from pathlib import Path

    import yaml

    mapping = yaml.safe_load((Path(__file__).parents[2] / "data_contracts/matching/depok.yaml").read_text())
    position = next(i for i, c in enumerate(mapping["comparisons"]) if c["kind"] == "name")
    assert mapping["comparisons"][position]["call_name_suffix_min"] == 4
    assert settings_from_mapping(mapping).comparisons[position].call_name_suffix_min == 4
    mapping["comparisons"][position]["call_name_suffix_min"] = 1
    with pytest.raises(MatchSettingsError) as caught:
        settings_from_mapping(mapping)
    assert f"comparisons[{position}].call_name_suffix_min: 1 is outside [2, 10]" in str(caught.value)


def test_apart_when_different_is_read_as_fields_optionally_restricted_to_a_flag():
    from pathlib import Path

    import yaml

    from matching.blocking import Apart

    mapping = yaml.safe_load((Path(__file__).parents[2] / "data_contracts/matching/depok.yaml").read_text())
    position = next(k for k, rule in enumerate(mapping["blocking"]["rules"]) if rule["name"] == "birth_date_address")
    rule = mapping["blocking"]["rules"][position]
    rule["apart_when_different"] = ["rt_rw", {"field": "trusted_nik", "only_for": "nik_registered"}]
    assert settings_from_mapping(mapping).blocking_rules[position].apart_when_different == (
        Apart("rt_rw"),
        Apart("nik_trusted_num", only_for="nik_registered"),
    )
    rule["apart_when_different"] = [{"field": "trusted_nik", "only_for": "missing_nik"}]
    with pytest.raises(MatchSettingsError) as caught:
        settings_from_mapping(mapping)
    assert f"blocking.rules[{position}].apart_when_different[0].only_for: 'missing_nik' is not one of" in str(
        caught.value
    )
