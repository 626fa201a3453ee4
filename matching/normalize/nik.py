"""NIK (Nomor Induk Kependudukan) parsing: ``PP KK CC DDMMYY SSSS``.

Province, regency/city and kecamatan of first registration, the birth date (40 added to the day for women)
and a serial from 0001. There is no check digit, so validity is structural only.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from matching.normalize._text import TEXT, as_text, build_dates, map_unique

NIK_LENGTH = 16
NIK_REGION_LENGTH = 6

# Kemendagri province codes of the 38 provinces (2022 onwards, Papua split into 91–96).
PROVINCE_CODES: frozenset[str] = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "16",
        "17",
        "18",
        "19",
        "21",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "51",
        "52",
        "53",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "72",
        "73",
        "74",
        "75",
        "76",
        "81",
        "82",
        "91",
        "92",
        "93",
        "94",
        "95",
        "96",
    ]
)

# A NIK can never end in 0000 (serial from 0001), so six or more trailing zeros (month digit, year and
# serial all zero) is the signature of a number rounded by a spreadsheet, not of a typing error.
MANGLED_TRAILING_ZEROS = 6
WOMEN_DAY_OFFSET = 40

NIK_COLUMNS = ["nik", "nik_valid", "nik_issue", "nik_birth_date", "nik_sex", "nik_region"]

_SCIENTIFIC = r"^[+]?[0-9]+(?:[.,][0-9]*)?[Ee][+]?[0-9]+$"
_DECORATION = "^'+|[ .-]"  # leading apostrophe (Excel text marker), group separators


def parse_nik(values: pd.Series, snapshot_date: dt.date) -> pd.DataFrame:
    """Parse NIKs into the schema's ``nik*`` columns (same index as ``values``).

    ``nik`` keeps the 16 digits whenever they were read intact, even if structurally invalid (bad province,
    date or serial), so matching can still compare them; it is NA for missing, spreadsheet-mangled,
    non-digit and wrong-length values. ``nik_issue`` names the first problem found, in the order
    missing, excel_mangled, non_digit, wrong_length, invalid_region, invalid_date, zero_serial.
    """
    text = as_text(values)
    parsed = map_unique(text, lambda unique: _parse_unique(unique, snapshot_date))
    issue = parsed["nik_issue"].mask(text.isna(), "missing").astype(TEXT)
    return pd.DataFrame(
        {
            "nik": parsed["nik"],
            "nik_valid": issue.isna().astype(bool),
            "nik_issue": issue,
            "nik_birth_date": parsed["nik_birth_date"],
            "nik_sex": parsed["nik_sex"],
            "nik_region": parsed["nik"].str.slice(0, NIK_REGION_LENGTH),
        },
        index=values.index,
    )


def _parse_unique(text: pd.Series, snapshot_date: dt.date) -> pd.DataFrame:
    """Issue, NIK and NIK-implied fields for distinct non-missing values."""
    text = text.str.replace(r"\.0+$", "", regex=True)
    scientific = text.str.fullmatch(_SCIENTIFIC).fillna(False).astype(bool)
    compact = text.str.replace(_DECORATION, "", regex=True)
    all_digits = compact.str.fullmatch("[0-9]+").fillna(False).astype(bool)
    right_length = all_digits & (compact.str.len() == NIK_LENGTH)
    trailing_zeros = compact.str.len() - compact.str.rstrip("0").str.len()
    mangled = scientific | (right_length & (trailing_zeros >= MANGLED_TRAILING_ZEROS))
    intact = right_length & ~mangled

    issue = pd.Series(pd.NA, index=text.index, dtype=TEXT)
    issue = issue.mask(mangled, "excel_mangled")
    issue = issue.mask(issue.isna() & ~all_digits, "non_digit")
    issue = issue.mask(issue.isna() & ~right_length, "wrong_length")
    nik = compact.where(intact)
    structure = _parse_structure(nik[intact], snapshot_date).reindex(text.index)
    return pd.DataFrame(
        {
            "nik": nik,
            "nik_issue": issue.mask(intact, structure["issue"]),
            "nik_birth_date": structure["birth_date"],
            "nik_sex": structure["sex"].astype(TEXT),
        }
    )


def _parse_structure(nik: pd.Series, snapshot_date: dt.date) -> pd.DataFrame:
    """Province, birth date, sex and serial checks on intact 16-digit NIKs."""
    digits = _digit_matrix(nik)
    province = digits[:, 0] * 10 + digits[:, 1]
    day_field = digits[:, 6] * 10 + digits[:, 7]
    month = digits[:, 8] * 10 + digits[:, 9]
    year_2d = digits[:, 10] * 10 + digits[:, 11]
    serial = digits[:, 12:16].sum(axis=1)

    is_woman = day_field > WOMEN_DAY_OFFSET
    day = np.where(is_woman, day_field - WOMEN_DAY_OFFSET, day_field)
    birth_date = _birth_date(year_2d, month, day, snapshot_date)
    date_ok = birth_date.notna().to_numpy()

    valid_province = np.isin(province, sorted(int(code) for code in PROVINCE_CODES))
    issue = np.select(
        [~valid_province, ~date_ok, serial == 0],
        ["invalid_region", "invalid_date", "zero_serial"],
        default="",
    )
    sex = np.where(is_woman, "P", "L")
    return pd.DataFrame(
        {
            "issue": pd.Series(issue, index=nik.index, dtype=TEXT).replace("", pd.NA),
            "birth_date": birth_date.set_axis(nik.index),
            "sex": pd.Series(sex, index=nik.index, dtype=TEXT).where(date_ok),
        },
        index=nik.index,
    )


def _digit_matrix(nik: pd.Series) -> np.ndarray:
    raw = np.array(nik.to_numpy(dtype=object), dtype=f"S{NIK_LENGTH}")
    return np.frombuffer(raw.tobytes(), dtype=np.uint8).reshape(-1, NIK_LENGTH).astype(np.int64) - ord("0")


def _birth_date(year_2d: np.ndarray, month: np.ndarray, day: np.ndarray, snapshot_date: dt.date) -> pd.Series:
    """Birth date with the century that keeps it on or before the snapshot date (20YY, else 19YY).

    20YY is preferred because, among living people, someone born in 20YY is far likelier than someone born
    a century earlier; 19YY is used only when 20YY would lie after the snapshot date.
    """
    snapshot_key = snapshot_date.year * 10_000 + snapshot_date.month * 100 + snapshot_date.day
    year = 2000 + year_2d
    in_future = year * 10_000 + month * 100 + day > snapshot_key
    year = np.where(in_future, year - 100, year)
    return build_dates(year, month, day)
