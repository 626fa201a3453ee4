"""Sex codes → ``L`` (laki-laki) / ``P`` (perempuan)."""

from __future__ import annotations

import pandas as pd

from matching.normalize._text import TEXT, as_text, map_unique

# 1 = laki-laki, 2 = perempuan is the Dukcapil/BPS coding. M/F and MALE/FEMALE come from English forms.
_SEX_CODES = {
    **dict.fromkeys(["L", "LK", "LAKI", "LAKILAKI", "LELAKI", "PRIA", "M", "MALE", "1"], "L"),
    **dict.fromkeys(["P", "PR", "PEREMPUAN", "WANITA", "W", "F", "FEMALE", "2"], "P"),
}


def normalize_sex(values: pd.Series) -> pd.Series:
    """``L``/``P`` from the usual spellings (case, spaces and punctuation ignored); anything else NA."""
    return map_unique(as_text(values), _normalize_unique)


def _normalize_unique(text: pd.Series) -> pd.Series:
    letters = text.str.upper().str.replace("[^A-Z0-9]", "", regex=True)
    return letters.map(_SEX_CODES).astype(TEXT)
