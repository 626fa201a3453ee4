"""The packaged Kemendagri region reference for Kota Depok (kecamatan and kelurahan codes)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

REFERENCE_FILE = Path(__file__).resolve().parent / "reference" / "wilayah_depok.csv"


def load_region_reference() -> pd.DataFrame:
    """``reference/wilayah_depok.csv`` with every column as text (codes keep their dots and leading zeros)."""
    return pd.read_csv(REFERENCE_FILE, dtype="str", keep_default_na=False)
