"""Name tokens of the feature step, split on pyarrow's regex engine, as Python's ``str.split(" ")`` splits."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.features import _first_token, _last_token, _second_token

TEXTS = st.lists(st.one_of(st.none(), st.text(alphabet="AB \n\tÉ", max_size=12)), max_size=20)


@settings(max_examples=100, deadline=None)
@given(TEXTS)
def test_tokens_are_those_of_a_split_at_single_spaces(values):
    keys = pd.Series(values, dtype="str", index=range(3, 3 + len(values)))
    first, second, last = _first_token(keys), _second_token(keys), _last_token(keys)
    for column in (first, second, last):
        assert list(column.index) == list(keys.index) and column.dtype == "str"
    for value, got_first, got_second, got_last in zip(values, first, second, last, strict=True):
        if value is None:
            assert pd.isna(got_first) and pd.isna(got_second) and pd.isna(got_last)
            continue
        words = value.split(" ")
        assert got_first == words[0]
        assert pd.isna(got_second) if len(words) < 2 else got_second == words[1]
        assert got_last == value.rsplit(" ", 1)[-1]
