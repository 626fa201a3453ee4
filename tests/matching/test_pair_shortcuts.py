"""Shortcuts of the per-pair work (session 7, issue 15) that must give what the plain definition gives: pattern
counts, the links table, level look-ups, call-name tests per distinct pair of texts, term frequencies, the
record-order checks and the conflicted components."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import matching.model as model_module
from matching.clustering import (
    LevelsOf,
    _at_levels,
    _level_positions,
    _links,
    strictly_ascending_text,
)
from matching.comparisons import NameComparison, _NameTexts
from matching.link import _has_duplicates_when_sorted, in_record_order
from matching.model import comparison_patterns
from matching.normalize.names import call_name_fits

LEVEL_MATRICES = st.integers(1, 4).flatmap(
    lambda width: st.lists(st.lists(st.integers(-1, 5), min_size=width, max_size=width), min_size=0, max_size=60)
)


def _patterns_by_definition(rows: list[list[int]], width: int) -> tuple[list[tuple[int, ...]], list[int]]:
    """Distinct rows in lexicographic order of (level + 1) per column, with their counts."""
    counts: dict[tuple[int, ...], int] = {}
    for row in rows:
        counts[tuple(row)] = counts.get(tuple(row), 0) + 1
    ordered = sorted(counts)
    return ordered, [counts[row] for row in ordered]


@settings(max_examples=120, deadline=None)
@given(LEVEL_MATRICES, st.booleans())
def test_comparison_patterns_are_the_distinct_level_rows_and_their_counts(rows, by_sort):
    width = len(rows[0]) if rows else 2
    levels = pd.DataFrame(
        np.array(rows, dtype=np.int8).reshape(len(rows), width), columns=[f"c{k}" for k in range(width)]
    )
    limit = model_module._COUNTED_PATTERN_CODES
    try:
        if by_sort:  # the sort path, taken when the codes' range is too wide to count
            model_module._COUNTED_PATTERN_CODES = 0
        patterns, counts = comparison_patterns(levels)
    finally:
        model_module._COUNTED_PATTERN_CODES = limit
    expected_rows, expected_counts = _patterns_by_definition(rows, width)
    assert [tuple(int(v) for v in row) for row in patterns] == expected_rows
    assert counts.tolist() == expected_counts
    assert patterns.dtype == np.int64


RECORD_IDS = st.lists(st.text(alphabet="ab:1Zé", min_size=1, max_size=5), min_size=1, max_size=25, unique=True)


@settings(max_examples=120, deadline=None)
@given(RECORD_IDS, st.randoms(use_true_random=False), st.booleans())
def test_links_give_the_smallest_record_id_size_and_best_weight_per_component(ids, random, in_order):
    if in_order:
        ids = sorted(ids, key=lambda text: text.encode())
    n = len(ids)
    labels = np.array([random.randrange(4) for _ in range(n)], dtype=np.int64)
    labels = np.unique(labels, return_inverse=True)[1].astype(np.int64)
    pairs = [(random.randrange(n), random.randrange(n)) for _ in range(30)]
    pairs = [(a, b) for a, b in pairs if a != b]
    scored = pd.DataFrame(
        {
            "left": np.array([a for a, _ in pairs], dtype=np.int64),
            "right": np.array([b for _, b in pairs], dtype=np.int64),
            "match_weight": [random.choice([float("nan"), -3.5, 0.0, 2.25, 7.0]) for _ in pairs],
        }
    )
    features = pd.DataFrame({"record_id": pd.Series(ids, dtype="str")})
    links = _links(labels, features, scored)
    assert links.columns.tolist() == ["record_id", "cluster", "cluster_size", "confidence"]
    assert links["record_id"].tolist() == ids
    for position in range(n):
        members = [ids[k] for k in range(n) if labels[k] == labels[position]]
        assert links["cluster"].iloc[position] == min(members, key=lambda text: text.encode())
        assert links["cluster_size"].iloc[position] == len(members)
        weights = [
            weight
            for (a, b), weight in zip(pairs, scored["match_weight"], strict=True)
            if position in (a, b) and labels[a] == labels[b] and weight == weight
        ]
        confidence = links["confidence"].iloc[position]
        assert (np.isnan(confidence) and not weights) or confidence == max(weights)
    assert links["cluster"].dtype == "str" and links["cluster_size"].dtype == np.int64


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet="ab1é:", max_size=4)), max_size=12))
def test_strictly_ascending_text_is_sorted_and_unique_without_missing_values(values):
    series = pd.Series(values, dtype="str")
    expected = all(v is not None for v in values) and all(
        a.encode() < b.encode() for a, b in itertools.pairwise(values)
    )
    assert strictly_ascending_text(series) == expected
    assert not strictly_ascending_text(pd.Series(range(len(values)), dtype="int64"))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from(["a", "b", "c", "d"])), max_size=10))
def test_duplicates_are_found_among_sorted_ids_as_duplicated_finds_them(values):
    ids = pd.Series(values, dtype="str").sort_values(kind="stable").reset_index(drop=True)
    assert _has_duplicates_when_sorted(ids) == bool(ids.duplicated().any())
    numbers = pd.Series([None if v is None else ord(v) for v in values], dtype="float64").sort_values()
    assert _has_duplicates_when_sorted(numbers.reset_index(drop=True)) == bool(numbers.duplicated().any())


def test_records_with_a_repeated_id_are_refused_and_others_come_in_id_order():
    records = pd.DataFrame({"record_id": pd.Series(["b:2", "a:1", "c:3"], dtype="str"), "name": ["B", "A", "C"]})
    assert in_record_order(records)["name"].tolist() == ["A", "B", "C"]
    with pytest.raises(ValueError, match="duplicate"):
        in_record_order(pd.concat([records, records.iloc[[1]]], ignore_index=True))


LEVELS = ("exact", "close", "far", "else")


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.sampled_from(LEVELS)), min_size=1, max_size=30),
    st.lists(st.sampled_from(LEVELS), max_size=4, unique=True),
)
def test_level_conditions_by_code_table_are_isin(values, listed):
    scored = pd.DataFrame({"level_c": pd.Categorical(values, categories=list(LEVELS))})
    condition = LevelsOf("c", tuple(listed))
    expected = np.array([value in listed for value in values], dtype=bool)
    assert (_at_levels(scored, None, condition) == expected).all()
    seen: dict = {}
    first = _at_levels(scored, seen, condition)
    assert _at_levels(scored, seen, condition) is first and (first == expected).all()
    rows = np.arange(len(values))[::2]
    order = tuple(reversed(listed))
    positions = _level_positions(scored["level_c"], rows, order)
    assert positions.tolist() == [order.index(values[r]) if values[r] in order else -1 for r in rows]
    as_text = pd.Series(values, dtype="object")
    assert _level_positions(as_text, rows, order).tolist() == positions.tolist()


NAME_WORDS = st.sampled_from(["ALI", "LILI", "SUPRIYADI", "YADI", "HERMAWAN", "WAWAN", "BUDI", "DIDI", "SUP", "JOKO"])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.one_of(st.none(), NAME_WORDS), st.lists(NAME_WORDS, max_size=3)), min_size=2, max_size=12),
    st.randoms(use_true_random=False),
)
def test_call_name_levels_per_distinct_text_pair_are_the_per_pair_tests(rows, random):
    aliases = [alias for alias, _ in rows]
    names = [" ".join(words) if words else None for _, words in rows]
    features = pd.DataFrame(
        {
            "name_key": pd.Series(names, dtype="str"),
            "alias_key": pd.Series(aliases, dtype="str"),
            "call_name_text": pd.Series([w[0] if w else alias for alias, w in rows], dtype="str"),
        }
    )
    left = np.array([random.randrange(len(rows)) for _ in range(40)])
    right = np.array([random.randrange(len(rows)) for _ in range(40)])
    texts = _NameTexts.of(features)
    comparison = NameComparison()
    suffix = comparison._call_name_suffix(left, right, texts)
    prefix = NameComparison._call_name_prefix(left, right, texts)
    name_text = [n or "" for n in names]
    called = features["call_name_text"].fillna("").tolist()
    shorts = [
        [a or "" for a in aliases],
        [
            n if (len(n) <= 5 and " " not in n and n != (a or "")) else ""
            for n, a in zip(name_text, aliases, strict=True)
        ],
    ]
    for k, (a, b) in enumerate(zip(left, right, strict=True)):
        expected_suffix = expected_prefix = False
        for short in shorts:
            for x, y in ((a, b), (b, a)):
                form, full = short[x], name_text[y]
                if len(form) >= comparison.call_name_suffix_min and full and form != full:
                    fits = call_name_fits(pd.Series([form]), pd.Series([full]), comparison.call_name_suffix_min)
                    expected_suffix |= bool(fits.iloc[0])
                if len(form) >= 3 and called[y] and form != called[y] and called[y].startswith(form):
                    expected_prefix = True
        assert suffix[k] == expected_suffix
        assert prefix[k] == expected_prefix


def test_term_frequencies_per_record_and_per_pair_give_the_same_weights():
    names = pd.Series(["SITI", "SITI", "RARE NAME", None, "ANI", "SITI"], dtype="str")
    features = pd.DataFrame({"name_key": names})
    comparison = NameComparison()
    frequencies = pd.Series({"SITI": 0.5, "ANI": 0.25, "OTHER": 0.125})
    model = model_module.FellegiSunterModel(
        comparisons=(comparison,),
        m={"name": np.full(len(comparison.levels), 1 / len(comparison.levels))},
        u={"name": np.full(len(comparison.levels), 0.01)},
        match_share=1e-4,
        tf={"name": frequencies},
        tf_max_boost=3.0,
        em_iterations=1,
    )
    exact = comparison.levels.index("exact")
    few = np.array([0, 2, 4])  # fewer agreeing pairs than records
    many = np.array([0, 1, 2, 3, 4, 5, 0, 1, 5])  # more agreeing pairs than records
    for left in (few, many):
        level = np.full(len(left), exact, dtype=np.int8)
        got = model_module._tf_adjusted(model, comparison, features, level, left, np.zeros(len(left)))
        # log2(u / frequency), a name not in the table (or missing) at the smallest frequency, capped by the boost
        frequency = np.array([frequencies.get(names[p], 0.125) if names[p] == names[p] else 0.125 for p in left])
        assert np.allclose(got, np.minimum(np.log2(0.01 / frequency), 3.0), rtol=0, atol=0)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 5),
            st.booleans(),
            st.sampled_from([3_175_010_101_900_001, 3_175_010_101_900_002, 12]),
            st.sampled_from([-1, 1950, 1990, 2001]),
        ),
        min_size=1,
        max_size=30,
    ),
    st.integers(1, 6),
)
def test_conflicted_components_hold_two_trusted_niks_a_generation_or_too_many_records(rows, max_size):
    from matching.clustering import ClusterGuards, _conflicted_components

    labels = np.unique([label for label, *_ in rows], return_inverse=True)[1].astype(np.int64)
    features = pd.DataFrame(
        {
            "nik_trusted": [trusted for _, trusted, _, _ in rows],
            "nik_num": np.array([nik for *_, nik, _ in rows], dtype=np.int64),
            "birth_year": np.array([year for *_, year in rows], dtype=np.int64),
        }
    )
    guards = ClusterGuards(
        match_threshold=0.9, nik_conflict_override_weight=10.0, generation_gap_years=30, max_cluster_size=max_size
    )
    expected = []
    for label in range(labels.max() + 1):
        members = [row for row, own in zip(rows, labels, strict=True) if own == label]
        niks = {nik for _, trusted, nik, _ in members if trusted}
        years = [year for *_, year in members if year != -1]
        if len(members) > max_size or len(niks) > 1 or (years and max(years) - min(years) >= 30):
            expected.append(label)
    assert _conflicted_components(labels, features, guards).tolist() == expected


@settings(max_examples=80, deadline=None)
@given(RECORD_IDS, st.randoms(use_true_random=False))
def test_links_beside_worker_ids_are_the_join_on_record_id(ids, random):
    from matching.stable_ids import links_beside_worker_ids, worker_source_counts

    ordered = sorted(ids, key=lambda text: text.encode())
    for record_ids in (ordered, ids):  # in order (placed beside) and in any order (joined)
        links = pd.DataFrame(
            {
                "record_id": pd.Series(record_ids, dtype="str"),
                "cluster": pd.Series(record_ids, dtype="str"),
                "cluster_size": np.array([random.randrange(1, 4) for _ in record_ids], dtype=np.int64),
                "confidence": [random.choice([float("nan"), 1.5]) for _ in record_ids],
            }
        )
        worker_ids = pd.DataFrame(
            {
                "record_id": pd.Series(record_ids, dtype="str"),
                "worker_id": pd.Series([f"W{random.randrange(3)}" for _ in record_ids], dtype="str"),
            }
        )
        expected = worker_ids.merge(links.drop(columns="cluster"), on="record_id", how="left", validate="one_to_one")
        linked = links_beside_worker_ids(links, worker_ids)
        pd.testing.assert_frame_equal(linked, expected)
        linked["source"] = pd.Series([random.choice(["a", "b", None]) for _ in record_ids], dtype="str")
        counts = worker_source_counts(linked)
        assert counts.workers == linked["worker_id"].nunique()
        assert counts.in_several_sources == int((linked.groupby("worker_id")["source"].nunique() > 1).sum())
        by_source = (linked["cluster_size"] > 1).groupby(linked["source"])
        assert counts.per_source == [
            (source, int(size), int(linked_count))
            for (source, size), linked_count in zip(by_source.size().items(), by_source.sum(), strict=True)
        ]
