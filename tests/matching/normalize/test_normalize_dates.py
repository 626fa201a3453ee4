import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.normalize import parse_date, parse_month
from matching.normalize.dates import MONTHS


def date(value, **kwargs):
    return parse_date(pd.Series([value], dtype=object), **kwargs).iloc[0]


@pytest.mark.parametrize(
    "raw",
    [
        "1990-08-12",
        "1990-8-12",
        "1990-08-12 00:00:00",
        "1990-08-12T10:15:00",
        "12-08-1990",
        "12/08/1990",
        "12.08.1990",
        "12-8-1990",
        "12-08-90",
        "12 Agustus 1990",
        "12 AGUSTUS 1990",
        "12 Agt 1990",
        "12 Ags 1990",
        "12 Agu 1990",
        "12-AUG-1990",
        "12 August 1990",
        "Aug 12, 1990",
        "12-Agt-90",
        " 12  Agustus 1990 ",
        "33097",
        "33097.0",
        33097,
        33097.0,
        dt.date(1990, 8, 12),
        dt.datetime(1990, 8, 12, 14, 30),
        pd.Timestamp("1990-08-12 14:30"),
        np.datetime64("1990-08-12"),
    ],
)
def test_formats_of_the_same_date(raw):
    assert date(raw) == pd.Timestamp("1990-08-12")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("5 Pebruari 1985", "1985-02-05"),
        ("5 Peb 1985", "1985-02-05"),
        ("3 Nopember 1985", "1985-11-03"),
        ("3 Nop 1985", "1985-11-03"),
        ("1 Mei 2000", "2000-05-01"),
        ("1 Okt 2000", "2000-10-01"),
        ("25 Des 2000", "2000-12-25"),
        ("22-SEP-2023", "2023-09-22"),
        ("29-02-2000", "2000-02-29"),
        ("01-01-29", "2029-01-01"),
        ("01-01-30", "1930-01-01"),
        ("01-01-00", "2000-01-01"),
    ],
)
def test_month_names_and_two_digit_year_pivot(raw, expected):
    assert date(raw) == pd.Timestamp(expected)


def test_month_first_when_not_dayfirst():
    assert date("08/12/1990", dayfirst=False) == pd.Timestamp("1990-08-12")
    assert date("1990-08-12", dayfirst=False) == pd.Timestamp("1990-08-12")


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "31-02-1990",
        "29-02-1990",
        "32-01-1990",
        "12-13-1990",
        "1850-01-01",
        "01-01-1899",
        "2300-01-01",
        "12 Foo 1990",
        "kemarin",
        "1990",
        1990,
        "123",
        5.0,
        float("nan"),
        "0000-00-00",
        True,
    ],
)
def test_unparseable_or_impossible_is_nat(raw):
    assert pd.isna(date(raw))


def test_datetime_column_is_normalised_to_midnight():
    out = parse_date(pd.Series(pd.to_datetime(["1990-08-12 14:30", None, "1850-01-01 00:00"])))
    assert out.tolist()[0] == pd.Timestamp("1990-08-12")
    assert out.isna().tolist() == [False, True, True]
    assert out.dtype == "datetime64[ns]"


def test_far_off_parsed_dates_are_nat_not_errors():
    values = pd.Series(
        [dt.date(1, 1, 1), np.datetime64("1500-01-01"), dt.datetime(9999, 12, 31), 10**400, "12-08-1990"], dtype=object
    )
    assert parse_date(values).tolist()[:4] == [pd.NaT] * 4
    assert parse_date(values)[4] == pd.Timestamp("1990-08-12")
    seconds = pd.Series(np.array(["1500-01-01", "1990-08-12"], dtype="datetime64[s]"))
    assert parse_date(seconds).isna().tolist() == [True, False]


def test_numeric_column_is_read_as_excel_serials():
    out = parse_date(pd.Series([33097.0, np.nan, 33097.75]))
    assert out.tolist()[0] == pd.Timestamp("1990-08-12") and pd.isna(out[1])
    assert out[2] == pd.Timestamp("1990-08-12")


def test_parse_date_keeps_index():
    out = parse_date(pd.Series(["12-08-1990", None], index=["x", "y"]))
    assert list(out.index) == ["x", "y"] and out.dtype == "datetime64[ns]"


NAMES_BY_MONTH = {number: sorted(name for name, n in MONTHS.items() if n == number) for number in range(1, 13)}


def renderings(day: dt.date, month_name: str) -> list[object]:
    d, m, y = day.day, day.month, day.year
    return [
        f"{y:04d}-{m:02d}-{d:02d}",
        f"{y:04d}-{m:02d}-{d:02d} 00:00:00",
        f"{d:02d}-{m:02d}-{y:04d}",
        f"{d}/{m}/{y}",
        f"{d:02d}.{m:02d}.{y:04d}",
        f"{d:02d}-{m:02d}-{y % 100:02d}",
        f"{d} {month_name.title()} {y}",
        f"{d:02d}-{month_name}-{y}",
        f"{month_name.title()} {d}, {y}",
        str((pd.Timestamp(day) - pd.Timestamp("1899-12-30")).days),
        pd.Timestamp(day),
    ]


@settings(max_examples=20, deadline=None)
@given(
    st.lists(
        st.tuples(st.dates(dt.date(1930, 1, 1), dt.date(2029, 12, 31)), st.integers(0, 10)), min_size=1, max_size=15
    )
)
def test_generated_dates_in_every_format_come_back(cases):
    values, expected = [], []
    for day, pick in cases:
        names = NAMES_BY_MONTH[day.month]
        for rendered in renderings(day, names[pick % len(names)]):
            values.append(rendered)
            expected.append(pd.Timestamp(day))
    assert parse_date(pd.Series(values, dtype=object)).tolist() == expected


@settings(max_examples=20, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=20), st.integers(), st.floats()), max_size=20))
def test_parse_date_never_raises(values):
    out = parse_date(pd.Series(values, dtype=object))
    assert len(out) == len(values)
    valid = out.dropna()
    assert ((valid.dt.year >= 1900) & (valid.dt.year <= 2100)).all()


# ------------------------------------------------------------------ parse_month


@pytest.mark.parametrize(
    "raw",
    [
        "202410",
        202410,
        202410.0,
        "202410.0",
        "2024-10",
        "2024/10",
        "10-2024",
        "10/2024",
        "Okt 2024",
        "OKT-2024",
        "Oktober 2024",
        "October 2024",
        "2024-10-15",
        "15/10/2024",
        "15 Oktober 2024",
        pd.Timestamp("2024-10-15"),
    ],
)
def test_parse_month(raw):
    assert parse_month(pd.Series([raw], dtype=object)).iloc[0] == pd.Timestamp("2024-10-01")


@pytest.mark.parametrize("raw", [None, "", "202413", "13-2024", "Foo 2024", "bulan lalu"])
def test_parse_month_unreadable_is_nat(raw):
    assert pd.isna(parse_month(pd.Series([raw], dtype=object)).iloc[0])


def test_parse_month_on_datetime_column():
    out = parse_month(pd.Series(pd.to_datetime(["2024-10-15", None])))
    assert out.tolist()[0] == pd.Timestamp("2024-10-01") and pd.isna(out[1])
