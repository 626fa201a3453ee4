"""The feature step in two parts: keys computed row by row (what the night publishes as ``matching_features``) and
coded over the rows given, so a list is matched against a registry's keys computed once."""

from __future__ import annotations

import pandas as pd
import pytest

import matching.link
from data_contracts.matching_settings import load_matching_settings
from matching import DEFAULT_SETTINGS, link_records, match_query, score_record_pairs
from matching.features import FEATURE_KEY_COLUMNS, compute_features, encode_features, feature_keys
from matching.link import MATCHING_FEATURE_COLUMNS, matching_features
from tests.matching.english_register import person_frames

ENGLISH_SETTINGS = "sample_data/english_register/matching.yaml"


@pytest.fixture(scope="module")
def register():
    records, _truth = person_frames(400, 5)["register"]
    return records.sort_values("record_id", kind="stable").reset_index(drop=True)


def test_keys_are_row_wise_so_parts_coded_together_equal_the_whole(register):
    spec = load_matching_settings(ENGLISH_SETTINGS).feature_spec()
    assert spec.derived and spec.synonyms and spec.name_texts  # phonetic keys, synonyms, fuzzy name texts
    whole = compute_features(register, spec)
    first, second = register.iloc[:150], register.iloc[150:]
    keys = pd.concat([feature_keys(first, spec), feature_keys(second, spec)], ignore_index=True)
    assert tuple(keys.columns) == FEATURE_KEY_COLUMNS
    pd.testing.assert_frame_equal(encode_features(keys, spec), whole)


def test_a_list_matched_against_registry_features_computes_only_its_own(register, monkeypatch):
    settings = load_matching_settings(ENGLISH_SETTINGS)
    result = link_records(register, settings, keep_features=True)
    assert tuple(result.features.columns) == MATCHING_FEATURE_COLUMNS
    pd.testing.assert_frame_equal(result.features, matching_features(register, settings))
    query = register.sample(40, random_state=3).assign(record_id=lambda frame: "daftar:" + frame["record_id"])
    recomputed = match_query(query, register, result.model, settings)
    calls: list[int] = []
    build = matching.link.feature_keys
    monkeypatch.setattr(
        matching.link, "feature_keys", lambda records, spec=None: calls.append(len(records)) or build(records, spec)
    )
    published = match_query(query, None, result.model, settings, registry_features=result.features)
    assert calls == [len(query)]
    pd.testing.assert_frame_equal(published.matches, recomputed.matches)
    pd.testing.assert_frame_equal(published.pairs, recomputed.pairs)
    assert published.matches["status"].eq("match").mean() > 0.9


def test_registry_features_must_be_whole_and_ids_unique(register):
    result = link_records(register.head(60), DEFAULT_SETTINGS, keep_features=True)
    with pytest.raises(ValueError, match="nik_registered"):
        match_query(
            register.head(2), None, result.model, registry_features=result.features.drop(columns="nik_registered")
        )
    with pytest.raises(ValueError, match="duplicate"):
        match_query(register.head(2), None, result.model, registry_features=result.features)
    with pytest.raises(ValueError, match="registry_records or registry_features"):
        match_query(register.head(2), None, result.model)


def test_a_workers_pairs_are_scored_from_its_features_as_from_its_records(register):
    result = link_records(register, DEFAULT_SETTINGS, keep_features=True)
    own = register.head(4)
    from_records = score_record_pairs(own, result.model)
    features = result.features[result.features["record_id"].isin(own["record_id"])].iloc[::-1]
    pd.testing.assert_frame_equal(score_record_pairs(None, result.model, features=features), from_records)
