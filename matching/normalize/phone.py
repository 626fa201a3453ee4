"""Indonesian phone numbers → ``62`` + national significant number (digits only)."""

from __future__ import annotations

import pandas as pd

from matching.normalize._text import TEXT, as_text, extract, map_unique

COUNTRY_CODE = "62"
# National significant number (after the trunk 0): mobile 8xx with 9–12 digits (10–13 digits written with
# the 0), landline area code 2x–7x plus subscriber number, 8–10 digits (021-1234-5678 → 10).
_MOBILE = "^8[0-9]{8,11}$"
_LANDLINE = "^[2-7][0-9]{7,9}$"
# A cell can hold several numbers; the first one is used.
_SECOND_NUMBER = "(?:[/,;|&\\\\]| ATAU | DAN | OR ).*$"
_SCIENTIFIC = "^[+]?([0-9]+)[.,]?([0-9]*)E[+]?([0-9]+)$"
_PREFIX = "^(?:0062|62)0?|^0"


def normalize_phone(values: pd.Series) -> pd.Series:
    """Normalise phone numbers to ``62…`` digits; NA when missing or implausible.

    Accepts ``08…``, ``628…``, ``+62 8…``, ``0062…``, ``8…`` (trunk 0 lost by a spreadsheet), separators
    (spaces, dashes, dots, parentheses), several numbers in one cell (the first is kept) and landlines
    written with their area code (``021…`` → ``6221…``). Numbers in scientific notation are kept only when
    every digit is shown (``8.1234567890E+10``); otherwise the last digits are lost and the result is NA.
    """
    return map_unique(as_text(values), _normalize_unique)


def _normalize_unique(text: pd.Series) -> pd.Series:
    upper = text.str.upper()
    digits = _first_number(upper).str.replace("[^0-9]", "", regex=True)
    digits = digits.where(~_is_scientific(upper), _exact_scientific(upper))
    national = digits.str.replace(_PREFIX, "", regex=True)
    had_prefix = national.str.len() < digits.str.len()
    mobile = national.str.fullmatch(_MOBILE).fillna(False).astype(bool)
    landline = had_prefix & national.str.fullmatch(_LANDLINE).fillna(False).astype(bool)
    return (COUNTRY_CODE + national).where(mobile | landline).astype(TEXT)


def _first_number(upper: pd.Series) -> pd.Series:
    return upper.str.replace(_SECOND_NUMBER, "", regex=True)


def _is_scientific(upper: pd.Series) -> pd.Series:
    return upper.str.replace(" ", "", regex=False).str.fullmatch(_SCIENTIFIC).fillna(False).astype(bool)


def _exact_scientific(upper: pd.Series) -> pd.Series:
    """Digits of a number in scientific notation when the mantissa shows all of them, else NA."""
    parts = extract(upper.str.replace(" ", "", regex=False), _SCIENTIFIC)
    whole, fraction = parts[0], parts[1]
    exponent = pd.to_numeric(parts[2], errors="coerce")
    exact = (whole.str.len() == 1) & (fraction.str.len() == exponent)
    return (whole + fraction).where(exact.fillna(False).astype(bool))
