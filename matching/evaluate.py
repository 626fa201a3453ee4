"""Evaluation against ground truth, computed from counts (never from O(n²) lists of pairs).

Within a group of ``k`` records there are ``k(k-1)/2`` pairs, so pairwise counts follow from group sizes:
predicted pairs from cluster sizes, true pairs from person sizes, true positives from the sizes of the
(cluster, person) cells of the contingency table. Per pair of sources the same holds with per-source counts
``x``: pairs between sources ``a ≠ b`` in a group are ``x_a·x_b``, within source ``a`` ``x_a(x_a-1)/2``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from matching.blocking import BlockingRule


@dataclass(frozen=True)
class Evaluation:
    """``overall`` (one row), ``by_source_pair`` (one row per unordered source pair), ``clusters`` (one row)."""

    overall: pd.DataFrame
    by_source_pair: pd.DataFrame
    clusters: pd.DataFrame


def evaluate_links(links: pd.DataFrame, truth: pd.DataFrame) -> Evaluation:
    """Compare ``links`` (``record_id``, ``cluster``) with ``truth`` (``source``, ``record_id``, ``person_id``).

    Records of ``links`` absent from ``truth`` raise: every evaluated record needs a true person.
    """
    joined = links[["record_id", "cluster"]].merge(
        truth[["record_id", "source", "person_id"]], on="record_id", how="left", validate="one_to_one"
    )
    if joined["person_id"].isna().any():
        raise ValueError(f"truth: {int(joined['person_id'].isna().sum())} linked records have no person_id")
    cluster_code = pd.factorize(joined["cluster"])[0]
    person_code = pd.factorize(joined["person_id"])[0]
    cell_code = pd.factorize(cluster_code.astype(np.int64) * (person_code.max(initial=0) + 1) + person_code)[0]
    sources, source_code = _sorted_codes(joined["source"])
    predicted = _pairs_by_source(cluster_code, source_code, len(sources))
    true = _pairs_by_source(person_code, source_code, len(sources))
    correct = _pairs_by_source(cell_code, source_code, len(sources))
    by_source = _source_pair_frame(sources, true, predicted, correct)
    totals = by_source[["true_pairs", "predicted_pairs", "true_positives"]].sum().to_frame().T
    return Evaluation(
        overall=_metrics_frame(totals.astype("int64")),
        by_source_pair=by_source,
        clusters=_cluster_counts(cluster_code, person_code, cell_code),
    )


def subset_metrics(by_source_pair: pd.DataFrame, sources: set[str]) -> pd.DataFrame:
    """Pairwise metrics over the links between ``sources`` and any *other* source (one row)."""
    crossing = by_source_pair["source_l"].isin(sources) != by_source_pair["source_r"].isin(sources)
    totals = by_source_pair.loc[crossing, ["true_pairs", "predicted_pairs", "true_positives"]].sum().to_frame().T
    return _metrics_frame(totals.astype("int64"))


def blocking_recall(candidates: pd.DataFrame, truth: pd.DataFrame, rules: tuple[BlockingRule, ...]) -> pd.DataFrame:
    """Per rule and overall (``rule == "all"``): pairs, true pairs found, recall of all true pairs.

    ``candidates``: ``record_id_l``, ``record_id_r``, ``rules`` (bit mask); ``truth``: ``record_id``, ``person_id``
    of exactly the records that were blocked (a true record the engine never saw counts as pairs missed).
    """
    person_index = pd.Index(truth["record_id"])
    person = pd.factorize(truth["person_id"])[0]
    left = person[person_index.get_indexer(candidates["record_id_l"])]
    right = person[person_index.get_indexer(candidates["record_id_r"])]
    same_person = left == right
    sizes = np.bincount(person)
    total_true = int((sizes * (sizes - 1) // 2).sum())
    masks = candidates["rules"].to_numpy()
    rows = [{"rule": "all", "pairs": len(candidates), "true_pairs_found": int(same_person.sum())}]
    for bit, rule in enumerate(rules):
        found = (masks >> bit) & 1 == 1
        found_true = int((found & same_person).sum())
        rows.append({"rule": rule.name, "pairs": int(found.sum()), "true_pairs_found": found_true})
    frame = pd.DataFrame(rows)
    frame["true_pairs"] = total_true
    frame["recall"] = frame["true_pairs_found"] / max(total_true, 1)
    return frame


def blocking_recall_by_source_pair(candidates: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    """Per unordered source pair: true pairs, those blocking found (``found``, ``recall``), and those it
    makes reachable (``reachable``, ``reachable_recall``): records joined by a chain of true candidate pairs,
    which clustering can still put together although the pair itself was never compared.

    ``candidates``: ``record_id_l``, ``record_id_r``; ``truth``: ``source``, ``record_id``, ``person_id`` of
    exactly the records that were blocked.
    """
    record_index = pd.Index(truth["record_id"])
    person = pd.factorize(truth["person_id"])[0]
    sources, source_code = _sorted_codes(truth["source"])
    left = record_index.get_indexer(candidates["record_id_l"])
    right = record_index.get_indexer(candidates["record_id_r"])
    true_edge = person[left] == person[right]
    left, right = left[true_edge], right[true_edge]
    low, high = np.minimum(source_code[left], source_code[right]), np.maximum(source_code[left], source_code[right])
    found = np.zeros((len(sources), len(sources)), dtype=np.int64)
    np.add.at(found, (low, high), 1)
    graph = coo_matrix((np.ones(len(left)), (left, right)), shape=(len(truth), len(truth)))
    component = connected_components(graph, directed=False)[1]
    a, b = np.triu_indices(len(sources))
    frame = pd.DataFrame(
        {
            "source_l": pd.array(sources[a], dtype="str"),
            "source_r": pd.array(sources[b], dtype="str"),
            "true_pairs": _pairs_by_source(person, source_code, len(sources))[a, b],
            "found": found[a, b],
            "reachable": _pairs_by_source(component, source_code, len(sources))[a, b],
        }
    )
    frame = frame[frame["true_pairs"] > 0].reset_index(drop=True)
    return _blocking_rates(frame)


def blocking_subset(by_source_pair: pd.DataFrame, sources: set[str], *, involving: bool) -> pd.DataFrame:
    """Blocking recall over the true pairs that involve one of ``sources`` (``involving=True``) or none of
    them (one row)."""
    touches = by_source_pair["source_l"].isin(sources) | by_source_pair["source_r"].isin(sources)
    rows = by_source_pair[touches if involving else ~touches]
    return _blocking_rates(rows[["true_pairs", "found", "reachable"]].sum().to_frame().T.astype("int64"))


def _blocking_rates(counts: pd.DataFrame) -> pd.DataFrame:
    out = counts.copy()
    out["recall"] = out["found"] / out["true_pairs"].where(out["true_pairs"] > 0)
    out["reachable_recall"] = out["reachable"] / out["true_pairs"].where(out["true_pairs"] > 0)
    return out


def _sorted_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    codes, uniques = pd.factorize(values, sort=True)
    return np.asarray(uniques, dtype=object), codes


def _pairs_by_source(group: np.ndarray, source: np.ndarray, n_sources: int) -> np.ndarray:
    """Upper-triangular matrix: [a, b] = pairs of records in the same group with sources a ≤ b."""
    counts = coo_matrix(
        (np.ones(len(group), dtype=np.int64), (group, source)), shape=(int(group.max(initial=-1)) + 1, n_sources)
    ).tocsr()
    products = (counts.T @ counts).toarray()
    within = (products.diagonal() - np.asarray(counts.sum(axis=0)).ravel()) // 2
    pairs = np.triu(products, k=1)
    pairs[np.diag_indices(n_sources)] = within
    return pairs


def _source_pair_frame(
    sources: np.ndarray, true: np.ndarray, predicted: np.ndarray, correct: np.ndarray
) -> pd.DataFrame:
    a, b = np.triu_indices(len(sources))
    frame = pd.DataFrame(
        {
            "source_l": pd.array(sources[a], dtype="str"),
            "source_r": pd.array(sources[b], dtype="str"),
            "true_pairs": true[a, b],
            "predicted_pairs": predicted[a, b],
            "true_positives": correct[a, b],
        }
    )
    frame = frame[(frame["true_pairs"] > 0) | (frame["predicted_pairs"] > 0)].reset_index(drop=True)
    return _metrics_frame(frame)


def _metrics_frame(counts: pd.DataFrame) -> pd.DataFrame:
    out = counts.copy()
    tp = out["true_positives"].astype(float)
    out["precision"] = (tp / out["predicted_pairs"].where(out["predicted_pairs"] > 0)).fillna(1.0)
    out["recall"] = (tp / out["true_pairs"].where(out["true_pairs"] > 0)).fillna(1.0)
    denominator = out["precision"] + out["recall"]
    out["f1"] = (2 * out["precision"] * out["recall"] / denominator.where(denominator > 0)).fillna(0.0)
    return out


def _cluster_counts(cluster: np.ndarray, person: np.ndarray, cell: np.ndarray) -> pd.DataFrame:
    cluster_size, person_size, cell_size = np.bincount(cluster), np.bincount(person), np.bincount(cell)
    first_of_cell = np.unique(cell, return_index=True)[1]
    cell_cluster, cell_person = cluster[first_of_cell], person[first_of_cell]
    exact = (cell_size == cluster_size[cell_cluster]) & (cell_size == person_size[cell_person])
    return pd.DataFrame(
        {
            "true_persons": [len(person_size)],
            "predicted_clusters": [len(cluster_size)],
            "exact_clusters": [int(exact.sum())],
            "split_persons": [int((np.bincount(cell_person) > 1).sum())],
            "merged_clusters": [int((np.bincount(cell_cluster) > 1).sum())],
        }
    )


def merged_twin_pairs(links: pd.DataFrame, truth: pd.DataFrame, twin_groups: pd.DataFrame) -> pd.DataFrame:
    """Twin (and triplet) person pairs, and those with records in one cluster (merged), one row.

    ``twin_groups``: ``person_id``, ``twin_group`` (persons of one multiple birth share it; others NA). Only
    pairs whose two persons both have linked records count.
    """
    cells = links[["record_id", "cluster"]].merge(truth[["record_id", "person_id"]], on="record_id")
    groups = twin_groups.loc[twin_groups["twin_group"].notna(), ["person_id", "twin_group"]]
    cells = cells.merge(groups, on="person_id")[["person_id", "twin_group", "cluster"]].drop_duplicates()
    present = cells[["person_id", "twin_group"]].drop_duplicates()
    pairs = present.merge(present, on="twin_group", suffixes=("_l", "_r"))
    pairs = pairs[pairs["person_id_l"] < pairs["person_id_r"]]
    shared = cells.merge(cells, on=["twin_group", "cluster"], suffixes=("_l", "_r"))
    shared = shared[shared["person_id_l"] < shared["person_id_r"]][["person_id_l", "person_id_r"]].drop_duplicates()
    return pd.DataFrame({"twin_pairs": [len(pairs)], "merged_pairs": [len(shared)]})


def double_registration_recall(
    links: pd.DataFrame, truth: pd.DataFrame, review_queue: pd.DataFrame, second_rows: pd.Series
) -> pd.DataFrame:
    """A person's second registration (``second_rows``: record ids) against the person's other records of the
    same source: found when in one cluster (linked) or when the two clusters meet in the review queue
    (``cluster_l``/``cluster_r``, either order). One row: ``pairs``, ``linked``, ``in_review``, ``recall``."""
    frame = links[["record_id", "cluster"]].merge(truth[["record_id", "source", "person_id"]], on="record_id")
    second = frame[frame["record_id"].isin(set(second_rows))]
    others = frame[~frame["record_id"].isin(set(second_rows))]
    pairs = second.merge(others, on=["person_id", "source"], suffixes=("", "_other"))
    per_row = pairs.assign(linked=pairs["cluster"].eq(pairs["cluster_other"]))
    queued = set()
    if len(review_queue):
        queued = set(zip(review_queue["cluster_l"], review_queue["cluster_r"], strict=True))
        queued |= {(b, a) for a, b in queued}
    per_row["in_review"] = [(a, b) in queued for a, b in zip(per_row["cluster"], per_row["cluster_other"], strict=True)]
    found = per_row.groupby("record_id")[["linked", "in_review"]].any()
    linked = int(found["linked"].sum())
    review = int((found["in_review"] & ~found["linked"]).sum())
    total = len(found)
    return pd.DataFrame(
        {
            "pairs": [total],
            "linked": [linked],
            "in_review": [review],
            "recall": [(linked + review) / total if total else float("nan")],
        }
    )
