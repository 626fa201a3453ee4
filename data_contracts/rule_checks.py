"""Row rules with the meaning of Great Expectations' expectations, checked vectorised in pandas.

Source contracts (:mod:`data_contracts.validation`) and output contracts (:mod:`data_contracts.output_contracts`)
state the same kinds of row rule: a value must be present, match a pattern, be one of a set, lie in a range, or
be unique (alone or with other columns). GX Core runs each expectation on a filtered copy of the frame, which
at millions of rows costs more than everything else the rule does; :meth:`RowCheck.failing` computes the same
failing rows in one vectorised pass over the rule's column(s), without copying the frame.

The meaning is GX's pandas engine's, rule by rule: missing values are left out of every rule but ``not_null``
(and a compound key ignores rows whose key columns are all missing); patterns are matched with
``astype(str).str.contains`` (a search: contracts anchor their patterns); sets with ``isin``; ranges
inclusively; and a duplicated value fails at every occurrence. :meth:`RowCheck.expectation` builds the GX
expectation of the same rule, which the validators still run with ``engine="gx"`` and the tests hold to the
same results.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

ENGINES = ("pandas", "gx")
KINDS = ("not_null", "pattern", "allowed", "range", "unique")


@dataclass(frozen=True)
class RowCheck:
    """One row rule on ``columns`` (several only for ``unique``: a compound key)."""

    kind: str
    columns: tuple[str, ...]
    pattern: str | None = None
    allowed: tuple[Any, ...] = ()
    low: Any = None
    high: Any = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown row check {self.kind!r}")
        if not self.columns or (len(self.columns) > 1 and self.kind != "unique"):
            raise ValueError(f"row check {self.kind!r} needs one column (several only for unique)")

    @property
    def gx_type(self) -> str:
        """The name of the GX expectation this check stands for (``expect_...``)."""
        if self.kind == "unique" and len(self.columns) > 1:
            return "expect_compound_columns_to_be_unique"
        return {
            "not_null": "expect_column_values_to_not_be_null",
            "pattern": "expect_column_values_to_match_regex",
            "allowed": "expect_column_values_to_be_in_set",
            "range": "expect_column_values_to_be_between",
            "unique": "expect_column_values_to_be_unique",
        }[self.kind]

    def expectation(self) -> Any:
        """The GX Core expectation of the same rule."""
        import great_expectations as gx

        expect, column = gx.expectations, self.columns[0]
        if self.kind == "not_null":
            return expect.ExpectColumnValuesToNotBeNull(column=column)
        if self.kind == "pattern":
            return expect.ExpectColumnValuesToMatchRegex(column=column, regex=self.pattern)
        if self.kind == "allowed":
            return expect.ExpectColumnValuesToBeInSet(column=column, value_set=list(self.allowed))
        if self.kind == "range":
            return expect.ExpectColumnValuesToBeBetween(column=column, min_value=self.low, max_value=self.high)
        if len(self.columns) > 1:
            return expect.ExpectCompoundColumnsToBeUnique(column_list=list(self.columns))
        return expect.ExpectColumnValuesToBeUnique(column=column)

    def failing(self, frame: pd.DataFrame) -> np.ndarray:
        """Boolean mask over ``frame``'s rows: True where the row breaks the rule (GX's unexpected rows)."""
        if self.kind == "not_null":
            return frame[self.columns[0]].isna().to_numpy(dtype=bool)
        if len(self.columns) > 1:
            keys = frame[list(self.columns)]
            considered = keys.notna().any(axis=1).to_numpy(dtype=bool)
            failing = np.zeros(len(frame), dtype=bool)
            failing[considered] = keys[considered].duplicated(keep=False).to_numpy(dtype=bool)
            return failing
        values = frame[self.columns[0]]
        present = values.notna().to_numpy(dtype=bool)
        whole = bool(present.all())
        checked = values if whole else values[present]
        if self.kind == "pattern":
            passes = checked.astype(str).str.contains(self.pattern, regex=True)
        elif self.kind == "allowed":
            passes = checked.isin(list(self.allowed))
        elif self.kind == "range":
            passes = pd.Series(True, index=checked.index)
            if self.low is not None:
                passes &= checked >= self.low
            if self.high is not None:
                passes &= checked <= self.high
        else:
            passes = ~checked.duplicated(keep=False)
        breaks = ~passes.to_numpy(dtype=bool, na_value=False)
        if whole:
            return breaks
        failing = np.zeros(len(frame), dtype=bool)
        failing[present] = breaks
        return failing


def check_engine(engine: str) -> str:
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, not {engine!r}")
    return engine
