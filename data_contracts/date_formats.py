"""Explicit date formats declared per column (``format: yyyymmdd``, ``format: [mm/dd/yyyy, yyyy-mm-dd]``).

A format is made of the tokens ``yyyy``, ``yy``, ``mm``, ``dd`` and literal separators (any other characters
except letters). Tokens written next to each other (``yyyymmdd``) take exactly two digits for ``mm`` and ``dd``;
separated tokens take one or two. Several formats may be listed: the first that reads a value wins. Two formats
of the same shape that differ only by the order of day and month (``dd/mm/yyyy`` and ``mm/dd/yyyy``) are refused:
that would be a guess between day-first and month-first, which this project never makes.
"""

from __future__ import annotations

import re

import pandas as pd

_TOKEN = re.compile(r"yyyy|yy|mm|dd|[^A-Za-z]+|[A-Za-z]+")
_DIGITS = {"yyyy": r"(?P<year>\d{4})", "yy": r"(?P<year>\d{2})"}
MIN_YEAR, MAX_YEAR = 1900, 2100
TWO_DIGIT_YEAR_PIVOT = 30  # as matching.normalize.dates: 00-29 → 2000s, 30-99 → 1900s


class DateFormatError(ValueError):
    """A date format that cannot be used; the message says why (the contract parser adds the key path)."""


def check_formats(formats: tuple[str, ...], column_type: str) -> None:
    """Raise :class:`DateFormatError` for an unknown token, a missing part, or a day-first/month-first guess."""
    needed = {"year", "month"} | ({"day"} if column_type == "date" else set())
    shapes: dict[str, str] = {}
    for fmt in formats:
        parts = _TOKEN.findall(fmt)
        letters = [p for p in parts if p.isalpha() and p not in ("yyyy", "yy", "mm", "dd")]
        if letters:
            raise DateFormatError(f"format {fmt!r}: unknown part {letters[0]!r}; use yyyy, yy, mm, dd and separators")
        found = {"yyyy": "year", "yy": "year", "mm": "month", "dd": "day"}
        have = [found[p] for p in parts if p in found]
        if len(have) != len(set(have)) or set(have) != needed:
            wanted = "yyyy (or yy), mm and dd" if column_type == "date" else "yyyy (or yy) and mm"
            raise DateFormatError(f"format {fmt!r}: a {column_type} format needs exactly {wanted}")
        shape = re.sub(r"dd|mm", "xx", fmt)
        if shape in shapes and shapes[shape] != fmt:
            raise DateFormatError(
                f"formats {shapes[shape]!r} and {fmt!r} differ only by day and month order: "
                "that would guess between day-first and month-first; keep one"
            )
        shapes[shape] = fmt


def format_regex(fmt: str) -> str:
    parts = _TOKEN.findall(fmt)
    out = []
    for position, part in enumerate(parts):
        if part in _DIGITS:
            out.append(_DIGITS[part])
        elif part in ("mm", "dd"):
            neighbours = parts[max(position - 1, 0) : position] + parts[position + 1 : position + 2]
            tight = any(n in ("yyyy", "yy", "mm", "dd") for n in neighbours)
            name = "month" if part == "mm" else "day"
            out.append(f"(?P<{name}>\\d{{2}})" if tight else f"(?P<{name}>\\d{{1,2}})")
        else:
            out.append(re.escape(part))
    return "^" + "".join(out) + "$"


def parse_with_formats(values: pd.Series, formats: tuple[str, ...], column_type: str = "date") -> pd.Series:
    """``datetime64[ns]`` per value by the first format that reads it (NaT when none does or the date is
    impossible); computed on distinct values. ``month`` columns give the first day of the month."""
    text = values.astype("str").str.strip()
    distinct = pd.Series(text.dropna().unique(), dtype="str")
    result = pd.Series(pd.NaT, index=distinct.index, dtype="datetime64[ns]")
    for fmt in formats:
        todo = result.isna()
        if not todo.any():
            break
        parts = distinct[todo].str.extract(format_regex(fmt))
        year = pd.to_numeric(parts["year"], errors="coerce")
        if fmt.count("y") == 2:
            year = year + (1900 + (year < TWO_DIGIT_YEAR_PIVOT) * 100)
        day = pd.to_numeric(parts["day"], errors="coerce") if "day" in parts else pd.Series(1, index=parts.index)
        month = pd.to_numeric(parts["month"], errors="coerce")
        ok = year.between(MIN_YEAR, MAX_YEAR) & month.notna() & day.notna()
        dates = pd.to_datetime(
            pd.DataFrame({"year": year.where(ok, 2000), "month": month.where(ok, 1), "day": day.where(ok, 1)}),
            errors="coerce",
        )
        result.loc[todo] = dates.where(ok).to_numpy()
    lookup = dict(zip(distinct, result, strict=True))
    return text.map(lookup).astype("datetime64[ns]")
