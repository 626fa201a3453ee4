"""Top-level engine API: link all person records, or link a small new list against the registry."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from matching.blocking import block, rule_names_of
from matching.clustering import cluster, constraint_outcomes, decided_pairs, edge_flags
from matching.features import compute_features
from matching.model import FellegiSunterModel, comparison_levels, score, train
from matching.settings import DEFAULT_SETTINGS, MatchSettings

REVIEW_COLUMNS_FIRST = [
    "record_id_l",
    "record_id_r",
    "cluster_l",
    "cluster_r",
    "reason",
    "match_probability",
    "match_weight",
]


@dataclass(frozen=True)
class LinkResult:
    """Everything ``link_records`` produces (columns documented in ``docs/matching.md``)."""

    candidates: pd.DataFrame
    scored_pairs: pd.DataFrame
    links: pd.DataFrame
    review_queue: pd.DataFrame
    model: FellegiSunterModel
    blocking_stats: pd.DataFrame
    timings: dict[str, float] = field(default_factory=dict)
    #: The review decisions given to :func:`link_records`, each with its ``status`` and ``nik_rule_conflict``
    #: (:func:`matching.clustering.constraint_outcomes`); empty without decisions.
    decisions: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def m_u_table(self) -> pd.DataFrame:
        return self.model.table()


@dataclass(frozen=True)
class QueryResult:
    """``matches``: one row per query record with its best registry match; ``pairs``: every scored pair."""

    matches: pd.DataFrame
    pairs: pd.DataFrame


@contextmanager
def _timed(timings: dict[str, float], stage: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    timings[stage] = time.perf_counter() - start


def link_records(
    records: pd.DataFrame,
    settings: MatchSettings = DEFAULT_SETTINGS,
    seed: int = 0,
    start_model: FellegiSunterModel | None = None,
    constraints: pd.DataFrame | None = None,
) -> LinkResult:
    """Find the same person within and across sources in ``records`` (person schema, unique ``record_id``).

    ``start_model`` (last night's model) starts EM from its m instead of the settings' priors. ``constraints``:
    review decisions (``record_id_l``, ``record_id_r``, ``decision`` ``same``/``different``, other columns
    passed through to ``LinkResult.decisions``) applied as must-links and cannot-links before clustering
    (:func:`matching.clustering.cluster`); decided pairs leave the review queue.

    Same records, settings and seed give the same output, whatever the row order: records are processed (and
    ``links`` returned) in ``record_id`` order, so random sampling and tie-breaks never depend on how the
    input happened to be stacked.
    """
    if records["record_id"].duplicated().any():
        raise ValueError("person records: column 'record_id' has duplicate values")
    records = records.sort_values("record_id", kind="stable").reset_index(drop=True)
    timings: dict[str, float] = {}
    with _timed(timings, "features"):
        features = compute_features(records, settings.feature_spec())
        _add_register_features(features, records, settings)
    del records  # the sorted copy of every person column: only the features are needed from here on
    with _timed(timings, "block"):
        blocking = block(features, settings.blocking_rules, settings.max_block_size)
        candidates = _with_record_ids(blocking.pairs, features)
        candidates["rule_names"] = rule_names_of(candidates["rules"], settings.blocking_rules)
    left, right = candidates["left"].to_numpy(), candidates["right"].to_numpy()
    with _timed(timings, "compare"):
        levels = comparison_levels(features, left, right, settings.comparisons)
    with _timed(timings, "train"):
        model = train(
            features,
            levels,
            settings.comparisons,
            u_sample_pairs=settings.u_sample_size(len(features)),
            u_pseudo_count=settings.u_pseudo_count,
            initial_matches_per_record=settings.initial_matches_per_record,
            max_iterations=settings.em_max_iterations,
            tolerance=settings.em_tolerance,
            tf_max_boost=settings.tf_max_boost,
            seed=seed,
            start=start_model,
        )
    with _timed(timings, "score"):
        scored = _scored_pairs(model, features, candidates, levels)
    with _timed(timings, "cluster"):
        links = cluster(scored, features, model.prior_weight, settings.cluster_guards(), constraints)
        review = review_queue(scored, links, features, model.prior_weight, settings, constraints)
        decisions = constraint_outcomes(constraints, links, features) if constraints is not None else pd.DataFrame()
    return LinkResult(
        candidates=candidates,
        scored_pairs=scored,
        links=links,
        review_queue=review,
        model=model,
        blocking_stats=blocking.stats,
        timings=timings,
        decisions=decisions,
    )


def match_query(
    query_records: pd.DataFrame,
    registry_records: pd.DataFrame,
    model: FellegiSunterModel,
    settings: MatchSettings = DEFAULT_SETTINGS,
) -> QueryResult:
    """Link a small new list (e.g. a community's list) against the registry with a trained model.

    ``matches`` has one row per query record: ``query_record_id``, ``registry_record_id`` (best candidate,
    NA if none), ``match_probability``, ``match_weight`` and ``status`` (``match`` ≥ ``match_threshold``,
    ``review`` ≥ ``review_threshold``, else ``no_match``). Only query–registry pairs are scored. The
    clustering guards apply: a best candidate with a conflicting valid NIK or a generation apart (``guard``
    column of ``pairs``) is at most ``review``.
    """
    combined = pd.concat([query_records, registry_records], ignore_index=True)
    if combined["record_id"].duplicated().any():
        raise ValueError("query and registry records: column 'record_id' has duplicate values")
    features = compute_features(combined, settings.feature_spec())
    _add_register_features(features, combined, settings)
    is_query = np.arange(len(combined)) < len(query_records)
    blocking = block(features, settings.blocking_rules, settings.max_block_size, focus=is_query)
    pairs = blocking.pairs[is_query[blocking.pairs["left"]] != is_query[blocking.pairs["right"]]]
    candidates = _with_record_ids(pairs.reset_index(drop=True), features)
    candidates["rule_names"] = rule_names_of(candidates["rules"], settings.blocking_rules)
    levels = comparison_levels(
        features, candidates["left"].to_numpy(), candidates["right"].to_numpy(), settings.comparisons
    )
    scored = _scored_pairs(model, features, candidates, levels)
    flags = edge_flags(scored, features, model.prior_weight, settings.cluster_guards())
    scored["guard"] = pd.Series(
        np.select(
            [flags["generation_gap"], flags["nik_conflict"] & ~flags["nik_override"], flags["missing_evidence"]],
            ["generation_gap", "nik_conflict", "missing_evidence"],
            default="",
        ),
        index=scored.index,
        dtype="str",
    ).replace("", pd.NA)
    # Query records come first in ``combined``, so the left position of every pair is the query record.
    scored = scored.rename(columns={"record_id_l": "query_record_id", "record_id_r": "registry_record_id"})
    return QueryResult(matches=_best_matches(scored, features[is_query], settings), pairs=scored)


def score_record_pairs(
    records: pd.DataFrame, model: FellegiSunterModel, settings: MatchSettings = DEFAULT_SETTINGS
) -> pd.DataFrame:
    """Every pair of a few ``records`` (one worker's) scored with a trained model, without blocking or
    training: the evidence behind a cluster, as in ``scored_pairs`` (``rule_names`` empty)."""
    records = records.sort_values("record_id", kind="stable").reset_index(drop=True)
    features = compute_features(records, settings.feature_spec())
    left, right = np.triu_indices(len(records), k=1)
    candidates = _with_record_ids(pd.DataFrame({"left": left, "right": right}), features)
    candidates["rule_names"] = pd.Series("", index=candidates.index, dtype="str")
    levels = comparison_levels(features, left, right, settings.comparisons)
    return _scored_pairs(model, features, candidates, levels)


def _best_matches(scored: pd.DataFrame, query_features: pd.DataFrame, settings: MatchSettings) -> pd.DataFrame:
    best = (
        scored.sort_values(["match_weight", "registry_record_id"], ascending=[False, True], kind="stable")
        .drop_duplicates("query_record_id")
        .set_index("query_record_id")
    )
    matches = pd.DataFrame({"query_record_id": query_features["record_id"].to_numpy()})
    for column in ("registry_record_id", "match_probability", "match_weight"):
        matches[column] = matches["query_record_id"].map(best[column])
    probability = matches["match_probability"].fillna(0.0)
    guarded = matches["query_record_id"].map(best["guard"]).notna()
    matches["status"] = np.select(
        [(probability >= settings.match_threshold) & ~guarded, probability >= settings.review_threshold],
        ["match", "review"],
        default="no_match",
    )
    matches["status"] = matches["status"].astype("str")
    return matches


def _add_register_features(features: pd.DataFrame, records: pd.DataFrame, settings: MatchSettings) -> None:
    """``nik_registered`` (a trusted NIK that a record of a ``nik_register_sources`` source holds) and
    ``sex_stated`` (0 L, 1 P, -1 not stated: a sex implied by a NIK or a nickname is not stated)."""
    if settings.nik_register_sources and "source" in records.columns:
        trusted = features["nik_trusted"].to_numpy()
        nik = features["nik_num"].to_numpy()
        in_register = records["source"].isin(settings.nik_register_sources).to_numpy()
        registered = np.unique(nik[trusted & in_register])
        features["nik_registered"] = trusted & np.isin(nik, registered)
    if settings.stated_sex_apart and "sex" in records.columns:
        features["sex_stated"] = records["sex"].map({"L": 0, "P": 1}).fillna(-1).astype(np.int8).to_numpy()


def _with_record_ids(pairs: pd.DataFrame, features: pd.DataFrame) -> pd.DataFrame:
    record_ids = features["record_id"].to_numpy()
    out = pairs.copy()
    out["record_id_l"] = record_ids[out["left"].to_numpy()]
    out["record_id_r"] = record_ids[out["right"].to_numpy()]
    out["record_id_l"] = out["record_id_l"].astype("str")
    out["record_id_r"] = out["record_id_r"].astype("str")
    return out


def _scored_pairs(
    model: FellegiSunterModel, features: pd.DataFrame, candidates: pd.DataFrame, levels: pd.DataFrame
) -> pd.DataFrame:
    """Candidates with each comparison's level name (``level_<c>``), weight (``w_<c>``) and the totals."""
    scored = candidates[["left", "right", "record_id_l", "record_id_r", "rule_names"]].copy()
    for comparison in model.comparisons:
        scored[f"level_{comparison.name}"] = pd.Categorical.from_codes(
            levels[comparison.name].to_numpy(), categories=list(comparison.levels)
        )
    weights = score(model, features, levels, candidates["left"].to_numpy())
    return pd.concat([scored, weights.set_index(scored.index)], axis=1)


def review_queue(
    scored: pd.DataFrame,
    links: pd.DataFrame,
    features: pd.DataFrame,
    prior_weight: float,
    settings: MatchSettings,
    constraints: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Pairs a person should look at, most probable first; pairs already decided (``constraints``) are left out.

    ``reason``: ``uncertain`` (probability in the review band), or — for pairs above the match threshold
    that clustering kept apart — ``nik_conflict``, ``generation_gap``, ``missing_evidence`` (a
    ``link_requires`` group does not hold) or ``cluster_guard`` (split by the conflicted-component rebuild).
    """
    cluster_keys = links["cluster"].to_numpy()
    left, right = scored["left"].to_numpy(), scored["right"].to_numpy()
    apart = cluster_keys[left] != cluster_keys[right]
    probability = scored["match_probability"].to_numpy()
    above = probability >= settings.match_threshold
    band = (probability >= settings.review_threshold) & ~above
    all_flags = edge_flags(scored, features, prior_weight, settings.cluster_guards())
    double_registration = all_flags["double_registration"].to_numpy()
    selected = apart & (above | band | double_registration)
    must, cannot = decided_pairs(constraints, features)
    if len(must) or len(cannot):
        n = max(len(features), 1)
        decided = np.concatenate([must, cannot]) @ [n, 1]
        selected &= ~np.isin(np.minimum(left, right).astype(np.int64) * n + np.maximum(left, right), decided)
    pairs = scored[selected]
    flags = all_flags[selected]
    reason = np.select(
        [
            flags["double_registration"],
            flags["sex_conflict"],
            ~above[selected] & ~flags["link_when"],
            flags["generation_gap"],
            flags["nik_conflict"] & ~flags["nik_override"],
            flags["missing_evidence"],
        ],
        ["double_registration", "sex_conflict", "uncertain", "generation_gap", "nik_conflict", "missing_evidence"],
        default="cluster_guard",
    )
    queue = pairs.assign(cluster_l=cluster_keys[left[selected]], cluster_r=cluster_keys[right[selected]], reason=reason)
    queue = queue.astype({"cluster_l": "str", "cluster_r": "str", "reason": "str"})
    detail = [c for c in queue.columns if c.startswith(("level_", "w_"))]
    queue = queue[REVIEW_COLUMNS_FIRST + detail + ["rule_names"]]
    order = ["match_probability", "record_id_l", "record_id_r"]
    return queue.sort_values(order, ascending=[False, True, True]).reset_index(drop=True)
