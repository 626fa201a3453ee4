"""The trained model as a JSON artefact: same scores after a round trip, refused under other settings, a
restart from it converges to the same links, and what moved between two models."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd
import pytest

from data_contracts.matching_settings import load_matching_settings
from matching import (
    ModelMismatchError,
    link_records,
    match_query,
    model_changes,
    model_from_dict,
    model_to_dict,
    score_record_pairs,
    settings_fingerprint,
)
from tests.matching.english_register import person_frames

SETTINGS = load_matching_settings(
    Path(__file__).resolve().parents[2] / "sample_data" / "english_register" / "matching.yaml"
)


@pytest.fixture(scope="module")
def trained():
    records, _ = person_frames(1200, seed=5)["register"]
    return records, link_records(records, SETTINGS, seed=1)


def test_round_trip_through_json_scores_the_same(trained):
    records, result = trained
    document = json.loads(json.dumps(model_to_dict(result.model, settings_fingerprint(SETTINGS))))
    assert document["settings_hash"] == settings_fingerprint(SETTINGS)
    assert {c["name"] for c in document["comparisons"]} == {"name", "birth_date", "phone", "address"}
    reloaded = model_from_dict(document, SETTINGS.comparisons, settings_fingerprint(SETTINGS))
    query, registry = records.iloc[:40], records.iloc[40:]
    before = match_query(query, registry, result.model, SETTINGS).pairs
    after = match_query(query, registry, reloaded, SETTINGS).pairs
    pd.testing.assert_frame_equal(before, after)
    assert reloaded.prior_weight == pytest.approx(result.model.prior_weight)


def test_model_of_other_settings_is_refused(trained):
    _, result = trained
    document = model_to_dict(result.model, settings_fingerprint(SETTINGS))
    other = dataclasses.replace(SETTINGS, match_threshold=0.9)
    with pytest.raises(ModelMismatchError, match="settings hash differs"):
        model_from_dict(document, other.comparisons, settings_fingerprint(other))
    with pytest.raises(ModelMismatchError, match="comparisons"):
        model_from_dict(document, SETTINGS.comparisons[1:])


def test_em_started_from_the_last_model_gives_the_same_links(trained):
    records, result = trained
    again = link_records(records, SETTINGS, seed=1, start_model=result.model)
    assert again.model.em_iterations <= result.model.em_iterations
    pd.testing.assert_frame_equal(again.links[["record_id", "cluster"]], result.links[["record_id", "cluster"]])
    changes = model_changes(model_to_dict(result.model, "a"), model_to_dict(again.model, "a"))
    assert set(changes.columns) == {"comparison", "level", "weight_before", "weight_after", "change"}
    assert changes["change"].abs().max() < 0.05
    assert changes["change"].abs().is_monotonic_decreasing


def test_pairs_of_one_cluster_scored_without_training(trained):
    records, result = trained
    linked = result.links[result.links["cluster_size"] > 1]
    cluster = linked["cluster"].iloc[0]
    own = records[records["record_id"].isin(linked.loc[linked["cluster"] == cluster, "record_id"])]
    pairs = score_record_pairs(own, result.model, SETTINGS)
    assert len(pairs) == len(own) * (len(own) - 1) // 2
    nightly = result.scored_pairs.set_index(["record_id_l", "record_id_r"])["match_weight"]
    for row in pairs.itertuples():
        if (row.record_id_l, row.record_id_r) in nightly.index:
            assert row.match_weight == pytest.approx(nightly[(row.record_id_l, row.record_id_r)])
