"""Top-level engine API: link all person records, or link a small new list against the registry."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from matching.blocking import block, rule_names_of
from matching.clustering import cluster, constraint_outcomes, decided_pairs, edge_flags
from matching.features import (
    FEATURE_KEY_COLUMNS,
    GENERIC_FIELDS,
    MISSING_NUMBER,
    compute_features,
    encode_features,
    feature_keys,
)
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
    #: The records' matching features before coding (:func:`matching_features`), with ``keep_features=True``.
    features: pd.DataFrame | None = None

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


#: The person-record columns :func:`link_records` and :func:`matching_features` read: a caller may load only
#: these (the generic fields are read when the records have them). ``tests/matching/test_link.py`` checks that
#: no other column changes the features.
RECORD_COLUMNS = (
    "record_id",
    "source",
    "nik",
    "nik_valid",
    "nik_birth_date",
    "nik_sex",
    "name",
    "alias",
    "birth_date",
    "sex",
    "phone",
    "address",
    "rt",
    "rw",
    "kelurahan_code",
    "kecamatan_code",
    *GENERIC_FIELDS,
)


def link_records(
    records: pd.DataFrame,
    settings: MatchSettings = DEFAULT_SETTINGS,
    seed: int = 0,
    start_model: FellegiSunterModel | None = None,
    constraints: pd.DataFrame | None = None,
    *,
    keep_features: bool = False,
) -> LinkResult:
    """Find the same person within and across sources in ``records`` (person schema, unique ``record_id``).

    ``start_model`` (last night's model) starts EM from its m instead of the settings' priors. ``constraints``:
    review decisions (``record_id_l``, ``record_id_r``, ``decision`` ``same``/``different``, other columns
    passed through to ``LinkResult.decisions``) applied as must-links and cannot-links before clustering
    (:func:`matching.clustering.cluster`); decided pairs leave the review queue.
    ``keep_features``: also return the records' matching features before coding (``LinkResult.features``, in
    ``record_id`` order), which the night publishes so lists are matched without computing them again.

    Same records, settings and seed give the same output, whatever the row order: records are processed (and
    ``links`` returned) in ``record_id`` order, so random sampling and tie-breaks never depend on how the
    input happened to be stacked.

    The same in steps, for a caller that keeps less at once (the night's asset): :func:`in_record_order`,
    :func:`matching_features`, :func:`encoded_features`, then :func:`link_features`.
    """
    records = in_record_order(records)
    timings: dict[str, float] = {}
    with _timed(timings, "features"):
        keys = matching_features(records, settings)
        features = encoded_features(keys, settings)
    if not keep_features:
        del keys
    del records  # the sorted copy of every person column: only the features are needed from here on
    result = link_features(features, settings, seed, start_model, constraints, timings=timings)
    return replace(result, features=keys) if keep_features else result


def in_record_order(records: pd.DataFrame) -> pd.DataFrame:
    """``records`` sorted by ``record_id`` (the order :func:`link_features` expects), which must be unique."""
    ordered = records.sort_values("record_id", kind="stable").reset_index(drop=True)
    if _has_duplicates_when_sorted(ordered["record_id"]):
        raise ValueError("person records: column 'record_id' has duplicate values")
    return ordered


def _has_duplicates_when_sorted(ids: pd.Series) -> bool:
    """Whether sorted ``ids`` repeat a value (missing values count as one value, as ``duplicated`` counts them):
    equal values are neighbours once sorted, so no hash table of the ids is needed."""
    if int(ids.isna().sum()) > 1:
        return True
    present = ids.dropna()
    if len(present) < 2:
        return False
    if isinstance(ids.dtype, pd.StringDtype):
        text = pa.array(present)
        return bool(pc.any(pc.equal(text[1:], text[:-1])).as_py())
    values = present.to_numpy()
    return bool((values[1:] == values[:-1]).any())


def link_features(
    features: pd.DataFrame,
    settings: MatchSettings = DEFAULT_SETTINGS,
    seed: int = 0,
    start_model: FellegiSunterModel | None = None,
    constraints: pd.DataFrame | None = None,
    *,
    timings: dict[str, float] | None = None,
) -> LinkResult:
    """:func:`link_records` from the records' coded features (:func:`encoded_features` of
    :func:`matching_features` of :func:`in_record_order` records): block, compare, train, score, cluster.
    ``timings``: seconds of earlier stages, reported first in ``LinkResult.timings``."""
    timings = dict(timings or {})
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
        # The edge flags once, for the clustering and the review queue (per pair: millions at 2M people).
        flags = edge_flags(scored, features, model.prior_weight, settings.cluster_guards())
        links = cluster(scored, features, model.prior_weight, settings.cluster_guards(), constraints, flags=flags)
        review = review_queue(scored, links, features, model.prior_weight, settings, constraints, flags=flags)
        del flags
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
    registry_records: pd.DataFrame | None,
    model: FellegiSunterModel,
    settings: MatchSettings = DEFAULT_SETTINGS,
    *,
    registry_features: pd.DataFrame | None = None,
) -> QueryResult:
    """Link a small new list (e.g. a community's list) against the registry with a trained model.

    ``matches`` has one row per query record: ``query_record_id``, ``registry_record_id`` (best candidate,
    NA if none), ``match_probability``, ``match_weight`` and ``status`` (``match`` ≥ ``match_threshold``,
    ``review`` ≥ ``review_threshold``, else ``no_match``). Only query–registry pairs are scored. The
    clustering guards apply: a best candidate with a conflicting valid NIK or a generation apart (``guard``
    column of ``pairs``) is at most ``review``.

    ``registry_features``: the registry's matching features computed before (:func:`matching_features` under
    the same settings, as the night publishes them); then ``registry_records`` is not needed (``None``) and
    features are computed for the query records only. The caller checks the features were made under
    ``settings`` (the published table carries the settings hash).
    """
    if registry_features is None:
        if registry_records is None:
            raise ValueError("match_query: give registry_records or registry_features")
        if registry_records["record_id"].duplicated().any():
            raise ValueError("registry records: column 'record_id' has duplicate values")
        registry_features = matching_features(registry_records, settings)
    else:
        missing = [column for column in MATCHING_FEATURE_COLUMNS if column not in registry_features.columns]
        if missing:
            raise ValueError(f"registry_features: columns {missing} missing (not made by matching_features)")
    query_keys = matching_features(query_records, settings, registered_niks=registered_niks(registry_features))
    # Registry ids are unique (published with a unique key, or checked above): only the query's few ids are checked.
    query_ids = query_keys["record_id"]
    if query_ids.duplicated().any() or registry_features["record_id"].isin(set(query_ids)).any():
        raise ValueError("query and registry records: column 'record_id' has duplicate values")
    keys = pd.concat([query_keys, registry_features[list(query_keys.columns)]], ignore_index=True)
    features = encoded_features(keys, settings)
    del keys
    is_query = np.arange(len(features)) < len(query_records)
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
    # Query records come first in ``features``, so the left position of every pair is the query record.
    scored = scored.rename(columns={"record_id_l": "query_record_id", "record_id_r": "registry_record_id"})
    return QueryResult(matches=_best_matches(scored, features[is_query], settings), pairs=scored)


def score_record_pairs(
    records: pd.DataFrame | None,
    model: FellegiSunterModel,
    settings: MatchSettings = DEFAULT_SETTINGS,
    *,
    features: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every pair of a few ``records`` (one worker's) scored with a trained model, without blocking or
    training: the evidence behind a cluster, as in ``scored_pairs`` (``rule_names`` empty).

    ``features``: those records' published matching features (:func:`matching_features` rows) instead of
    ``records``; nothing is then computed from the records."""
    if features is None:
        if records is None:
            raise ValueError("score_record_pairs: give records or features")
        records = records.sort_values("record_id", kind="stable").reset_index(drop=True)
        features = compute_features(records, settings.feature_spec())
    else:
        keys = features.sort_values("record_id", kind="stable").reset_index(drop=True)
        features = encode_features(keys, settings.feature_spec())
    left, right = np.triu_indices(len(features), k=1)
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


