"""RT/RW numbers and street addresses."""

from __future__ import annotations

import pandas as pd

from matching.normalize._text import TEXT, as_text, extract, map_unique, squeeze_spaces

_NUMBER = "0*([0-9]{1,3})"
_PAIR = _NUMBER + " *[/-] *" + _NUMBER
# Ways of writing RT and RW together, tried in this order; each captures (rt, rw).
_RT_RW_PATTERNS = (
    "RT *[/.] *RW[ .:]*" + _PAIR,  # "RT/RW 002/005"
    "RT[ .:]*" + _NUMBER + "[ ./,-]*RW[ .:]*" + _NUMBER,  # "RT 002/RW 005", "RT. 02 RW. 19", "RT02RW05"
    "RT[ .:]*" + _PAIR,  # "RT 002/005"
)
_BARE_RT_RW = "^" + _PAIR + "$"  # "002/005", "2/5", "02-05": only in a cell that holds nothing else
_LONE_RT = "RT[ .:]*" + _NUMBER + "(?:[^0-9]|$)"
_LONE_RW = "RW[ .:]*" + _NUMBER + "(?:[^0-9]|$)"
_INT_LIKE = "^" + _NUMBER + "(?:[.,]0+)?$"

# RT/RW written inside an address (both, or one of them), read and then removed (same patterns, groups made
# non-capturing).
_EMBEDDED_RT_RW = "|".join(pattern.replace("(", "(?:") for pattern in _RT_RW_PATTERNS) + "|R[TW][ .:]*[0-9]{1,3}"
_EMBEDDED_RT_RW_WORD = "(?:^|[ ,.])(?:" + _EMBEDDED_RT_RW + ")"
_ADDRESS_ABBREVIATIONS = (
    (r"\b(?:JALAN|JLN|JL)\b", "JL"),
    (r"\b(?:GANG|GG)\b", "GG"),
    (r"\b(?:KAMPUNG|KAMP|KP)\b", "KP"),
    (r"\b(?:PERUMAHAN|PERUM)\b", "PERUM"),
    (r"\b(?:NOMOR|NOMER|NO)\b", "NO"),
    (r"\b(?:BLOK|BLK)\b", "BLOK"),
)
# Administrative tail: "KEL. X KEC. Y KOTA DEPOK" repeats what the region columns hold.
_ADMINISTRATIVE_TAIL = r"(?:^| )(?:KEL|KELURAHAN|DESA|KEC|KECAMATAN)\b.*$|(?: |^)KOTA DEPOK\b.*$"


def parse_rt_rw(values: pd.Series) -> pd.DataFrame:
    """Read ``rt`` and ``rw`` (strings without leading zeros) from a combined RT/RW cell."""
    return map_unique(as_text(values), _parse_rt_rw_unique)


def normalize_rt(values: pd.Series) -> pd.Series:
    """A lone RT or RW value (``2``, ``"002"``, ``2.0``, ``"RT 02"``) as a string without leading zeros.

    Zero (no RT/RW) and anything that is not a one-to-three-digit number become NA.
    """
    return map_unique(as_text(values), _normalize_rt_unique)


def clean_address(values: pd.Series) -> pd.DataFrame:
    """Normalise a street address and pull an embedded RT/RW into ``rt``/``rw``.

    Upper case, punctuation to spaces (``/`` and ``-`` kept inside house numbers), abbreviations made
    consistent (``JALAN``/``JLN``/``JL.`` → ``JL``, ``GANG`` → ``GG``, ``KAMPUNG`` → ``KP``,
    ``PERUMAHAN`` → ``PERUM``, ``NOMOR`` → ``NO``, ``BLK`` → ``BLOK``), and a trailing
    kelurahan/kecamatan/"KOTA DEPOK" tail dropped.
    """
    return map_unique(as_text(values), _clean_address_unique)


def _parse_rt_rw_unique(text: pd.Series) -> pd.DataFrame:
    upper = text.str.upper()
    rt = pd.Series(pd.NA, index=upper.index, dtype=TEXT)
    rw = pd.Series(pd.NA, index=upper.index, dtype=TEXT)
    for pattern in (*_RT_RW_PATTERNS, _BARE_RT_RW):
        both = extract(upper, pattern)
        found = rt.isna() & rw.isna() & both[0].notna()
        rt, rw = rt.mask(found, both[0]), rw.mask(found, both[1])
    rt = rt.fillna(extract(upper, _LONE_RT)[0])
    rw = rw.fillna(extract(upper, _LONE_RW)[0])
    return pd.DataFrame({"rt": _drop_zero(rt), "rw": _drop_zero(rw)})


def _normalize_rt_unique(text: pd.Series) -> pd.Series:
    upper = text.str.upper().str.replace("^R[TW][ .:]*", "", regex=True)
    return _drop_zero(extract(upper, _INT_LIKE)[0])


def _drop_zero(numbers: pd.Series) -> pd.Series:
    numbers = numbers.astype(TEXT)
    return numbers.mask(numbers == "0")


def _clean_address_unique(text: pd.Series) -> pd.DataFrame:
    upper = text.str.upper()
    rt_rw = _parse_rt_rw_unique(extract(upper, "(?:^|[ ,.])(" + _EMBEDDED_RT_RW + ")")[0])
    address = upper.str.replace(_EMBEDDED_RT_RW_WORD, " ", regex=True)
    address = address.str.replace("[^A-Z0-9/ -]", " ", regex=True)
    address = squeeze_spaces(address.str.replace(" *- *", "-", regex=True).str.strip("-/ "))
    for pattern, replacement in _ADDRESS_ABBREVIATIONS:
        address = address.str.replace(pattern, replacement, regex=True)
    address = squeeze_spaces(address.str.replace(_ADMINISTRATIVE_TAIL, "", regex=True))
    return pd.DataFrame({"address": address.astype(TEXT), "rt": rt_rw["rt"], "rw": rt_rw["rw"]})
