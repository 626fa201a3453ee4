"""Dates as the sources write them → ``datetime64`` at midnight (NaT when unreadable or impossible)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_datetime64_any_dtype, is_numeric_dtype

from matching.normalize._text import DATE, TEXT, as_text, build_dates, extract, map_unique

MIN_YEAR = 1900
MAX_YEAR = 2100
# Two-digit years: 00–29 → 2000–2029, 30–99 → 1930–1999 (registration dates are recent, birth dates of
# working-age people fall in 1930–1999 or after 2000).
TWO_DIGIT_YEAR_PIVOT = 30
# Excel serial day numbers (day 0 = 1899-12-30). Only five-digit serials (1927-05-18 … 2173) are read:
# smaller numbers are far likelier to be years or codes than a date before 1927.
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
EXCEL_SERIAL_MIN = 10_000
EXCEL_SERIAL_MAX = 99_999

MONTHS: dict[str, int] = {
    **dict.fromkeys(["JAN", "JANUARI", "JANUARY"], 1),
    **dict.fromkeys(["FEB", "PEB", "FEBRUARI", "PEBRUARI", "FEBRUARY"], 2),
    **dict.fromkeys(["MAR", "MRT", "MARET", "MARCH"], 3),
    **dict.fromkeys(["APR", "APRIL"], 4),
    **dict.fromkeys(["MEI", "MAY"], 5),
    **dict.fromkeys(["JUN", "JUNI", "JUNE"], 6),
    **dict.fromkeys(["JUL", "JULI", "JULY"], 7),
    **dict.fromkeys(["AGS", "AGT", "AGU", "AGST", "AGUS", "AGUSTUS", "AUG", "AUGUST"], 8),
    **dict.fromkeys(["SEP", "SEPT", "SEPTEMBER"], 9),
    **dict.fromkeys(["OKT", "OCT", "OKTOBER", "OCTOBER"], 10),
    **dict.fromkeys(["NOV", "NOP", "NOVEMBER", "NOPEMBER"], 11),
    **dict.fromkeys(["DES", "DEC", "DESEMBER", "DECEMBER"], 12),
}

_YEAR = "([0-9]{4}|[0-9]{2})"
_TIME = "(?:[ T][0-9]{1,2}[:.][0-9]{2}.*)?"
_ISO = "^([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})" + _TIME + "$"
_NUMERIC_DMY = "^([0-9]{1,2})[-/.]([0-9]{1,2})[-/.]" + _YEAR + _TIME + "$"
_NAMED_DMY = "^([0-9]{1,2})[- /.,]*([A-Z]+)[- /.,]*" + _YEAR + _TIME + "$"
_NAMED_MDY = "^([A-Z]+)[- /.]*([0-9]{1,2})[ ,]+([0-9]{4})$"
_SERIAL = "^([0-9]{5})(?:[.,][0-9]+)?$"

_MONTH_YYYYMM = "^([0-9]{4})([0-9]{2})(?:[.,]0+)?$"
_MONTH_YEAR_FIRST = "^([0-9]{4})[-/.]([0-9]{1,2})$"
_MONTH_YEAR_LAST = "^([0-9]{1,2})[-/.]([0-9]{4})$"
_MONTH_NAMED = "^([A-Z]+)[- /.,]*" + _YEAR + "$"


def parse_date(values: pd.Series, *, dayfirst: bool = True) -> pd.Series:
    """Parse dates written in the sources' formats; unique values only.

    Formats: ISO ``yyyy-mm-dd`` (optionally with a time), ``dd-mm-yyyy``, ``dd/mm/yyyy``, ``dd.mm.yyyy``
    (month first when ``dayfirst`` is False), two-digit years (pivot :data:`TWO_DIGIT_YEAR_PIVOT`), month
    names and abbreviations in Indonesian and English (``12 Agustus 1990``, ``12 Agt 1990``,
    ``22-SEP-2023``, ``Sep 22, 2023``), Excel serial numbers (numbers or numeric strings), and values that
    are already dates. Impossible dates and years outside 1900–2100 become NaT.
    """
    if is_datetime64_any_dtype(values.dtype):
        return _within_range(_naive(values).dt.normalize())
    if is_numeric_dtype(values.dtype) and not is_bool_dtype(values.dtype):
        return _from_excel_serial(pd.to_numeric(values, errors="coerce"))
    if values.dtype == object:
        return _parse_objects(values, dayfirst)
    return map_unique(as_text(values), lambda text: _parse_text(text, dayfirst))


def parse_month(values: pd.Series) -> pd.Series:
    """First day of the month for "last paid month" values.

    ``202410``, ``2024-10``, ``10-2024``, ``10/2024``, ``Okt 2024``, ``Oktober 2024``, and any full date
    :func:`parse_date` reads.
    """
    if is_datetime64_any_dtype(values.dtype):
        return _month_start(parse_date(values))
    return map_unique(as_text(values), _parse_month_text)


# ---------------------------------------------------------------- workers


def _parse_text(text: pd.Series, dayfirst: bool) -> pd.Series:
    upper = text.str.upper().str.replace(" {2,}", " ", regex=True)
    year, month, day = _empty_components(len(upper))
    iso = extract(upper, _ISO)
    _fill(year, month, day, iso[0], iso[1], iso[2])
    numeric = extract(upper, _NUMERIC_DMY)
    first, second = (numeric[0], numeric[1]) if dayfirst else (numeric[1], numeric[0])
    _fill(year, month, day, numeric[2], second, first)
    named = extract(upper, _NAMED_DMY)
    _fill(year, month, day, named[2], named[1].map(MONTHS), named[0])
    named_mdy = extract(upper, _NAMED_MDY)
    _fill(year, month, day, named_mdy[2], named_mdy[0].map(MONTHS), named_mdy[1])
    dates = _assemble(year, month, day)
    serial = pd.to_numeric(extract(upper, _SERIAL)[0], errors="coerce")
    return dates.fillna(_from_excel_serial(serial))


def _parse_month_text(text: pd.Series) -> pd.Series:
    upper = text.str.upper().str.replace(" {2,}", " ", regex=True)
    year, month, day = _empty_components(len(upper))
    day[:] = 1
    for pattern, year_group, month_group in (
        (_MONTH_YYYYMM, 0, 1),
        (_MONTH_YEAR_FIRST, 0, 1),
        (_MONTH_YEAR_LAST, 1, 0),
    ):
        parts = extract(upper, pattern)
        _fill(year, month, day, parts[year_group], parts[month_group], None)
    named = extract(upper, _MONTH_NAMED)
    _fill(year, month, day, named[1], named[0].map(MONTHS), None)
    months = _assemble(year, month, day)
    return months.fillna(_month_start(_parse_text(text, dayfirst=True)))


def _empty_components(length: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return np.full(length, np.nan), np.full(length, np.nan), np.full(length, np.nan)


def _fill(
    year: np.ndarray,
    month: np.ndarray,
    day: np.ndarray,
    new_year: np.ndarray,
    new_month: np.ndarray,
    new_day: np.ndarray | None,
) -> None:
    """Fill still-empty rows with the components a pattern found (first matching pattern wins)."""
    new_year = _expand_two_digit_years(pd.to_numeric(new_year, errors="coerce").to_numpy(dtype=float))
    new_month = pd.to_numeric(new_month, errors="coerce").to_numpy(dtype=float)
    found = np.isnan(year) & ~np.isnan(new_year) & ~np.isnan(new_month)
    if new_day is not None:
        new_day = pd.to_numeric(new_day, errors="coerce").to_numpy(dtype=float)
        found &= ~np.isnan(new_day)
        day[found] = new_day[found]
    year[found] = new_year[found]
    month[found] = new_month[found]


def _expand_two_digit_years(year: np.ndarray) -> np.ndarray:
    century = np.where(year < TWO_DIGIT_YEAR_PIVOT, 2000, 1900)
    return np.where(year < 100, year + century, year)


def _assemble(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> pd.Series:
    in_range = (year >= MIN_YEAR) & (year <= MAX_YEAR)
    year = np.where(in_range, year, np.nan)
    return build_dates(year, month, day)


def _from_excel_serial(serial: pd.Series) -> pd.Series:
    days = serial.where((serial >= EXCEL_SERIAL_MIN) & (serial <= EXCEL_SERIAL_MAX))
    whole_days = np.floor(days.to_numpy(dtype=float, na_value=np.nan))
    dates = EXCEL_EPOCH + pd.to_timedelta(whole_days, unit="D")
    return _within_range(pd.Series(dates, index=serial.index).astype(DATE))


def _parse_objects(values: pd.Series, dayfirst: bool) -> pd.Series:
    """Object columns mix strings, numbers and already-parsed dates: sort each unique value by kind."""
    codes, uniques = pd.factorize(values)
    uniques = pd.Series(uniques, dtype=object)
    is_date = uniques.map(lambda v: isinstance(v, dt.date | np.datetime64)).astype(bool)
    is_number = uniques.map(_is_plain_number).astype(bool)
    parsed = pd.Series(pd.NaT, index=uniques.index, dtype=DATE)
    if is_date.any():
        parsed[is_date] = pd.Series([_midnight(v) for v in uniques[is_date]], dtype=DATE).to_numpy()
    if is_number.any():
        parsed[is_number] = _from_excel_serial(uniques[is_number].astype(float)).to_numpy()
    is_text = ~(is_date | is_number) & uniques.notna()
    if is_text.any():
        text = as_text(uniques[is_text].astype(str).astype(TEXT))
        parsed[is_text] = map_unique(text, lambda t: _parse_text(t, dayfirst)).to_numpy()
    taken = parsed.array.take(codes, allow_fill=True)
    return pd.Series(taken, index=values.index, name=values.name)


def _is_plain_number(value: object) -> bool:
    """A real number small enough to be a serial day (huge integers would overflow float conversion)."""
    return isinstance(value, int | float | np.number) and not isinstance(value, bool | np.bool_) and abs(value) < 1e9  # type: ignore[operator]  # numpy scalars: abs is untyped


def _midnight(value: dt.date | np.datetime64) -> pd.Timestamp:
    """An already-parsed date at midnight, time zone dropped; NaT outside the accepted years."""
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, OverflowError):
        return pd.NaT
    if pd.isna(stamp) or not MIN_YEAR <= stamp.year <= MAX_YEAR:
        return pd.NaT
    return stamp.tz_localize(None).normalize()


def _naive(values: pd.Series) -> pd.Series:
    return values.dt.tz_localize(None) if values.dt.tz is not None else values


def _within_range(dates: pd.Series) -> pd.Series:
    """NaT outside MIN_YEAR–MAX_YEAR, checked before the cast so far-off dates cannot overflow it."""
    return dates.where((dates.dt.year >= MIN_YEAR) & (dates.dt.year <= MAX_YEAR)).astype(DATE)


def _month_start(dates: pd.Series) -> pd.Series:
    return dates.dt.to_period("M").dt.start_time.astype(DATE)