#: Columns of :func:`matching_features` beyond :func:`matching.features.feature_keys`'s.
REGISTER_FEATURE_COLUMNS = ("nik_registered", "sex_stated")


def matching_features(
    records: pd.DataFrame, settings: MatchSettings = DEFAULT_SETTINGS, registered_niks: np.ndarray | None = None
) -> pd.DataFrame:
    """The records' matching features before coding, in the records' order: what ``link_records`` computes
    first, and what the night publishes (``matching_features``) so a list is matched against the registry
    without computing the registry's features again.

    :func:`matching.features.feature_keys` plus ``nik_registered`` (a trusted NIK that a record of a
    ``nik_register_sources`` source holds, here or among ``registered_niks``: the registry's, when the
    records are a list) and ``sex_stated`` (0 L, 1 P, -1 not stated: a sex implied by a NIK or a nickname is
    not stated). Row-wise: a record's features do not depend on the other records (beyond the registered NIKs).
    """
    records = records.reset_index(drop=True)
    keys = feature_keys(records, settings.feature_spec())
    return matching_features_register_columns(keys, records, settings, registered_niks)


def matching_features_register_columns(
    keys: pd.DataFrame, records: pd.DataFrame, settings: MatchSettings, registered_niks: np.ndarray | None = None
) -> pd.DataFrame:
    """``keys`` (with ``nik_trusted`` and ``nik_num``, aligned with ``records``) with ``nik_registered`` and
    ``sex_stated`` added."""
    trusted = keys["nik_trusted"].to_numpy()
    nik = keys["nik_num"].to_numpy()
    registered = np.empty(0, dtype=np.int64) if registered_niks is None else np.asarray(registered_niks)
    if settings.nik_register_sources and "source" in records.columns:
        in_register = records["source"].isin(settings.nik_register_sources).to_numpy()
        registered = np.union1d(registered, nik[trusted & in_register])
    keys["nik_registered"] = trusted & np.isin(nik, registered) & (nik != MISSING_NUMBER)
    sex = records["sex"] if "sex" in records.columns else pd.Series(pd.NA, index=records.index, dtype="str")
    keys["sex_stated"] = sex.reset_index(drop=True).map({"L": 0, "P": 1}).fillna(-1).astype(np.int8).to_numpy()
    return keys


