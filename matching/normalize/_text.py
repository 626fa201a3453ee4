"""Shared plumbing for the normalisers: turning any input column into text, and working on unique values."""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api.types import is_bool_dtype, is_float_dtype, is_integer_dtype, is_string_dtype

TEXT = "str"
DATE = "datetime64[ns]"

# RE2 (pyarrow's regex engine) is used by pandas only when a pattern avoids \s, \d, lookarounds and
# backreferences; the patterns in this package therefore spell out their character classes.
WHITESPACE_CHARS = "\t\n\r\x0b\x0c\xa0\u2000-\u200b\u3000"


def as_text(values: pd.Series) -> pd.Series:
    """Return ``values`` as a text column: stripped, blanks as NA, integral floats without ``.0``.

    Integral floats are rendered exactly (``3276015505900001.0`` → ``"3276015505900001"``) because numeric
    columns read from spreadsheets hold identifiers as floats.
    """
    if is_float_dtype(values.dtype):
        text = _floats_as_text(values)
    elif is_integer_dtype(values.dtype) or is_bool_dtype(values.dtype):
        text = values.astype(TEXT)
    elif is_string_dtype(values.dtype) and values.dtype != object:
        text = values
    else:
        text = map_unique_objects(values, _render_scalar)
    text = text.str.replace(f"[{WHITESPACE_CHARS}]", " ", regex=True).str.strip()
    return text.mask(text == "")


def map_unique(text: pd.Series, transform: Callable[[pd.Series], pd.Series | pd.DataFrame]) -> pd.Series | pd.DataFrame:
    """Apply a vectorised ``transform`` to the unique values of ``text`` only, and spread the result back.

    ``transform`` receives a text Series of the unique non-NA values (fresh RangeIndex) and returns a
    Series or DataFrame aligned with it. Rows that were NA come back NA.
    """
    codes, uniques = text.factorize()
    result = transform(pd.Series(uniques, dtype=text.dtype))
    if isinstance(result, pd.DataFrame):
        return pd.DataFrame({column: _spread(result[column], codes, text.index) for column in result.columns})
    return _spread(result, codes, text.index)


def map_unique_objects(values: pd.Series, render: Callable[[object], str | None]) -> pd.Series:
    """Render each unique value of an object column with a Python function (never once per row)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    rendered = pd.Series([render(value) for value in uniques], dtype=TEXT)
    return _spread(rendered, codes, values.index)


def _spread(unique_result: pd.Series, codes: np.ndarray, index: pd.Index) -> pd.Series:
    taken = unique_result.array.take(codes, allow_fill=True)
    return pd.Series(taken, index=index, name=unique_result.name)


def _floats_as_text(values: pd.Series) -> pd.Series:
    numbers = values.to_numpy(dtype="float64", na_value=np.nan)
    integral = np.isfinite(numbers) & (np.floor(numbers) == numbers) & (np.abs(numbers) < 2.0**63)
    as_int = pd.Series(np.where(integral, numbers, 0).astype("int64"), index=values.index).astype(TEXT)
    as_float = values.astype(TEXT)
    text = as_int.where(integral, as_float)
    return text.mask(~np.isfinite(numbers))


def _render_scalar(value: object) -> str | None:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float | np.floating):
        if not np.isfinite(value):
            return None
        if float(value).is_integer() and abs(float(value)) < 2.0**63:
            return str(int(value))
    return str(value)


_CAPTURING_GROUP = re.compile(r"(?<!\\)\((?!\?)")


def extract(text: pd.Series, pattern: str) -> pd.DataFrame:
    """``text.str.extract(pattern)`` on pyarrow's RE2 engine: columns 0…n-1, NA where there is no match.

    pandas runs ``str.extract`` row by row in Python even on pyarrow-backed strings; this is several times
    faster. ``pattern`` must be RE2-compatible and every capturing group must take part in a match.
    """
    group_count = re.compile(pattern).groups
    names = iter(range(group_count))
    named = _CAPTURING_GROUP.sub(lambda _: f"(?P<g{next(names)}>", pattern)
    matches = pc.extract_regex(pa.array(text.astype(TEXT).array), named)
    return pd.DataFrame(
        {group: pd.array(pc.struct_field(matches, [group]), dtype=TEXT) for group in range(group_count)},
        index=text.index,
    )


def squeeze_spaces(text: pd.Series) -> pd.Series:
    """Collapse runs of spaces to one and trim; empty strings become NA."""
    squeezed = text.str.replace(" {2,}", " ", regex=True).str.strip()
    return squeezed.mask(squeezed == "")


def build_dates(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> pd.Series:
    """Dates from component arrays; impossible combinations (31 February, month 13) become NaT."""
    parts = pd.DataFrame({"year": year, "month": month, "day": day})
    return pd.to_datetime(parts, errors="coerce").astype(DATE)
