"""Evaluation from counts equals brute-force pair counting."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from matching import (
    BlockingRule,
    blocking_recall,
    blocking_recall_by_source_pair,
    blocking_subset,
    evaluate_links,
    subset_metrics,
)

SOURCES = ("a", "b", "c")


def random_case(seed: int, records: int = 60) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    record_ids = [f"r{k:03d}" for k in range(records)]
    truth = pd.DataFrame(
        {"record_id": record_ids, "source": rng.choice(SOURCES, records), "person_id": rng.integers(0, 20, records)}
    )
    links = pd.DataFrame({"record_id": record_ids, "cluster": [f"c{c}" for c in rng.integers(0, 25, records)]})
    return links, truth


def brute_force(links: pd.DataFrame, truth: pd.DataFrame) -> dict[tuple[str, str], tuple[int, int, int]]:
    """(true pairs, predicted pairs, true positives) per sorted source pair, by enumerating all pairs."""
    joined = links.merge(truth, on="record_id")
    counts: dict[tuple[str, str], list[int]] = {}
    for x, y in itertools.combinations(joined.itertuples(), 2):
        key = tuple(sorted((x.source, y.source)))
        same_person, same_cluster = x.person_id == y.person_id, x.cluster == y.cluster
        entry = counts.setdefault(key, [0, 0, 0])
        entry[0] += same_person
        entry[1] += same_cluster
        entry[2] += same_person and same_cluster
    return {key: tuple(value) for key, value in counts.items() if value[0] or value[1]}


@pytest.mark.parametrize("seed", range(5))
def test_pair_counts_per_source_pair_match_brute_force(seed):
    links, truth = random_case(seed)
    evaluation = evaluate_links(links, truth)
    by_pair = evaluation.by_source_pair
    got = {
        (row.source_l, row.source_r): (row.true_pairs, row.predicted_pairs, row.true_positives)
        for row in by_pair.itertuples()
    }
    expected = brute_force(links, truth)
    assert got == expected
    tp = sum(v[2] for v in expected.values())
    overall = evaluation.overall.iloc[0]
    assert overall["precision"] == pytest.approx(tp / sum(v[1] for v in expected.values()))
    assert overall["recall"] == pytest.approx(tp / sum(v[0] for v in expected.values()))


def test_cluster_counts():
    truth = pd.DataFrame({"record_id": list("abcdef"), "source": "s", "person_id": [1, 1, 2, 2, 3, 4]})
    links = pd.DataFrame({"record_id": list("abcdef"), "cluster": ["x", "x", "y", "z", "w", "w"]})
    clusters = evaluate_links(links, truth).clusters.iloc[0].to_dict()
    assert clusters == {
        "true_persons": 4,
        "predicted_clusters": 4,
        "exact_clusters": 1,
        "split_persons": 1,
        "merged_clusters": 1,
    }


def test_subset_metrics_count_only_links_leaving_the_subset():
    links, truth = random_case(3)
    by_pair = evaluate_links(links, truth).by_source_pair
    expected = brute_force(links, truth)
    crossing = [value for (x, y), value in expected.items() if (x == "a") != (y == "a")]
    row = subset_metrics(by_pair, {"a"}).iloc[0]
    assert row["true_pairs"] == sum(v[0] for v in crossing)
    assert row["true_positives"] == sum(v[2] for v in crossing)


def test_blocking_recall_per_rule():
    truth = pd.DataFrame({"record_id": list("abcd"), "person_id": [1, 1, 1, 2]})
    candidates = pd.DataFrame(
        {"record_id_l": ["a", "a", "c"], "record_id_r": ["b", "c", "d"], "rules": [0b01, 0b10, 0b11]}
    )
    rules = (BlockingRule(name="x", key=("k",)), BlockingRule(name="y", key=("k",)))
    recall = blocking_recall(candidates, truth, rules).set_index("rule")
    assert recall.loc["all", ["pairs", "true_pairs_found", "true_pairs"]].tolist() == [3, 2, 3]
    assert recall.loc["x", "recall"] == pytest.approx(1 / 3)
    assert recall.loc["y", "true_pairs_found"] == 1


def brute_force_blocking(candidates: pd.DataFrame, truth: pd.DataFrame) -> dict[tuple[str, str], tuple[int, int, int]]:
    """(true pairs, found, reachable) per sorted source pair: reachable by a walk over true candidate pairs."""
    person = dict(zip(truth["record_id"], truth["person_id"], strict=True))
    source = dict(zip(truth["record_id"], truth["source"], strict=True))
    edges = {frozenset(pair) for pair in zip(candidates["record_id_l"], candidates["record_id_r"], strict=True)}
    true_edges = [tuple(edge) for edge in edges if len({person[r] for r in edge}) == 1]
    neighbours: dict[str, set[str]] = {r: set() for r in truth["record_id"]}
    for x, y in true_edges:
        neighbours[x].add(y)
        neighbours[y].add(x)

    def reach(start: str) -> set[str]:
        seen, todo = {start}, [start]
        while todo:
            for nxt in neighbours[todo.pop()] - seen:
                seen.add(nxt)
                todo.append(nxt)
        return seen

    counts: dict[tuple[str, str], list[int]] = {}
    for x, y in itertools.combinations(truth["record_id"], 2):
        if person[x] != person[y]:
            continue
        entry = counts.setdefault(tuple(sorted((source[x], source[y]))), [0, 0, 0])
        entry[0] += 1
        entry[1] += frozenset((x, y)) in edges
        entry[2] += y in reach(x)
    return {key: tuple(value) for key, value in counts.items()}


@pytest.mark.parametrize("seed", range(4))
def test_blocking_recall_per_source_pair_matches_brute_force(seed):
    _links, truth = random_case(seed)
    rng = np.random.default_rng(seed)
    pairs = {tuple(sorted(rng.choice(truth["record_id"], 2, replace=False))) for _ in range(150)}
    candidates = pd.DataFrame(sorted(pairs), columns=["record_id_l", "record_id_r"])
    by_pair = blocking_recall_by_source_pair(candidates, truth)
    got = {(row.source_l, row.source_r): (row.true_pairs, row.found, row.reachable) for row in by_pair.itertuples()}
    expected = brute_force_blocking(candidates, truth)
    assert got == expected
    assert (by_pair["reachable"] >= by_pair["found"]).all()
    without_a = blocking_subset(by_pair, {"a"}, involving=False).iloc[0]
    kept = [value for key, value in expected.items() if "a" not in key]
    assert without_a["recall"] == pytest.approx(sum(v[1] for v in kept) / sum(v[0] for v in kept))
