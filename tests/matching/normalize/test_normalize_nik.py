import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.normalize import NIK_COLUMNS, PROVINCE_CODES, parse_nik

SNAPSHOT = dt.date(2026, 11, 21)
VALID = "3276015505900001"  # Depok, woman (55 = 15 + 40), born 15-05-1990, serial 0001


def parse_one(value, snapshot=SNAPSHOT) -> pd.Series:
    return parse_nik(pd.Series([value], dtype=object), snapshot).iloc[0]


@pytest.mark.parametrize(
    "raw",
    [
        VALID,
        3276015505900001.0,
        3276015505900001,
        "3276 0155 0590 0001",
        "'3276015505900001",
        " 3276015505900001 ",
        "3276-0155-0590-0001",
        "3276015505900001.0",
    ],
)
def test_accepted_spellings_give_the_same_nik(raw):
    row = parse_one(raw)
    assert row["nik"] == VALID
    assert bool(row["nik_valid"]) is True
    assert pd.isna(row["nik_issue"])
    assert row["nik_birth_date"] == pd.Timestamp("1990-05-15")
    assert row["nik_sex"] == "P"
    assert row["nik_region"] == "327601"


def test_output_columns_dtypes_and_index():
    values = pd.Series([VALID, None], index=[10, 20])
    out = parse_nik(values, SNAPSHOT)
    assert list(out.columns) == NIK_COLUMNS
    assert list(out.index) == [10, 20]
    assert out["nik"].dtype == "str"
    assert out["nik_valid"].dtype == bool
    assert out["nik_birth_date"].dtype == "datetime64[ns]"


@pytest.mark.parametrize(
    ("raw", "issue"),
    [
        (None, "missing"),
        ("", "missing"),
        ("   ", "missing"),
        (np.nan, "missing"),
        ("3.27603E+15", "excel_mangled"),
        ("3,27603E+15", "excel_mangled"),
        ("3.276015505900001e+15", "excel_mangled"),
        (3.27603e15, "excel_mangled"),
        ("3276030000000000", "excel_mangled"),
        ("32760155O5900001", "non_digit"),
        ("NIK belum ada", "non_digit"),
        ("327601550590001", "wrong_length"),
        ("32760155059000011", "wrong_length"),
        ("9976015505900001", "invalid_region"),
        ("0076015505900001", "invalid_region"),
        ("3276013205900001", "invalid_date"),  # day 32
        ("3276017205900001", "invalid_date"),  # day 72 (woman, 32)
        ("3276010005900001", "invalid_date"),  # day 0
        ("3276011513900001", "invalid_date"),  # month 13
        ("3276013102900001", "invalid_date"),  # 31 February
        ("3276011505900000", "zero_serial"),
    ],
)
def test_issue_codes(raw, issue):
    row = parse_one(raw)
    assert row["nik_issue"] == issue
    assert bool(row["nik_valid"]) is False


@pytest.mark.parametrize("raw", [None, "3.27603E+15", "3276030000000000", "12AB", "123"])
def test_unreadable_niks_are_na(raw):
    row = parse_one(raw)
    assert pd.isna(row["nik"]) and pd.isna(row["nik_region"]) and pd.isna(row["nik_birth_date"])


@pytest.mark.parametrize("raw", ["9976015505900001", "3276013205900001", "3276011505900000"])
def test_structurally_invalid_nik_is_kept_for_matching(raw):
    row = parse_one(raw)
    assert row["nik"] == raw
    assert row["nik_region"] == raw[:6]


def test_zero_serial_still_yields_birth_date_and_sex():
    row = parse_one("3276011505900000")
    assert row["nik_birth_date"] == pd.Timestamp("1990-05-15")
    assert row["nik_sex"] == "L"


def test_invalid_date_has_no_birth_date_or_sex():
    row = parse_one("3276013205900001")
    assert pd.isna(row["nik_birth_date"]) and pd.isna(row["nik_sex"])


def test_province_table_has_38_provinces():
    assert len(PROVINCE_CODES) == 38
    assert {"11", "31", "32", "36", "51", "65", "76", "91", "96"} <= PROVINCE_CODES
    assert not {"00", "20", "37", "54", "97"} & PROVINCE_CODES


