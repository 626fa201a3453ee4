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


def test_contiguous_text_joins_the_chunks_and_keeps_the_values():
    import pyarrow as pa

    from satupekerja.registry.coverage import _contiguous_text

    frame = pd.concat(
        [pd.DataFrame({"label": pd.Series(["a", None], dtype="str"), "n": [1, 2]})] * 3, ignore_index=True
    )
    assert pa.array(frame["label"].array).num_chunks == 3
    out = _contiguous_text(frame)
    pd.testing.assert_frame_equal(out, frame)
    assert isinstance(pa.array(out["label"].array), pa.Array) or pa.array(out["label"].array).num_chunks == 1
    assert pa.array(frame["label"].array).num_chunks == 3  # the input is left as it was


def test_distinct_codes_are_np_unique_first_rows_and_inverse():
    from satupekerja.registry.coverage import _distinct_codes

    for key in (np.array([7, 3, 7, 0, 3, 9], dtype=np.int64), np.array([5, 10**9, 5], dtype=np.int64)):
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        got_first, got_code = _distinct_codes(key)
        assert got_first.tolist() == first.tolist() and got_code.tolist() == inverse.ravel().tolist()
