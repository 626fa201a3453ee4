"""The engine end to end: generated Depok data through the contracts, determinism, the query API."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from data_contracts import load_contracts, load_region_reference, read_source, standardise, validate_source
from data_contracts.schema import empty_person_frame
from matching import DEFAULT_SETTINGS, evaluate_links, link_records, match_query
from matching.link import RECORD_COLUMNS, encoded_features, in_record_order, link_features, matching_features
from matching.normalize import RegionResolver
from sample_data.generate import generate_frames, write_sources
from tests.matching.helpers import person_records

AS_OF = dt.date(2026, 11, 21)
SETTINGS = dataclasses.replace(DEFAULT_SETTINGS, u_sample_pairs=50_000, u_sample_pairs_per_record=0)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """Person records and truth of 400 generated persons, standardised by the data contracts."""
    folder = tmp_path_factory.mktemp("generated")
    data = generate_frames(400, 11, AS_OF)
    write_sources(data, folder)
    regions = RegionResolver(load_region_reference())
    records = []
    for contract in load_contracts().values():
        raw = read_source(contract, folder)
        records.append(standardise(contract, raw, validate_source(contract, raw), AS_OF, regions).records)
    return pd.concat(records, ignore_index=True), data.records


@pytest.fixture(scope="module")
def linked(generated):
    return link_records(generated[0], SETTINGS, seed=3)


def test_generated_records_are_linked_accurately(generated, linked):
    overall = evaluate_links(linked.links, generated[1]).overall.iloc[0]
    assert overall["precision"] > 0.97
    assert overall["recall"] > 0.95


def test_outputs_explain_every_link(linked):
    scored = linked.scored_pairs
    weights = [c for c in scored.columns if c.startswith("w_")]
    assert {"w_nik", "w_name", "w_birth_date", "w_sex", "w_phone", "w_location"} <= set(weights)
    np.testing.assert_allclose(scored[weights].sum(axis=1) + linked.model.prior_weight, scored["match_weight"])
    assert linked.links["record_id"].is_unique
    assert set(linked.m_u_table.columns) == {"comparison", "level", "m", "u", "weight"}
    assert linked.blocking_stats["rule"].tolist() == [rule.name for rule in SETTINGS.blocking_rules]
    queue = linked.review_queue
    assert (queue["cluster_l"] != queue["cluster_r"]).all()
    assert set(queue["reason"]) <= {"uncertain", "nik_conflict", "generation_gap", "cluster_guard"}


def test_same_input_in_any_row_order_gives_the_same_links(generated, linked):
    shuffled = generated[0].sample(frac=1.0, random_state=5).reset_index(drop=True)
    again = link_records(shuffled, SETTINGS, seed=3)
    pd.testing.assert_frame_equal(
        again.links.sort_values("record_id").reset_index(drop=True)[["record_id", "cluster"]],
        linked.links.sort_values("record_id").reset_index(drop=True)[["record_id", "cluster"]],
    )


def test_duplicate_record_ids_are_rejected(generated):
    records = generated[0]
    with pytest.raises(ValueError, match="record_id"):
        link_records(pd.concat([records.head(3), records.head(1)], ignore_index=True), SETTINGS)


def test_match_query_finds_a_community_member_in_the_registry(generated, linked):
    registry = generated[0]
    member = registry[registry["phone"].notna() & registry["name"].str.contains(" ")].iloc[0]
    query = person_records(
        [
            {"source": "check", "name": member["name"], "phone": member["phone"]},
            {"source": "check", "name": "ZZYZX QWERTY", "phone": "6280000000001"},
        ]
    )
    result = match_query(query, registry, linked.model, SETTINGS)
    matches = result.matches.set_index("query_record_id")
    assert matches.loc["check:0", "status"] == "match"
    assert registry.set_index("record_id").loc[matches.loc["check:0", "registry_record_id"], "phone"] == member["phone"]
    assert matches.loc["check:1", "status"] == "no_match"
    assert (result.pairs["query_record_id"].str.startswith("check:")).all()


def test_match_query_never_confirms_a_conflicting_valid_nik(generated, linked):
    """Same name, birth date and sex but another valid NIK, and nothing else agreeing: a namesake."""
    registry = generated[0]
    trusted = registry[registry["nik_valid"] & (registry["nik_birth_date"] == registry["birth_date"])]
    person = trusted.iloc[0]
    other_nik = person["nik"][:12] + ("9999" if person["nik"][12:] != "9999" else "9998")
    query = person_records(
        [
            {
                "source": "check",
                "name": person["name"],
                "nik": other_nik,
                "birth_date": person["birth_date"],
                "sex": person["sex"],
            }
        ]
    )
    result = match_query(query, registry[registry["record_id"] == person["record_id"]], linked.model, SETTINGS)
    assert result.matches.loc[0, "registry_record_id"] == person["record_id"]
    assert result.matches.loc[0, "status"] == "review"
    assert result.pairs["guard"].tolist() == ["nik_conflict"]


def test_the_engine_reads_no_person_column_beyond_record_columns(generated):
    """The night loads only ``RECORD_COLUMNS`` of the person records: every other column, shuffled or dropped,
    leaves the features (and so the links) unchanged."""
    records = generated[0].sort_values("record_id").reset_index(drop=True)
    assert set(RECORD_COLUMNS) <= set(empty_person_frame().columns)
    others = [column for column in records.columns if column not in RECORD_COLUMNS]
    assert others  # the selection leaves something out
    rng = np.random.default_rng(5)
    shuffled = records.copy()
    for column in others:
        shuffled[column] = records[column].to_numpy()[rng.permutation(len(records))]
    expected = matching_features(records, SETTINGS)
    pd.testing.assert_frame_equal(matching_features(shuffled, SETTINGS), expected)
    pd.testing.assert_frame_equal(matching_features(records[list(RECORD_COLUMNS)], SETTINGS), expected)


def test_linking_in_steps_gives_what_link_records_gives(generated, linked):
    """The night's asset runs the engine in steps (to hold less at once): the same outputs as ``link_records``."""
    records = generated[0][list(RECORD_COLUMNS)].sample(frac=1.0, random_state=2)
    keys = matching_features(in_record_order(records), SETTINGS)
    stepwise = link_features(encoded_features(keys, SETTINGS), SETTINGS, seed=3, timings={"features": 1.0})
    pd.testing.assert_frame_equal(stepwise.scored_pairs, linked.scored_pairs)
    pd.testing.assert_frame_equal(stepwise.links, linked.links)
    pd.testing.assert_frame_equal(stepwise.review_queue, linked.review_queue)
    assert list(stepwise.timings)[:2] == ["features", "block"]
    with_features = link_records(generated[0], SETTINGS, seed=3, keep_features=True)
    pd.testing.assert_frame_equal(with_features.features, keys)
    pd.testing.assert_frame_equal(with_features.links, linked.links)
