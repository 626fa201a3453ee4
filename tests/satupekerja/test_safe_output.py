"""Formula-safe output: text cells that start like a formula are defused, everything else is left alone."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from satupekerja.staff.safe_output import formula_safe


def test_formula_like_text_is_prefixed_and_other_cells_are_kept() -> None:
    frame = pd.DataFrame({"mixed": pd.Series(["=1+1", None, 3, "+62 812", "ok"], dtype=object)})
    assert formula_safe(frame)["mixed"].tolist() == ["'=1+1", None, 3, "'+62 812", "ok"]


def test_columns_with_nothing_but_missing_values_pass_without_a_pandas_warning() -> None:
    frame = pd.DataFrame(
        {"object": pd.Series([np.nan, np.nan], dtype=object), "text": pd.Series([None, None], dtype="str")}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # pandas 4 turns fillna(False) on a float mask into an error
        out = formula_safe(frame)
    assert out["object"].isna().all() and out["text"].isna().all()
