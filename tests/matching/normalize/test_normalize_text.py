import numpy as np
import pandas as pd
import pytest

from matching.normalize._text import as_text, extract, map_unique


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (pd.Series([3276015505900001.0, np.nan, 1.5]), ["3276015505900001", None, "1.5"]),
        (pd.Series([12, 7], dtype="Int64"), ["12", "7"]),
        (pd.Series([" a ", "", "\tb\xa0", None], dtype="str"), ["a", None, "b", None]),
        (pd.Series([1.0, "x", None, 2], dtype=object), ["1", "x", None, "2"]),
    ],
)
def test_as_text(values, expected):
    out = as_text(values)
    assert out.dtype == "str"
    assert [None if pd.isna(v) else v for v in out] == expected


@pytest.mark.parametrize(
    "pattern",
    ["^([0-9]+)-([A-Z]+)$", "(?:^| )R[TW]([0-9]{1,3})", "^(.+?) BIN (.+)$", "([^ ]+)$"],
)
def test_extract_agrees_with_pandas(pattern):
    text = pd.Series(["12-AB", "RT3 RW4", "AHMAD BIN ALI", None, "", "x y z"], dtype="str", index=list("abcdef"))
    expected = text.str.extract(pattern)
    out = extract(text, pattern)
    assert list(out.index) == list(text.index)
    pd.testing.assert_frame_equal(out, expected.astype("str"), check_column_type=False)


def test_map_unique_transforms_each_distinct_value_once():
    seen = []

    def transform(unique: pd.Series) -> pd.Series:
        seen.append(len(unique))
        return unique.str.lower()

    out = map_unique(pd.Series(["A", "B", "A", None], dtype="str", index=[3, 2, 1, 0]), transform)
    assert seen == [2]
    assert out.to_dict() == {3: "a", 2: "b", 1: "a", 0: out[0]} and pd.isna(out[0])
