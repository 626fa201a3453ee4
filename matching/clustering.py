"""Clustering scored pairs into persons, with guards against NIK conflicts, twins/generations and chaining.

Method (all thresholds in ``MatchSettings``):

1. **Edges** are pairs with match probability ≥ ``match_threshold``.
2. **Edge guards.** An edge between two records holding different *trusted* NIKs (structurally valid and
   consistent with the stated birth date) is dropped unless it is an *override* edge: the evidence without
   the NIK (match weight minus the NIK contribution and the prior) is at least
   ``nik_conflict_override_weight`` bits **and** the names agree strongly (exact, reordered, given name or
   Jaro–Winkler high) **and** the birth dates agree (exact or via the NIK) **and** the phone or the kelurahan
   agree. This admits a mistyped-but-valid NIK or a second NIK after re-registration ("NIK ganda"), and keeps
   apart twins (consecutive NIK serials, same birth date, different given names) and unrelated namesakes
   born the same day (same name and birth date, but another phone and kelurahan). An edge whose birth years are
   ``generation_gap_years`` or more apart (same-name parent and child) is always dropped.
   With ``sibling_names`` a pair whose names look like two siblings' (the same last word, given names at least
   two edits apart, linked at most by ``token_subset``) is no edge unless an identifier agrees
   (:class:`SiblingNames`). With ``nik_siblings.fit_by`` a record without a trusted NIK linked to holders of two
   sibling NIKs is kept apart from the sibling it fits less well by name, then NIK (:func:`sibling_fit`).
3. **Components** of the remaining edges (``scipy.sparse.csgraph.connected_components``).
4. **Conflicted components** — more than one trusted NIK, birth years a generation apart, or more records
   than ``max_cluster_size`` — can only come from chaining through weak or indirect links (A–B, B–C with A
   and C incompatible). They are rebuilt greedily, strongest edge first (a maximum spanning forest under
   cannot-link constraints): an edge merges two groups only if the merged group holds no new pair of
   different trusted NIKs (unless the edge itself is an override edge), spans less than a generation of birth
   years and stays within the size cap. The weakest links are thus the ones left out.

5. **Review decisions** (``constraints``: record-id pairs a clerk decided, see ``docs/matching.md``) come in
   before the components are built. A *same person* decision (must-link) is an edge stronger than any scored
   one, taken whatever its probability and past every guard (the NIK, generation and size guards): the clerk
   saw both records side by side, and the pairs the guards hold back (``double_registration``,
   ``nik_conflict``) are exactly the ones sent to review. A *different people* decision (cannot-link) removes
   the pair's edge and, like ``keep_apart``, keeps the two records in different clusters even through other
   records: their component is rebuilt, strongest edge first, so the chain breaks at its weakest link. When
   decisions contradict each other (must-links A-B and B-C, cannot-link A-C) the cannot-link wins and the
   must-link with the least scored evidence is the one left out (:func:`constraint_outcomes` reports it
   ``not_held``); the same pair decided both ways counts as *different people*.

The cluster key is the smallest ``record_id`` of the cluster (deterministic, independent of row order).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from matching.features import MISSING_CODE, MISSING_NUMBER

#: Review decisions (``constraints`` of :func:`cluster`): ``record_id_l``, ``record_id_r``, ``decision``.
SAME_PERSON, DIFFERENT_PEOPLE = "same", "different"
CONSTRAINT_COLUMNS = ("record_id_l", "record_id_r", "decision")
#: A must-link's weight in the greedy rebuild: above any scored pair's, ordered among must-links by the pair's
#: own scored weight (the must-link with the least evidence is left out first).
DECIDED_WEIGHT = 1.0e6
#: :func:`constraint_outcomes` statuses.
APPLIED, RECORD_MISSING, NOT_HELD = "applied", "record_missing", "not_held"

STRONG_NAME_LEVELS = ("exact", "token_sorted", "given_name", "jaro_winkler_high", "initials")
STRONG_BIRTH_DATE_LEVELS = ("exact", "nik_implied")
CORROBORATING_PHONE_LEVELS = ("exact",)
CORROBORATING_LOCATION_LEVELS = ("address", "kelurahan_rt", "kelurahan")


@dataclass(frozen=True)
class LevelsOf:
    """The pair is at one of ``levels`` of ``comparison``."""

    comparison: str
    levels: tuple[str, ...]


@dataclass(frozen=True)
class NikConflictGuard:
    """When two different trusted NIKs may still link (an *override*): the evidence without ``comparison``'s
    weight and the prior reaches the override weight **and** every group of ``requires`` holds (a group holds
    when the pair is at a listed level of one of its comparisons)."""

    comparison: str = "nik"
    requires: tuple[tuple[LevelsOf | tuple[LevelsOf, ...], ...], ...] = (
        (LevelsOf("name", STRONG_NAME_LEVELS),),
        (LevelsOf("birth_date", STRONG_BIRTH_DATE_LEVELS),),
        (LevelsOf("phone", CORROBORATING_PHONE_LEVELS), LevelsOf("location", CORROBORATING_LOCATION_LEVELS)),
    )


@dataclass(frozen=True)
class NikSiblings:
    """Two NIKs equal but for their last ``serial_digits`` digits, whose serials (neither zero) are at most
    ``max_serial_gap`` apart, belong to people registered together: twins and triplets are registered in one
    region with one birth date and get consecutive serials. One of the two must be trusted (the other's region
    and birth-date digits then equal a confirmed NIK's). Such a pair is kept apart, also through other records
    (cannot-link), unless every group of ``unless`` holds (a group holds when one of its alternatives does):
    the names agree exactly, so the serial was mistyped."""

    serial_digits: int = 4
    max_serial_gap: int = 2
    unless: tuple[tuple[LevelsOf | tuple[LevelsOf, ...], ...], ...] = ()
    #: A record without a trusted NIK linked to two siblings with evidence less than this many bits apart is
    #: linked to neither (it could be either twin); 0: off.
    tie_margin: float = 0.0
    #: Comparisons (names, most telling first) whose level order decides which sibling a record without a trusted
    #: NIK belongs to when it is linked to both (:func:`sibling_fit`); empty: off. The household shares the phone,
    #: the address and (twins) the birth date; the name and the NIK tell twins apart.
    fit_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class SiblingNames:
    """Siblings told apart by their given names: a scored pair whose ``comparison`` is at one of ``levels``, both
    names written in two words or more, with the same last word and first words at least ``min_first_word_edits``
    edits apart (IIS / IMAS SUKMAWATI: twins; a typo is one edit, HMAD / AHMAD), does not link: its own edge is
    left out (the pair goes to review), unless every group of ``unless`` holds (an identifier both give).
    Through other records the two may still meet (this is not a cannot-link)."""

    comparison: str = "name"
    levels: tuple[str, ...] = ("token_subset", "else")
    min_first_word_edits: int = 2
    unless: tuple[tuple[LevelsOf | tuple[LevelsOf, ...], ...], ...] = ()


@dataclass(frozen=True, kw_only=True)
class ClusterGuards:
    """Thresholds of the clustering step (copied from ``MatchSettings``). ``nik_conflict`` None: no NIK guard
    (a register without NIKs); ``generation_gap_years`` None: no generation guard. ``link_requires``: groups
    of level conditions every edge must meet (a group holds when one of its conditions does), whatever its
    probability: e.g. names that agree, so that housemates sharing address and phone never merge.
    ``keep_apart``: alternatives (a level condition, or a tuple of conditions that must all hold) that put
    the two records of a scored pair in different clusters, even through other records (cannot-link)."""

    match_threshold: float
    nik_conflict_override_weight: float
    generation_gap_years: int | None
    max_cluster_size: int
    nik_conflict: NikConflictGuard | None = NikConflictGuard()
    link_requires: tuple[tuple[LevelsOf | tuple[LevelsOf, ...], ...], ...] = ()
    keep_apart: tuple[LevelsOf | tuple[LevelsOf, ...], ...] = ()
    double_registration_requires: tuple[tuple[LevelsOf | tuple[LevelsOf, ...], ...], ...] = ()
    registered_niks_apart: bool = False
    stated_sex_apart: bool = False
    link_when: tuple[tuple[LevelsOf | tuple[LevelsOf, ...], ...], ...] = ()
    nik_siblings: NikSiblings | None = None
    #: ``nik_siblings.fit_by`` with each comparison's levels in order (strongest first), as the settings know them.
    sibling_fit: tuple[LevelsOf, ...] = ()
    sibling_names: SiblingNames | None = None


def edge_flags(
    scored: pd.DataFrame, features: pd.DataFrame, prior_weight: float, guards: ClusterGuards
) -> pd.DataFrame:
    """Per scored pair: ``nik_conflict``, ``nik_override``, ``generation_gap``, ``missing_evidence`` (a group
    of ``link_requires`` does not hold, ``keep_apart`` or ``sibling_names`` holds), ``keep_apart``,
    ``double_registration``, ``sex_conflict``, ``nik_siblings``, ``sibling_names`` and ``link_when`` (booleans)."""
    left, right = scored["left"].to_numpy(), scored["right"].to_numpy()
    year = features["birth_year"].to_numpy()
    seen: dict[LevelsOf, np.ndarray] = {}  # each level condition is evaluated once over the pairs
    guard = guards.nik_conflict
    if guard is None:
        nik_conflict = override = np.zeros(len(scored), dtype=bool)
    else:
        # Each record column is gathered per pair side once (millions of pairs at 2M people).
        trusted = features["nik_trusted"].to_numpy()
        nik = features["nik_num"].to_numpy()
        trusted_l, trusted_r = trusted[left], trusted[right]
        nik_l, nik_r = nik[left], nik[right]
        nik_conflict = trusted_l & trusted_r & (nik_l != nik_r)
        evidence_without_nik = (
            scored["match_weight"].to_numpy() - scored[f"w_{guard.comparison}"].to_numpy() - prior_weight
        )
        override = evidence_without_nik >= guards.nik_conflict_override_weight
        for group in guard.requires:
            override &= _group_holds(scored, seen, group)
        # Two NIKs both held by the population register: two people, never merged automatically; with the
        # evidence of one person registered twice the pair goes to review instead.
        if guards.registered_niks_apart and "nik_registered" in features.columns:
            registered = features["nik_registered"].to_numpy()
            registered_conflict = nik_conflict.copy()
            registered_conflict[registered_conflict] &= registered[left[nik_conflict]] & registered[right[nik_conflict]]
            double_registration = registered_conflict & (evidence_without_nik >= guards.nik_conflict_override_weight)
            for group in guards.double_registration_requires:
                double_registration &= _group_holds(scored, seen, group)
            override &= ~registered_conflict
    siblings = np.zeros(len(scored), dtype=bool)
    if guard is not None and guards.nik_siblings is not None:
        # One trusted NIK is enough: the other's region and birth date digits equal the trusted one's.
        either = np.flatnonzero((trusted_l | trusted_r) & (nik_l != MISSING_NUMBER) & (nik_r != MISSING_NUMBER))
        siblings[either] = _nik_siblings(nik_l[either], nik_r[either], guards.nik_siblings)
        for group in guards.nik_siblings.unless:
            siblings &= ~_group_holds(scored, seen, group)
        override &= ~siblings
    if (
        guard is None
        or not guards.registered_niks_apart
        or "nik_registered" not in features.columns
        or not guards.double_registration_requires
    ):
        double_registration = np.zeros(len(scored), dtype=bool)
    if guards.generation_gap_years is None:
        generation_gap = np.zeros(len(scored), dtype=bool)
    else:
        year_l, year_r = year[left], year[right]
        both_years = (year_l != MISSING_NUMBER) & (year_r != MISSING_NUMBER)
        generation_gap = both_years & (np.abs(year_l - year_r) >= guards.generation_gap_years)
    missing_evidence = np.zeros(len(scored), dtype=bool)
    for group in guards.link_requires:
        missing_evidence |= ~_group_holds(scored, seen, group)
    keep_apart = (
        _group_holds(scored, seen, guards.keep_apart) if guards.keep_apart else np.zeros(len(scored), dtype=bool)
    )
    if guards.keep_apart:
        missing_evidence |= keep_apart
    # A sex stated by both records (not implied by a NIK or a nickname) that differs: two people (twins FAJAR
    # and FAJRIA), also through other records.
    sex_conflict = np.zeros(len(scored), dtype=bool)
    if guards.stated_sex_apart and "sex_stated" in features.columns:
        stated = features["sex_stated"].to_numpy()
        stated_l, stated_r = stated[left], stated[right]
        sex_conflict = (stated_l >= 0) & (stated_r >= 0) & (stated_l != stated_r)
        keep_apart = keep_apart | sex_conflict
        missing_evidence = missing_evidence | sex_conflict
    # NIKs of people registered together (twins): two people, also through other records.
    keep_apart = keep_apart | siblings
    missing_evidence = missing_evidence | siblings
    # Given names of siblings (same last word, first words that are not a typo of each other): no link.
    sibling_names = (
        _sibling_names(scored, features, guards.sibling_names, seen)
        if guards.sibling_names is not None
        else np.zeros(len(scored), dtype=bool)
    )
    missing_evidence = missing_evidence | sibling_names
    forced = np.zeros(len(scored), dtype=bool)
    if guards.link_when:
        forced = np.ones(len(scored), dtype=bool)
        for group in guards.link_when:
            forced &= _group_holds(scored, seen, group)
    return pd.DataFrame(
        {
            "nik_conflict": nik_conflict,
            "nik_override": nik_conflict & override,
            "generation_gap": generation_gap,
            "missing_evidence": missing_evidence,
            "keep_apart": keep_apart,
            "double_registration": double_registration,
            "sex_conflict": sex_conflict,
            "nik_siblings": siblings,
            "sibling_names": sibling_names,
            "link_when": forced,
        },
        index=scored.index,
    )


def _sibling_names(
    scored: pd.DataFrame, features: pd.DataFrame, rule: SiblingNames, seen: dict[LevelsOf, np.ndarray] | None = None
) -> np.ndarray:
    """Where :class:`SiblingNames` holds (see there)."""
    left, right = scored["left"].to_numpy(), scored["right"].to_numpy()
    first, second, last = (features[f"name_{part}_code"].to_numpy() for part in ("first", "second", "last"))
    candidate = _at_levels(scored, seen, LevelsOf(rule.comparison, rule.levels)).copy()
    # The record columns are read for the pairs at those levels only.
    rows = np.flatnonzero(candidate)
    some_left, some_right = left[rows], right[rows]
    candidate[rows] = (
        (second[some_left] != MISSING_CODE)
        & (second[some_right] != MISSING_CODE)
        & (last[some_left] == last[some_right])
        & (first[some_left] != first[some_right])
    )
    rows = np.flatnonzero(candidate)
    if len(rows):
        # The first word of the name key (``name_first``), read from the key itself: only these pairs need it
        # (taken before any text becomes a Python string).
        names = features["name_key"].iloc[np.concatenate([left[rows], right[rows]])].to_numpy(dtype=object, na_value="")
        first_word = pd.Series(names).str.partition(" ")[0].to_numpy()
        edits = process.cpdist(first_word[: len(rows)], first_word[len(rows) :], scorer=Levenshtein.distance, workers=1)
        candidate[rows] = edits >= rule.min_first_word_edits
    for group in rule.unless:
        candidate &= ~_group_holds(scored, seen, group)
    return candidate


def sibling_fit(
    scored: pd.DataFrame, features: pd.DataFrame, usable: np.ndarray, rule: NikSiblings, fit: tuple[LevelsOf, ...]
) -> np.ndarray:
    """Per scored pair: a usable edge from a record without a trusted NIK to a holder of a trusted NIK with a
    *sibling* (:class:`NikSiblings`) the record is also linked to, when the record fits that sibling better: its
    name agrees at a stronger level (then its NIK, as ``fit`` lists the comparisons, each with its levels
    strongest first; a missing comparison ranks just above ``else``). Such edges are kept apart (cannot-link):
    the record is the other twin's (RIZAL SANTOSO beside RIZKI SANTOSO, who shares his phone). Siblings whose
    best-fitting holders bear the same name are one person with a mistyped serial, not twins, and are left
    alone; so are records fitting two siblings equally (``tie_margin`` decides those)."""
    trusted = features["nik_trusted"].to_numpy()
    nik = features["nik_num"].to_numpy()
    left, right = scored["left"].to_numpy(), scored["right"].to_numpy()
    rows = np.flatnonzero(usable & (trusted[left] != trusted[right]))
    out = np.zeros(len(scored), dtype=bool)
    if not len(rows) or not fit:
        return out
    holder = np.where(trusted[left[rows]], left[rows], right[rows])
    rank = np.zeros(len(rows))
    for condition in fit:
        # Level position, strongest first; a missing comparison (or an unknown level) just above ``else``.
        codes = _level_positions(scored[f"level_{condition.comparison}"], rows, condition.levels).astype(np.float64)
        codes[codes < 0] = len(condition.levels) - 1.5
        rank = rank * (len(condition.levels) + 1) + codes
    edges = pd.DataFrame(
        {
            "row": rows,
            "record": np.where(trusted[left[rows]], right[rows], left[rows]),
            "nik": nik[holder],
            "rank": rank,
            "name": features["name_key_code"].to_numpy()[holder],
        }
    )
    best = edges.sort_values(["rank", "row"], kind="stable").drop_duplicates(["record", "nik"])
    several = best[best["record"].duplicated(keep=False)]
    pairs = several.merge(several, on="record", suffixes=("", "_other"))
    pairs = pairs[pairs["nik"] != pairs["nik_other"]]
    worse = (
        _nik_siblings(pairs["nik"].to_numpy(), pairs["nik_other"].to_numpy(), rule)
        & (pairs["name"].to_numpy() != pairs["name_other"].to_numpy())
        & (pairs["rank"].to_numpy() > pairs["rank_other"].to_numpy())
    )
    lower = pd.MultiIndex.from_arrays([pairs["record"].to_numpy()[worse], pairs["nik"].to_numpy()[worse]])
    apart = pd.MultiIndex.from_arrays([edges["record"], edges["nik"]]).isin(lower)
    out[edges["row"].to_numpy()[apart]] = True
    return out


def _level_positions(levels: pd.Series, rows: np.ndarray, order: tuple[str, ...]) -> np.ndarray:
    """Per row of ``rows``: the position of the pair's level in ``order``, -1 for a level not in it or missing.
    For a categorical column, by a look-up table over its codes (no level name per pair)."""
    if isinstance(levels.dtype, pd.CategoricalDtype):
        table = np.array([order.index(level) if level in order else -1 for level in levels.cat.categories] + [-1])
        return table[levels.cat.codes.to_numpy()[rows]].astype(np.int8 if len(order) < 127 else np.int64)
    return pd.Index(order).get_indexer(levels.to_numpy()[rows])


def sibling_ties(scored: pd.DataFrame, features: pd.DataFrame, usable: np.ndarray, rule: NikSiblings) -> np.ndarray:
    """Per scored pair: a usable edge from a record without a trusted NIK to the holder of a trusted NIK that has
    a *sibling* (:class:`NikSiblings`) the record is linked to about as strongly (less than ``rule.tie_margin``
    bits apart): the record could be either twin, so none of its edges to holders of those NIKs is used (they
    go to review)."""
    trusted = features["nik_trusted"].to_numpy()
    nik = features["nik_num"].to_numpy()
    left, right = scored["left"].to_numpy(), scored["right"].to_numpy()
    one_side = usable & (trusted[left] != trusted[right])
    rows = np.flatnonzero(one_side)
    record = np.where(trusted[left[rows]], right[rows], left[rows])
    holder = np.where(trusted[left[rows]], left[rows], right[rows])
    edges = pd.DataFrame(
        {"row": rows, "record": record, "nik": nik[holder], "weight": scored["match_weight"].to_numpy()[rows]}
    )
    several = edges[edges["record"].duplicated(keep=False)]
    pairs = several.merge(several, on="record", suffixes=("", "_other"))
    pairs = pairs[pairs["row"] != pairs["row_other"]]
    tied = _nik_siblings(pairs["nik"].to_numpy(), pairs["nik_other"].to_numpy(), rule) & (
        np.abs(pairs["weight"].to_numpy() - pairs["weight_other"].to_numpy()) < rule.tie_margin
    )
    # Every edge of the record to a holder of either tied NIK goes (not only the two tied edges).
    tied_niks = pd.MultiIndex.from_arrays([pairs["record"].to_numpy()[tied], pairs["nik"].to_numpy()[tied]])
    drop = pd.MultiIndex.from_arrays([edges["record"], edges["nik"]]).isin(tied_niks)
    out = np.zeros(len(scored), dtype=bool)
    out[edges["row"].to_numpy()[drop]] = True
    return out


def _nik_siblings(left: np.ndarray, right: np.ndarray, rule: NikSiblings) -> np.ndarray:
    """Where two NIK numbers share all but the last ``serial_digits`` digits and their serials (neither zero)
    are at most ``max_serial_gap`` apart (and differ)."""
    place = 10**rule.serial_digits
    serial_left, serial_right = left % place, right % place
    gap = np.abs(serial_left - serial_right)
    # A zero serial is no serial (a NIK cut to 15 digits by a spreadsheet): not a sibling's.
    valid = (serial_left > 0) & (serial_right > 0)
    return valid & (left // place == right // place) & (gap >= 1) & (gap <= rule.max_serial_gap)


def _group_holds(
    scored: pd.DataFrame,
    seen: dict[LevelsOf, np.ndarray] | None,
    group: tuple[LevelsOf | tuple[LevelsOf, ...], ...],
) -> np.ndarray:
    """A group holds where one of its alternatives does; an alternative that is a tuple needs all of it.
    ``seen``: conditions already evaluated on these pairs (filled in; not changed by the caller)."""
    holds = np.zeros(len(scored), dtype=bool)
    for alternative in group:
        every = np.ones(len(scored), dtype=bool)
        for condition in alternative if isinstance(alternative, tuple) else (alternative,):
            every &= _at_levels(scored, seen, condition)
        holds |= every
    return holds


def _at_levels(scored: pd.DataFrame, seen: dict[LevelsOf, np.ndarray] | None, condition: LevelsOf) -> np.ndarray:
    """Where the pair is at one of ``condition``'s levels. A comparison the pairs were not scored on, or a level
    it does not have, is an error: a renamed level must not silently turn a guard off. (Settings are checked
    when they load, :func:`matching.settings.settings_problems`; this holds for guards built in code too.)
    ``seen``: a cache of conditions already evaluated on ``scored`` (the result is shared: not to be changed)."""
    if seen is not None and condition in seen:
        return seen[condition]
    holds = _levels_listed(scored, condition)
    if seen is not None:
        seen[condition] = holds
    return holds


def _levels_listed(scored: pd.DataFrame, condition: LevelsOf) -> np.ndarray:
    column = f"level_{condition.comparison}"
    if column not in scored.columns:
        raise ValueError(f"clustering guard: the pairs were not scored on a comparison named {condition.comparison!r}")
    levels = scored[column]
    if isinstance(levels.dtype, pd.CategoricalDtype):
        categories = levels.cat.categories
        unknown = [level for level in condition.levels if level not in categories]
        if unknown:
            raise ValueError(
                f"clustering guard: {unknown} not level(s) of comparison {condition.comparison!r} "
                f"(its levels: {list(categories)})"
            )
        # ``isin`` by the codes: one look-up per pair in a table over the categories (the last slot, code -1,
        # a missing level, is never listed).
        listed = np.zeros(len(categories) + 1, dtype=bool)
        listed[categories.get_indexer(list(condition.levels))] = True
        return listed[levels.cat.codes.to_numpy()]
    return levels.isin(condition.levels).to_numpy()


def cluster(
    scored: pd.DataFrame,
    features: pd.DataFrame,
    prior_weight: float,
    guards: ClusterGuards,
    constraints: pd.DataFrame | None = None,
    *,
    flags: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Links: ``record_id``, ``cluster`` (smallest record id of the cluster), ``cluster_size``, ``confidence``.

    ``scored`` needs ``left``, ``right``, ``match_weight``, ``match_probability``, ``w_nik`` and the
    ``level_`` columns of name, birth date, phone and location; ``confidence`` is a record's best match
    weight to another record of its cluster (NaN for a record alone). ``constraints``: review decisions
    (:data:`CONSTRAINT_COLUMNS`, ``decision`` :data:`SAME_PERSON` or :data:`DIFFERENT_PEOPLE`); pairs whose
    records are not in ``features`` are ignored. ``flags``: :func:`edge_flags` of the same arguments, when the
    caller has them already (the review queue reads them too); computed here otherwise.
    """
    if flags is None:
        flags = edge_flags(scored, features, prior_weight, guards)
    usable = (
        ((scored["match_probability"].to_numpy() >= guards.match_threshold) | flags["link_when"].to_numpy())
        & ~flags["generation_gap"].to_numpy()
        & ~flags["missing_evidence"].to_numpy()
        & (~flags["nik_conflict"].to_numpy() | flags["nik_override"].to_numpy())
    )
    fit_apart = np.zeros(len(scored), dtype=bool)
    if guards.nik_siblings is not None and guards.sibling_fit:
        fit_apart = sibling_fit(scored, features, usable, guards.nik_siblings, guards.sibling_fit)
        usable &= ~fit_apart
    if guards.nik_siblings is not None and guards.nik_siblings.tie_margin > 0:
        usable &= ~sibling_ties(scored, features, usable, guards.nik_siblings)
    n = len(features)
    must, different = decided_pairs(constraints, features)
    if len(different):
        usable &= ~np.isin(_pair_keys(scored["left"].to_numpy(), scored["right"].to_numpy(), n), different @ [n, 1])
    edges = scored.loc[usable, ["left", "right", "match_weight"]].assign(
        override=flags.loc[usable, "nik_override"], decided=False
    )
    if len(must):
        edges = pd.concat([_must_link_edges(must, scored, n), edges], ignore_index=True)
    labels = _components(edges, n)
    conflicted = _conflicted_components(labels, features, guards)
    # Pairs ``keep_apart`` names (and pairs decided *different people*) must not end up together through
    # others either (a record with a surname only, linked to two housemates): their components are rebuilt too.
    apart = flags["keep_apart"].to_numpy() | fit_apart
    cannot = np.concatenate([scored.loc[apart, ["left", "right"]].to_numpy(dtype=np.int64), different])
    if len(cannot):
        cannot = cannot[labels[cannot[:, 0]] == labels[cannot[:, 1]]]
        conflicted = np.union1d(conflicted, labels[cannot[:, 0]])
    if conflicted.size:
        labels = _rebuild_conflicted(labels, conflicted, edges, features, guards, cannot)
    return _links(labels, features, scored)


def decided_pairs(constraints: pd.DataFrame | None, features: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """``(must, cannot)``: positions ``(left, right)`` (left < right, unique) of the decided pairs whose two
    records are both in ``features``. A pair decided both ways is a cannot-link only."""
    empty = np.empty((0, 2), dtype=np.int64)
    if constraints is None or not len(constraints):
        return empty, empty
    positions = pd.Index(features["record_id"].astype("str")).get_indexer
    left = positions(constraints["record_id_l"].astype("str"))
    right = positions(constraints["record_id_r"].astype("str"))
    known = (left >= 0) & (right >= 0) & (left != right)
    pairs = np.sort(np.column_stack([left, right])[known], axis=1).astype(np.int64)
    decision = constraints["decision"].astype("str").to_numpy()[known]
    cannot = np.unique(pairs[decision == DIFFERENT_PEOPLE], axis=0).reshape(-1, 2)
    must = np.unique(pairs[decision == SAME_PERSON], axis=0).reshape(-1, 2)
    n = max(len(features), 1)
    must = must[~np.isin(must @ [n, 1], cannot @ [n, 1])]
    return must, cannot


def _pair_keys(left: np.ndarray, right: np.ndarray, n: int) -> np.ndarray:
    return np.minimum(left, right).astype(np.int64) * n + np.maximum(left, right).astype(np.int64)


def _must_link_edges(must: np.ndarray, scored: pd.DataFrame, n: int) -> pd.DataFrame:
    """Must-links as edges above every scored one, ordered among themselves by the pair's scored weight."""
    weight_of = pd.Series(
        scored["match_weight"].to_numpy(), index=_pair_keys(scored["left"].to_numpy(), scored["right"].to_numpy(), n)
    )
    weight_of = weight_of[~weight_of.index.duplicated()]
    scored_weight = weight_of.reindex(must @ [n, 1]).fillna(0.0).to_numpy()
    return pd.DataFrame(
        {
            "left": must[:, 0],
            "right": must[:, 1],
            "match_weight": DECIDED_WEIGHT + scored_weight,
            "override": True,
            "decided": True,
        }
    )


def constraint_outcomes(constraints: pd.DataFrame, links: pd.DataFrame, features: pd.DataFrame) -> pd.DataFrame:
    """Each decision of ``constraints`` (its columns kept) with ``status`` and ``nik_rule_conflict``.

    ``status``: ``applied`` (a *same person* pair ends in one cluster, a *different people* pair in two),
    ``record_missing`` (a record of the pair is not among tonight's records) or ``not_held`` (a must-link left
    out because it contradicts a cannot-link). ``nik_rule_conflict``: the decision goes against a NIK rule: *same
    person* for two different trusted NIKs, or *different people* for two records holding the same trusted NIK
    (the decision wins; the count is for a supervisor to look at).
    """
    out = constraints.copy()
    if len(out):
        positions = pd.Index(features["record_id"].astype("str")).get_indexer
        left = positions(out["record_id_l"].astype("str"))
        right = positions(out["record_id_r"].astype("str"))
    else:  # no decision: no index over every record id (millions) to look nothing up in
        left = right = np.empty(0, dtype=np.intp)
    known = (left >= 0) & (right >= 0)
    cluster_of = links["cluster"].to_numpy()
    same_cluster = np.zeros(len(out), dtype=bool)
    same_cluster[known] = cluster_of[left[known]] == cluster_of[right[known]]
    decision = out["decision"].astype("str").to_numpy()
    held = np.where(decision == SAME_PERSON, same_cluster, ~same_cluster)
    out["status"] = pd.Series(np.select([~known, held], [RECORD_MISSING, APPLIED], NOT_HELD), dtype="str").to_numpy()
    trusted = features["nik_trusted"].to_numpy() if "nik_trusted" in features.columns else np.zeros(len(features), bool)
    nik = features["nik_num"].to_numpy() if "nik_num" in features.columns else np.zeros(len(features), np.int64)
    both = np.zeros(len(out), dtype=bool)
    same_nik = np.zeros(len(out), dtype=bool)
    both[known] = trusted[left[known]] & trusted[right[known]]
    same_nik[known] = nik[left[known]] == nik[right[known]]
    out["nik_rule_conflict"] = both & np.where(decision == SAME_PERSON, ~same_nik, same_nik)
    return out


def _components(edges: pd.DataFrame, n: int) -> np.ndarray:
    graph = coo_matrix(
        (np.ones(len(edges), dtype=np.int8), (edges["left"].to_numpy(), edges["right"].to_numpy())), shape=(n, n)
    )
    _, labels = connected_components(graph, directed=False)
    return labels.astype(np.int64)


def _conflicted_components(labels: np.ndarray, features: pd.DataFrame, guards: ClusterGuards) -> np.ndarray:
    """Component labels holding two trusted NIKs, a generation of birth years, or too many records (ascending).

    Per component on arrays indexed by label, no grouping: its size, its smallest and largest trusted NIK (two
    NIKs when they differ; compared as float64, as a ``nunique`` of the NIK column with missing values would
    count them) and its birth-year span."""
    count = int(labels.max(initial=-1)) + 1
    bad = np.bincount(labels, minlength=count) > guards.max_cluster_size
    if guards.nik_conflict is not None:
        trusted = features["nik_trusted"].to_numpy(dtype=bool)
        nik = features["nik_num"].to_numpy().astype(np.float64)[trusted]
        lowest, highest = np.full(count, np.inf), np.full(count, -np.inf)
        np.minimum.at(lowest, labels[trusted], nik)
        np.maximum.at(highest, labels[trusted], nik)
        bad |= highest > lowest
    if guards.generation_gap_years is not None:
        year = features["birth_year"].to_numpy()
        dated = year != MISSING_NUMBER
        first, last = np.full(count, np.inf), np.full(count, -np.inf)
        np.minimum.at(first, labels[dated], year[dated].astype(np.float64))
        np.maximum.at(last, labels[dated], year[dated].astype(np.float64))
        bad |= (last - first) >= guards.generation_gap_years
    return np.flatnonzero(bad).astype(np.int64)


def _rebuild_conflicted(
    labels: np.ndarray,
    conflicted: np.ndarray,
    edges: pd.DataFrame,
    features: pd.DataFrame,
    guards: ClusterGuards,
    cannot: np.ndarray | None = None,
) -> np.ndarray:
    """Greedy constrained merge (strongest edge first) of the records of conflicted components.

    Loops in Python over the edges of conflicted components only, which chaining makes rare. ``cannot``:
    record pairs (positions) that must stay in different clusters.
    """
    in_conflict = np.isin(labels, conflicted)
    local = edges[in_conflict[edges["left"].to_numpy()]]
    local = local.sort_values(["match_weight", "left", "right"], ascending=[False, True, True], kind="stable")
    nik = features["nik_num"].to_numpy()
    trusted = features["nik_trusted"].to_numpy()
    year = features["birth_year"].to_numpy()
    members = np.flatnonzero(in_conflict)
    parent = {int(r): int(r) for r in members}
    nik_guard = guards.nik_conflict is not None
    niks = {int(r): ({int(nik[r])} if trusted[r] and nik_guard else set()) for r in members}
    years = {int(r): ((int(year[r]),) * 2 if year[r] != MISSING_NUMBER else None) for r in members}
    sizes = dict.fromkeys(parent, 1)
    partners: dict[int, set[int]] = {}
    for a, b in cannot if cannot is not None else np.empty((0, 2), dtype=np.int64):
        partners.setdefault(int(a), set()).add(int(b))
        partners.setdefault(int(b), set()).add(int(a))
    group_members = {r: {r} for r in parent} if partners else {}
    blocked = {r: set(partners.get(r, ())) for r in parent} if partners else {}

    def root(record: int) -> int:
        while parent[record] != record:
            parent[record] = parent[parent[record]]
            record = parent[record]
        return record

    decided = local["decided"] if "decided" in local.columns else np.zeros(len(local), dtype=bool)
    for left, right, override, must in zip(local["left"], local["right"], local["override"], decided, strict=True):
        a, b = root(int(left)), root(int(right))
        if a == b:
            continue
        merged_niks = niks[a] | niks[b]
        span = _merged_span(years[a], years[b])
        if not must:  # a clerk's *same person* decision passes the NIK, generation and size guards
            if merged_niks not in (niks[a], niks[b]) and not override:
                continue
            gap = guards.generation_gap_years
            if gap is not None and span is not None and span[1] - span[0] >= gap:
                continue
            if sizes[a] + sizes[b] > guards.max_cluster_size:
                continue
        if partners and (blocked[a] & group_members[b]):
            continue
        keep, absorbed = min(a, b), max(a, b)
        parent[absorbed] = keep
        niks[keep], years[keep], sizes[keep] = merged_niks, span, sizes[a] + sizes[b]
        if partners:
            group_members[keep] |= group_members.pop(absorbed)
            blocked[keep] |= blocked.pop(absorbed)
    rebuilt = labels.copy()
    offset = labels.max() + 1
    rebuilt[members] = offset + np.array([root(int(r)) for r in members], dtype=np.int64)
    return rebuilt


def _merged_span(a: tuple[int, int] | None, b: tuple[int, int] | None) -> tuple[int, int] | None:
    if a is None or b is None:
        return a or b
    return min(a[0], b[0]), max(a[1], b[1])


def _links(labels: np.ndarray, features: pd.DataFrame, scored: pd.DataFrame) -> pd.DataFrame:
    """``record_id``, ``cluster`` (the component's smallest ``record_id``), ``cluster_size`` and ``confidence`` (the
    record's best weight to another record of its component, NaN for none) per record, in ``features`` order.

    On integer arrays: the record ids stay in Arrow (no Python string per record), the smallest id is found by
    rank (by position when the ids are already in order, as :func:`matching.link.link_features` gives them),
    sizes by ``bincount`` and the best weight per record by ``fmax.at`` over the pairs inside a component."""
    n = len(labels)
    ids = features["record_id"]
    # Text ids (the person schema's) stay in Arrow; other ids are read as the frame constructor reads them.
    text = isinstance(ids.dtype, pd.StringDtype)
    record_ids = ids.astype("str").reset_index(drop=True) if text else pd.Series(ids.to_numpy())
    rank = _record_rank(record_ids) if text else _rank(record_ids.to_numpy())
    smallest = np.full(int(labels.max(initial=-1)) + 1, n, dtype=np.int64)
    np.minimum.at(smallest, labels, rank)
    by_rank = np.empty(n, dtype=np.int64)
    by_rank[rank] = np.arange(n, dtype=np.int64)
    cluster = record_ids.take(by_rank[smallest[labels]]).reset_index(drop=True)
    left, right = scored["left"].to_numpy(), scored["right"].to_numpy()
    same = np.flatnonzero(labels[left] == labels[right])
    weights = scored["match_weight"].to_numpy(dtype=np.float64)[same]
    confidence = np.full(n, np.nan)
    np.fmax.at(confidence, left[same], weights)
    np.fmax.at(confidence, right[same], weights)
    return pd.DataFrame(
        {
            "record_id": record_ids,
            "cluster": cluster,
            "cluster_size": np.bincount(labels, minlength=len(smallest))[labels].astype("int64"),
            "confidence": confidence,
        }
    )


def strictly_ascending_text(ids: pd.Series) -> bool:
    """Whether ``ids`` are text (``str``) without missing values, each greater than the one before (so unique and
    sorted, in the byte order pandas sorts Arrow text by): checked in one Arrow pass, no hash table, no sort."""
    if not isinstance(ids.dtype, pd.StringDtype):
        return False
    text = pa.array(ids)
    return text.null_count == 0 and (len(text) < 2 or bool(pc.all(pc.less(text[:-1], text[1:])).as_py()))


def _record_rank(record_ids: pd.Series) -> np.ndarray:
    """Each record's rank in ``record_id`` order (text ids, unique): its position when the ids are already
    ascending, else by Arrow's sort (the order pandas' ``min`` of Arrow text follows: by UTF-8 bytes)."""
    if strictly_ascending_text(record_ids):
        return np.arange(len(record_ids), dtype=np.int64)
    return _rank_of_order(pc.sort_indices(pa.array(record_ids)).to_numpy())


def _rank(values: np.ndarray) -> np.ndarray:
    return _rank_of_order(np.argsort(values, kind="stable"))


def _rank_of_order(order: np.ndarray) -> np.ndarray:
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order), dtype=np.int64)
    return rank
