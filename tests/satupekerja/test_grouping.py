"""Per-group helpers of unification: the sort-based counts and firsts against the hash-based pandas operations
they replace, and the per-group lists and joined text."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from satupekerja.registry.grouping import collect_lists, first_occurrences, join_strings, run_sizes

keys = st.lists(st.integers(-5, 12), max_size=60).map(lambda values: np.array(values, dtype=np.int64))


@settings(max_examples=80, deadline=None)
@given(keys)
def test_run_sizes_count_the_rows_holding_each_key(values):
    codes = pd.factorize(values)[0]
    expected = np.bincount(codes)[codes] if len(values) else np.array([], dtype=np.int64)
    assert run_sizes(values).tolist() == expected.tolist()


@settings(max_examples=80, deadline=None)
@given(keys)
def test_first_occurrences_mark_the_first_row_of_each_key(values):
    assert first_occurrences(values).tolist() == (~pd.Index(values).duplicated(keep="first")).tolist()


def test_empty_keys():
    assert run_sizes(np.array([], dtype=np.int64)).tolist() == []
    assert first_occurrences(np.array([], dtype=np.int64)).tolist() == []


def test_lists_keep_row_order_within_a_group_and_drop_missing_values():
    group = pd.Series([2, 0, 2, 0, 2])
    values = pd.Series(["c", "a", None, "b", "d"], dtype="str")
    lists = collect_lists(group, values, 4)
    assert [list(items) for items in lists] == [["a", "b"], [], ["c", "d"], []]
    joined = join_strings(group, values, 4, "; ")
    assert joined.tolist()[0] == "a; b" and joined.tolist()[2] == "c; d"
    assert joined.isna().tolist() == [False, True, False, True]
    assert joined.dtype == "str"