#: Every column :func:`matching_features` returns, in order.
MATCHING_FEATURE_COLUMNS = (*FEATURE_KEY_COLUMNS, *REGISTER_FEATURE_COLUMNS)


def registered_niks(features: pd.DataFrame) -> np.ndarray:
    """The NIKs that ``features`` (from :func:`matching_features`) mark as registered."""
    return np.unique(features.loc[features["nik_registered"].to_numpy(dtype=bool), "nik_num"].to_numpy())


def _add_register_features(features: pd.DataFrame, records: pd.DataFrame, settings: MatchSettings) -> None:
    """``nik_registered`` and ``sex_stated`` (see :func:`matching_features`) added to a feature frame computed
    with :func:`matching.features.compute_features`, as the settings use them."""
    keys = features[["nik_trusted", "nik_num"]].copy()
    registered = matching_features_register_columns(keys, records, settings)
    if settings.nik_register_sources and "source" in records.columns:
        features["nik_registered"] = registered["nik_registered"].to_numpy()
    if settings.stated_sex_apart and "sex" in records.columns:
        features["sex_stated"] = registered["sex_stated"].to_numpy()


def encoded_features(keys: pd.DataFrame, settings: MatchSettings) -> pd.DataFrame:
    """The feature frame of :func:`matching_features` rows: coded, and with the register features the settings
    use (``nik_registered`` when ``nik_register_sources`` are declared, ``sex_stated`` with ``stated_sex_apart``)."""
    features = encode_features(keys, settings.feature_spec())
    if settings.nik_register_sources:
        features["nik_registered"] = keys["nik_registered"].to_numpy(dtype=bool)
    if settings.stated_sex_apart:
        features["sex_stated"] = keys["sex_stated"].to_numpy(dtype=np.int8)
    return features


