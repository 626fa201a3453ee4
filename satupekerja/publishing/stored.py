"""Stored frames read when needed: so publication holds one table at a time instead of the whole night.

An asset input declared with :data:`LOAD_WHEN_USED` as its metadata is handed to the asset as a
:class:`StoredFrame` (a path, nothing read) by the Parquet IO manager; :func:`frame_of` reads it (only the
columns asked for) or passes a DataFrame through, so the asset works the same with an in-memory IO manager
(tests). :class:`FrameMapping` is a read-only ``name → DataFrame`` mapping over either, reading a table each
time it is looked up and keeping nothing: a caller that goes through it table by table holds one at a time.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

#: Metadata of an asset input (``dg.AssetIn(metadata=...)``): hand the step a :class:`StoredFrame`.
LOAD_WHEN_USED_KEY = "satupekerja/load"
LOAD_WHEN_USED = {LOAD_WHEN_USED_KEY: "when_used"}


#: Rows wanted: ``(column, values)``, the rows whose ``column`` holds one of ``values``.
RowsWhere = tuple[str, Sequence[str]]


def read_parquet_frame(path: Path, columns: Sequence[str] | None = None, rows: RowsWhere | None = None) -> pd.DataFrame:
    """One Parquet file as a DataFrame (only ``columns`` when given; only ``rows`` when given, filtered as the
    file is read, so the other rows are never all held): dates as ``datetime64``, nested columns (lists) as
    ``pd.ArrowDtype``.

    pandas records list columns in the Parquet metadata under a dtype name (``list<item: string>[pyarrow]``)
    that it cannot parse back; mapping nested types explicitly skips that lookup.
    """
    wanted = None if rows is None else pc.field(rows[0]).isin(pa.array(list(rows[1]), type=pa.string()))
    table = pq.read_table(path, columns=list(columns) if columns is not None else None, filters=wanted)
    return table.to_pandas(date_as_object=False, types_mapper=_nested_as_arrow_dtype)


def _nested_as_arrow_dtype(arrow_type: pa.DataType) -> pd.ArrowDtype | None:
    return pd.ArrowDtype(arrow_type) if pa.types.is_nested(arrow_type) else None


@dataclass(frozen=True)
class StoredFrame:
    """A DataFrame stored as one Parquet file, not read yet."""

    path: Path

    def load(self, columns: Sequence[str] | None = None, rows: RowsWhere | None = None) -> pd.DataFrame:
        return read_parquet_frame(self.path, columns, rows)

    def column_names(self) -> list[str]:
        """The stored columns (from the file's schema; nothing else is read)."""
        return list(pq.read_schema(self.path).names)


def frame_of(
    value: pd.DataFrame | StoredFrame, columns: Sequence[str] | None = None, rows: RowsWhere | None = None
) -> pd.DataFrame:
    """``value`` read when stored, else itself (only ``columns`` and ``rows`` when given)."""
    if isinstance(value, StoredFrame):
        return value.load(columns, rows)
    if rows is not None:
        value = value[value[rows[0]].isin(rows[1])]
    return value if columns is None else value[list(columns)]


class FrameMapping(Mapping[str, pd.DataFrame]):
    """``name → DataFrame`` over stored or in-memory frames; a stored one is read at each look-up, never kept."""

    def __init__(self, values: Mapping[str, pd.DataFrame | StoredFrame]) -> None:
        self._values = dict(values)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return frame_of(self._values[name])

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def with_frame(self, name: str, frame: pd.DataFrame) -> FrameMapping:
        """A copy of this mapping that also holds ``frame`` as ``name``."""
        return FrameMapping({**self._values, name: frame})
