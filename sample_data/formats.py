"""How agencies write values down: dates, phones, RT/RW, sex, NIKs in spreadsheets, last-paid months.

Each formatter takes clean values and a mix of styles with weights, and returns text (or, for Excel, cell
values of the right Python type). Missing stays missing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sample_data import vocab

EXCEL_EPOCH = np.datetime64("1899-12-30", "D")


def _styles(rng: np.random.Generator, n: int, weights: dict[str, float]) -> np.ndarray:
    names = list(weights)
    p = np.array([weights[k] for k in names], dtype=float)
    return np.asarray(names, dtype=object)[rng.choice(len(names), size=n, p=p / p.sum())]


def dates_as_text(rng: np.random.Generator, dates: pd.Series, weights: dict[str, float]) -> pd.Series:
    """Dates written in a weighted mix of styles.

    Styles: ``dmy`` 05-08-1990, ``dmy_slash`` 05/08/1990, ``dmy_short`` 05/08/90, ``iso`` 1990-08-05,
    ``long`` 5 Agustus 1990, ``long_variant`` 05 Ags 1990 / Pebruari, ``mon_upper`` 05-AUG-1990,
    ``dmy_nopad`` 5-8-1990.
    """
    dates = pd.Series(dates).reset_index(drop=True)
    n = len(dates)
    style = _styles(rng, n, weights)
    day = dates.dt.day.astype("Int64").astype(str).str.zfill(2)
    month = dates.dt.month.astype("Int64").astype(str).str.zfill(2)
    year = dates.dt.year.astype("Int64").astype(str)
    month_index = (dates.dt.month.fillna(1).astype(int) - 1).to_numpy()
    candidates = {
        "dmy": day + "-" + month + "-" + year,
        "dmy_slash": day + "/" + month + "/" + year,
        "dmy_short": day + "/" + month + "/" + year.str[-2:],
        "iso": year + "-" + month + "-" + day,
        "long": day.str.lstrip("0") + " " + pd.Series(np.asarray(vocab.INDONESIAN_MONTHS)[month_index]) + " " + year,
        "long_variant": day + " " + pd.Series(np.asarray(vocab.INDONESIAN_MONTHS_VARIANT)[month_index]) + " " + year,
        "mon_upper": day + "-" + pd.Series(np.asarray(vocab.ENGLISH_MONTHS_ABBR)[month_index]) + "-" + year,
        "dmy_nopad": day.str.lstrip("0") + "-" + month.str.lstrip("0") + "-" + year,
    }
    out = pd.Series(pd.NA, index=dates.index, dtype="str")
    for name in weights:
        chosen = style == name
        out[chosen] = candidates[name][chosen]
    out[dates.isna().to_numpy()] = pd.NA
    return out


def dates_as_excel_cells(rng: np.random.Generator, dates: pd.Series, weights: dict[str, float]) -> pd.Series:
    """Excel cell values: ``date`` cells (datetime), ``serial`` numbers (days since 1899-12-30), or text styles."""
    dates = pd.Series(dates).reset_index(drop=True)
    n = len(dates)
    style = _styles(rng, n, weights)
    text_weights = {k: v for k, v in weights.items() if k not in ("date", "serial")}
    text = dates_as_text(rng, dates, text_weights or {"dmy": 1.0})
    cells = text.astype(object).where(text.notna(), None)
    is_date = (style == "date") & dates.notna().to_numpy()
    cells[is_date] = [d.to_pydatetime() for d in dates[is_date]]
    is_serial = (style == "serial") & dates.notna().to_numpy()
    serial = (dates[is_serial].to_numpy().astype("datetime64[D]") - EXCEL_EPOCH).astype(np.int64)
    cells[is_serial] = serial.tolist()
    return cells


def phones(rng: np.random.Generator, numbers: pd.Series, weights: dict[str, float]) -> pd.Series:
    """Mobile numbers (stored ``08…``) written as 08…, 628…, +62 8…, with spaces or dashes."""
    numbers = pd.Series(numbers, dtype="str").reset_index(drop=True)
    style = _styles(rng, len(numbers), weights)
    national = numbers.str.slice(1)
    candidates = {
        "local": numbers,
        "intl": "62" + national,
        "plus": "+62 " + national.str.slice(0, 3) + "-" + national.str.slice(3, 7) + "-" + national.str.slice(7),
        "spaced": numbers.str.slice(0, 4) + " " + numbers.str.slice(4, 8) + " " + numbers.str.slice(8),
        "dashed": numbers.str.slice(0, 4) + "-" + numbers.str.slice(4, 8) + "-" + numbers.str.slice(8),
        "plus_compact": "+62" + national,
        "no_zero": national,
    }
    out = pd.Series(pd.NA, index=numbers.index, dtype="str")
    for name in weights:
        chosen = style == name
        out[chosen] = candidates[name][chosen]
    out[numbers.isna().to_numpy()] = pd.NA
    return out


def rt_rw(rng: np.random.Generator, rt: np.ndarray, rw: np.ndarray, weights: dict[str, float]) -> pd.Series:
    """RT/RW written every way: ``RT 002/RW 005``, ``RT. 02 RW. 19``, ``Rt.001/Rw.002``, ``002/005``, ``2/5``."""
    rt_s = pd.Series(np.asarray(rt)).astype(str)
    rw_s = pd.Series(np.asarray(rw)).astype(str)
    style = _styles(rng, len(rt_s), weights)
    candidates = {
        "rt_rw_3": "RT " + rt_s.str.zfill(3) + "/RW " + rw_s.str.zfill(3),
        "rt_rw_dot": "RT. " + rt_s.str.zfill(2) + " RW. " + rw_s.str.zfill(2),
        "mixed_case": "Rt.0" + rt_s.str.zfill(2) + "/Rw.0" + rw_s.str.zfill(2),
        "slash_3": rt_s.str.zfill(3) + "/" + rw_s.str.zfill(3),
        "slash": rt_s + "/" + rw_s,
        "compact": "RT" + rt_s.str.zfill(2) + "/RW" + rw_s.str.zfill(2),
    }
    out = pd.Series(pd.NA, index=rt_s.index, dtype="str")
    for name in weights:
        chosen = style == name
        out[chosen] = candidates[name][chosen]
    return out


ADDRESS_ABBREVIATIONS = (
    ("JL. ", ("JALAN ", "JL ", "JLN. ", "Jl. ")),
    ("GG. ", ("GANG ", "GG ")),
    ("KP. ", ("KAMPUNG ", "KP ", "KMP. ")),
    ("PERUM ", ("PERUMAHAN ", "PRM. ", "Perum. ")),
    (" NO. ", (" NO ", " NOMOR ", " No.", " ")),
    (" BLOK ", (" BLK ", " BLOK. ", " BL. ")),
)


def addresses(rng: np.random.Generator, street: pd.Series, rate_variant: float) -> pd.Series:
    """Street addresses with abbreviations expanded or shortened (JL./JALAN/JLN., GG./GANG, NO./NOMOR...)."""
    out = pd.Series(street, dtype="str").reset_index(drop=True)
    for canonical, variants in ADDRESS_ABBREVIATIONS:
        mask = (rng.random(len(out)) < rate_variant) & out.str.contains(canonical, regex=False).fillna(False).to_numpy()
        choice = rng.integers(0, len(variants), len(out))
        for v, variant in enumerate(variants):
            chosen = mask & (choice == v)
            out[chosen] = out[chosen].str.replace(canonical, variant, n=1, regex=False)
    return out


def sex_labels(
    rng: np.random.Generator, sex: pd.Series, labels: dict[str, tuple[str, str]], weights: dict[str, float]
) -> pd.Series:
    """Sex codes ``L``/``P`` written with a weighted mix of label pairs, e.g. ``{"lp": ("L", "P")}``."""
    sex = pd.Series(sex, dtype="str").reset_index(drop=True)
    style = _styles(rng, len(sex), weights)
    out = pd.Series(pd.NA, index=sex.index, dtype="str")
    male = (sex == "L").to_numpy()
    for name, (male_label, female_label) in labels.items():
        chosen = style == name
        out[chosen] = np.where(male[chosen], male_label, female_label)
    out[sex.isna().to_numpy()] = pd.NA
    return out


def nik_in_csv(rng: np.random.Generator, nik: pd.Series, rate: float) -> pd.Series:
    """NIKs after a trip through a spreadsheet: ``3.27603E+15`` or 15 significant digits (last digit 0)."""
    out = pd.Series(nik, dtype="str").reset_index(drop=True)
    full = (out.str.len() == 16).fillna(False).to_numpy() & out.str.isdigit().fillna(False).to_numpy()
    mangled = (rng.random(len(out)) < rate) & full
    scientific = mangled & (rng.random(len(out)) < 0.6)
    truncated = mangled & ~scientific
    out[scientific] = out[scientific].str.slice(0, 1) + "." + out[scientific].str.slice(1, 6).str.rstrip("0") + "E+15"
    out[truncated] = out[truncated].str.slice(0, 15) + "0"
    return out


def nik_in_excel(rng: np.random.Generator, nik: pd.Series, rate: float) -> pd.Series:
    """Excel NIK cells: text, or number cells (exact, or rounded to Excel's 15 significant digits)."""
    text = pd.Series(nik, dtype="str").reset_index(drop=True)
    cells = text.astype(object).where(text.notna(), None)
    digits = text.str.isdigit().fillna(False).to_numpy() & (text.str.len() >= 15).fillna(False).to_numpy()
    number = (rng.random(len(text)) < rate) & digits
    rounded = number & (rng.random(len(text)) < 0.4) & (text.str.len() == 16).fillna(False).to_numpy()
    exact = number & ~rounded
    cells[exact] = [int(v) for v in text[exact]]
    cells[rounded] = [int(v[:15]) * 10 for v in text[rounded]]
    return cells


def paid_months(rng: np.random.Generator, months: pd.Series, weights: dict[str, float]) -> pd.Series:
    """Last paid month (first-of-month datetimes) as ``202410``, ``10-2024``, ``Okt 2024`` or ``10/2024``."""
    months = pd.Series(months).reset_index(drop=True)
    style = _styles(rng, len(months), weights)
    year = months.dt.year.astype(str)
    month = months.dt.month.astype(str).str.zfill(2)
    abbr = pd.Series(np.asarray(vocab.INDONESIAN_MONTHS_ABBR)[months.dt.month.to_numpy() - 1])
    candidates = {
        "yyyymm": year + month,
        "mm-yyyy": month + "-" + year,
        "mon yyyy": abbr + " " + year,
        "mm/yyyy": month + "/" + year,
    }
    out = pd.Series(pd.NA, index=months.index, dtype="str")
    for name in weights:
        chosen = style == name
        out[chosen] = candidates[name][chosen]
    return out


def date_iso(dates: pd.Series) -> pd.Series:
    """``yyyy-mm-dd`` text, missing kept missing."""
    return pd.Series(dates).reset_index(drop=True).dt.strftime("%Y-%m-%d").astype("str")