@pytest.mark.parametrize(
    ("date_part", "expected"),
    [
        ("150525", "2025-05-15"),  # 20YY not after the snapshot
        ("211126", "2026-11-21"),  # born on the snapshot date
        ("221126", "1926-11-22"),  # 2026-11-22 would be after the snapshot
        ("150527", "1927-05-15"),
        ("150500", "2000-05-15"),
        ("290200", "2000-02-29"),  # leap day of 2000
        ("150599", "1999-05-15"),
    ],
)
def test_century_is_chosen_by_plausible_age(date_part, expected):
    row = parse_one("327601" + date_part + "0001")
    assert row["nik_birth_date"] == pd.Timestamp(expected)


def test_women_day_offset():
    man, woman = parse_nik(pd.Series(["3276011505900001", "3276015505900001"]), SNAPSHOT).itertuples()
    assert (man.nik_sex, woman.nik_sex) == ("L", "P")
    assert man.nik_birth_date == woman.nik_birth_date


def test_empty_input():
    out = parse_nik(pd.Series([], dtype="str"), SNAPSHOT)
    assert list(out.columns) == NIK_COLUMNS and out.empty


def test_float_column_with_nan():
    out = parse_nik(pd.Series([3276015505900001.0, np.nan]), SNAPSHOT)
    assert out["nik"].tolist()[0] == VALID
    assert out["nik_issue"].tolist()[1] == "missing"


@st.composite
def valid_niks(draw):
    province = draw(st.sampled_from(sorted(PROVINCE_CODES)))
    city = draw(st.integers(1, 99))
    kecamatan = draw(st.integers(1, 99))
    latest = SNAPSHOT
    earliest = dt.date(SNAPSHOT.year - 100, SNAPSHOT.month, SNAPSHOT.day) + dt.timedelta(days=1)
    birth = draw(st.dates(min_value=earliest, max_value=latest))
    woman = draw(st.booleans())
    serial = draw(st.integers(1, 9999))
    day = birth.day + (40 if woman else 0)
    nik = f"{province}{city:02d}{kecamatan:02d}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"
    return nik, birth, "P" if woman else "L"


@settings(max_examples=20, deadline=None)
@given(st.lists(valid_niks(), min_size=1, max_size=40))
def test_any_valid_nik_round_trips(cases):
    niks = [nik for nik, _, _ in cases]
    out = parse_nik(pd.Series(niks), SNAPSHOT)
    assert out["nik"].tolist() == niks
    assert out["nik_valid"].all()
    assert out["nik_birth_date"].tolist() == [pd.Timestamp(birth) for _, birth, _ in cases]
    assert out["nik_sex"].tolist() == [sex for _, _, sex in cases]
    assert out["nik_region"].tolist() == [nik[:6] for nik in niks]


def _render(nik: str, rendering: str) -> object:
    if rendering == "spaced":
        return " ".join(nik[i : i + 4] for i in range(0, 16, 4))
    if rendering == "apostrophe":
        return "'" + nik
    if rendering == "dashed":
        return nik[:6] + "-" + nik[6:12] + "-" + nik[12:]
    return float(nik) if int(nik) < 2**53 else nik  # floats above 2**53 cannot hold every 16-digit number


@settings(max_examples=20, deadline=None)
@given(st.lists(st.tuples(valid_niks(), st.sampled_from(["spaced", "apostrophe", "float", "dashed"])), max_size=40))
def test_any_valid_nik_survives_common_renderings(cases):
    rendered = pd.Series([_render(case[0], rendering) for case, rendering in cases], dtype=object)
    assert parse_nik(rendered, SNAPSHOT)["nik"].tolist() == [case[0] for case, _ in cases]


@settings(max_examples=20, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=20), st.floats(), st.integers()), max_size=30))
def test_never_raises_and_keeps_index(values):
    series = pd.Series(values, dtype=object, index=range(100, 100 + len(values)))
    out = parse_nik(series, SNAPSHOT)
    assert list(out.index) == list(series.index)
    assert out["nik_issue"].notna().sum() == (~out["nik_valid"]).sum()
    assert out["nik"].dropna().str.fullmatch("[0-9]{16}").all()
