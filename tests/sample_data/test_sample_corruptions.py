"""Corruption and formatting primitives do what their names say, at the requested rates."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from sample_data import corrupt, formats
from sample_data.config import NoiseRates


def rng() -> np.random.Generator:
    return np.random.default_rng(0)


def names(n: int = 2000) -> pd.Series:
    return pd.Series(["MUHAMMAD RIZKI HAKIM", "SITI AMINAH", "AGUS", "DJOKO TJAHJONO"] * (n // 4), dtype="str")


def test_typo_rate_and_shape():
    values = names()
    damaged = corrupt.typo(rng(), values, 0.2)
    changed = damaged != values
    assert 0.15 < changed.mean() < 0.25
    assert ((damaged.str.len() - values.str.len()).abs() <= 1).all()


def test_zero_rate_changes_nothing():
    values = names()
    for edit in (
        corrupt.typo,
        corrupt.spelling_variant,
        corrupt.muhammad_variant,
        corrupt.drop_token,
        corrupt.abbreviate_token,
        corrupt.reorder_tokens,
    ):
        assert edit(rng(), values, 0.0).equals(values)


def test_spelling_variant_swaps_old_and_modern_forms():
    values = pd.Series(["DJOKO TJAHJONO"] * 200 + ["YUSUF"] * 200, dtype="str")
    out = set(corrupt.spelling_variant(rng(), values, 1.0))
    assert out & {"JOKO TJAHJONO", "DJOKO CAHJONO", "DJOKO TJAHYONO"}
    assert out & {"JUSUF", "YOESUF"}
    assert "DYOKO TJAHJONO" not in out, "the J of DJ is not a J->Y candidate"


def test_muhammad_variants_only_touch_muhammad():
    out = corrupt.muhammad_variant(rng(), names(), 1.0)
    first = out.str.split(" ").str[0]
    assert set(first[names().str.startswith("MUHAMMAD")]) > {"M.", "MOH."}
    assert out[~names().str.startswith("MUHAMMAD")].equals(names()[~names().str.startswith("MUHAMMAD")])


def test_token_edits():
    values = pd.Series(["AGUS SETIAWAN", "MUHAMMAD RIZKI HAKIM", "SRI"], dtype="str")
    assert corrupt.drop_token(rng(), values, 1.0).tolist() == ["AGUS", "MUHAMMAD HAKIM", "SRI"]
    assert corrupt.reorder_tokens(rng(), values, 1.0).tolist() == ["SETIAWAN AGUS", "RIZKI MUHAMMAD HAKIM", "SRI"]
    assert corrupt.abbreviate_token(rng(), values, 1.0).str.replace(".", "").tolist() == [
        "AGUS S",
        "MUHAMMAD RIZKI H",
        "SRI",
    ]


def test_title_prefix_matches_sex():
    values = pd.Series(["SITI AMINAH"] * 300, dtype="str")
    out = corrupt.add_title(rng(), values, pd.Series(["P"] * 300, dtype="str"), 1.0)
    assert not out.str.match(r"^(H\.|BPK|BAPAK|DRS\.) ").any()
    assert out.str.match(r"^(HJ\.?|IBU|NY\.|BU) ").any()


def test_nik_noise_women_without_40_and_kk():
    nik = pd.Series(["3276014508900001"] * 1000, dtype="str")
    sex = pd.Series(["P"] * 1000, dtype="str")
    kk = pd.Series(["3276011203150007"] * 1000, dtype="str")
    out = corrupt.nik_noise(rng(), nik, sex, kk, NoiseRates(nik_female_no40=0.5, nik_kk=0.2, nik_missing=0.1))
    assert (out == "3276010508900001").mean() > 0.3
    assert (out == "3276011203150007").mean() > 0.1
    assert 0.05 < out.isna().mean() < 0.15


def test_day_month_swap_keeps_valid_dates():
    dates = pd.Series(pd.to_datetime(["1990-03-07"] * 500 + ["1990-03-25"] * 500))
    out = corrupt.birth_date_noise(rng(), dates, NoiseRates(day_month_swap=1.0))
    assert (out[:500] == pd.Timestamp("1990-07-03")).all()
    assert (out[500:] == pd.Timestamp("1990-03-25")).all()


def test_spreadsheet_mangled_niks():
    nik = pd.Series(["3276031234560007"] * 500, dtype="str")
    csv = formats.nik_in_csv(rng(), nik, 1.0)
    assert set(csv) == {"3.27603E+15", "3276031234560000"}
    cells = formats.nik_in_excel(rng(), nik, 1.0)
    assert {type(v) for v in cells} == {int}
    assert set(cells) == {3276031234560007, 3276031234560000}


def test_dates_as_text_styles():
    dates = pd.Series(pd.to_datetime(["2023-09-22"]))
    assert formats.dates_as_text(rng(), dates, {"mon_upper": 1}).tolist() == ["22-SEP-2023"]
    assert formats.dates_as_text(rng(), dates, {"long": 1}).tolist() == ["22 September 2023"]
    assert formats.dates_as_text(rng(), dates, {"dmy_short": 1}).tolist() == ["22/09/23"]
    cells = formats.dates_as_excel_cells(rng(), dates, {"serial": 1})
    assert cells.tolist() == [(dt.date(2023, 9, 22) - dt.date(1899, 12, 30)).days]


def test_phone_and_rt_rw_styles():
    phone = pd.Series(["081234567890"], dtype="str")
    assert formats.phones(rng(), phone, {"intl": 1}).tolist() == ["6281234567890"]
    assert formats.phones(rng(), phone, {"plus": 1}).tolist() == ["+62 812-3456-7890"]
    assert formats.rt_rw(rng(), np.array([2]), np.array([5]), {"rt_rw_3": 1}).tolist() == ["RT 002/RW 005"]
    assert formats.rt_rw(rng(), np.array([2]), np.array([5]), {"mixed_case": 1}).tolist() == ["Rt.002/Rw.005"]


def test_paid_months():
    months = pd.Series(pd.to_datetime(["2024-10-01"]))
    assert formats.paid_months(rng(), months, {"yyyymm": 1}).tolist() == ["202410"]
    assert formats.paid_months(rng(), months, {"mon yyyy": 1}).tolist() == ["Okt 2024"]


def test_nik_separators_keep_the_digits():
    nik = pd.Series(["3276031234560007"] * 200, dtype="str")
    out = corrupt.nik_separators(rng(), nik, 1.0)
    assert set(out) == {"3276 0312 3456 0007", "327603.123456.0007"}
    assert (out.str.replace(r"\D", "", regex=True) == nik).all()