def _with_record_ids(pairs: pd.DataFrame, features: pd.DataFrame) -> pd.DataFrame:
    """``pairs`` with both records' ids, taken in Arrow (no Python string per pair side: 25 million at 2M people)."""
    record_ids = pa.array(features["record_id"].astype("str"))
    out = pairs.copy()
    for side, position in (("l", "left"), ("r", "right")):
        taken = record_ids.take(pa.array(out[position].to_numpy()))
        out[f"record_id_{side}"] = pd.Series(taken, index=out.index, dtype="str")
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
    *,
    flags: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Pairs a person should look at, most probable first; pairs already decided (``constraints``) are left out.
    ``flags``: :func:`matching.clustering.edge_flags` of these pairs under the settings' guards, when the caller
    has them (computed here otherwise).

    ``reason``: ``uncertain`` (probability in the review band), or — for pairs above the match threshold
    that clustering kept apart — ``nik_conflict``, ``generation_gap``, ``missing_evidence`` (a
    ``link_requires`` group does not hold) or ``cluster_guard`` (split by the conflicted-component rebuild).
    """
    # Clusters compared by integer code per record (not as a Python string per pair side), their keys taken as
    # text for the queued pairs only.
    cluster_codes = pd.factorize(links["cluster"], use_na_sentinel=False)[0]
    left, right = scored["left"].to_numpy(), scored["right"].to_numpy()
    apart = cluster_codes[left] != cluster_codes[right]
    probability = scored["match_probability"].to_numpy()
    above = probability >= settings.match_threshold
    band = (probability >= settings.review_threshold) & ~above
    all_flags = edge_flags(scored, features, prior_weight, settings.cluster_guards()) if flags is None else flags
    double_registration = all_flags["double_registration"].to_numpy()
    selected = apart & (above | band | double_registration)
    must, cannot = decided_pairs(constraints, features)
    if len(must) or len(cannot):
        n = max(len(features), 1)
        decided = np.concatenate([must, cannot]) @ [n, 1]
        selected &= ~np.isin(np.minimum(left, right).astype(np.int64) * n + np.maximum(left, right), decided)
    pairs = scored[selected]
    chosen = all_flags[selected]
    reason = np.select(
        [
            chosen["double_registration"],
            chosen["sex_conflict"],
            ~above[selected] & ~chosen["link_when"],
            chosen["generation_gap"],
            chosen["nik_conflict"] & ~chosen["nik_override"],
            chosen["missing_evidence"],
        ],
        ["double_registration", "sex_conflict", "uncertain", "generation_gap", "nik_conflict", "missing_evidence"],
        default="cluster_guard",
    )
    cluster_keys = links["cluster"].reset_index(drop=True)
    queue = pairs.assign(
        cluster_l=cluster_keys.take(left[selected]).to_numpy(dtype=object),
        cluster_r=cluster_keys.take(right[selected]).to_numpy(dtype=object),
        reason=reason,
    )
    queue = queue.astype({"cluster_l": "str", "cluster_r": "str", "reason": "str"})
    detail = [c for c in queue.columns if c.startswith(("level_", "w_"))]
    queue = queue[REVIEW_COLUMNS_FIRST + detail + ["rule_names"]]
    order = ["match_probability", "record_id_l", "record_id_r"]
    return queue.sort_values(order, ascending=[False, True, True]).reset_index(drop=True)
