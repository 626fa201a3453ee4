"""Per-group lists and joined strings without a Python call per group (Arrow list arrays built from offsets)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: Columns ``unify.link_records`` adds to linked person records: the worker's row position in the unified
#: table (the integer group key), the source-priority rank (0 = most authoritative), the ``record_id`` order.
WORKER_INDEX, SOURCE_RANK, RECORD_ORDER = "worker_index", "_source_rank", "_record_order"


def collect_lists(group: pd.Series, values: pd.Series, n_groups: int) -> pd.Series:
    """The string ``values`` of each group ``0 .. n_groups-1`` as an Arrow ``list<string>`` column.

    ``group`` holds integer group positions; within a group, values keep their row order. Groups without
    rows get an empty list. Missing values are dropped.
    """
    present = values.notna().to_numpy()
    codes = group.to_numpy()[present]
    order = np.argsort(codes, kind="stable")
    offsets = np.concatenate([[0], np.cumsum(np.bincount(codes, minlength=n_groups))]).astype("int64")
    # The text taken in Arrow (no Python string per value): the values' rows in group order.
    items = arrow_text(values).take(pa.array(np.flatnonzero(present)[order])).cast(pa.large_string())
    lists = pa.LargeListArray.from_arrays(pa.array(offsets, type=pa.int64()), items)
    return pd.Series(pd.arrays.ArrowExtensionArray(lists.cast(pa.list_(pa.string()))), index=pd.RangeIndex(n_groups))


def join_strings(group: pd.Series, values: pd.Series, n_groups: int, separator: str) -> pd.Series:
    """The string ``values`` of each group joined by ``separator`` (row order kept); NA for groups without values."""
    lists = pa.array(collect_lists(group, values, n_groups).array)
    joined = pc.if_else(pc.equal(pc.list_value_length(lists), 0), None, pc.binary_join(lists, separator))
    return pd.Series(pd.arrays.ArrowExtensionArray(joined)).astype("str")


def first_per_worker(rows: pd.DataFrame, by: list[str], ascending: list[bool], n_workers: int) -> pd.DataFrame:
    """The first row of each worker (``worker_index``) after sorting by ``by``, missing values last.

    Indexed ``0 .. n_workers-1``; workers without any row get an all-NA row. The sort keys must be numbers,
    booleans or dates; they are sorted with ``np.lexsort`` and only the winning rows are copied, because
    reordering whole frames of Arrow strings dominates the cost on a million records.
    """
    workers = rows[WORKER_INDEX].to_numpy(dtype="int64")
    keys = [_sort_key(rows[column], up) for column, up in zip(reversed(by), reversed(ascending), strict=True)]
    order = np.lexsort([*keys, workers])
    sorted_workers = workers[order]
    is_first = np.concatenate([[True], sorted_workers[1:] != sorted_workers[:-1]]) if len(order) else np.array([], bool)
    winners = rows.iloc[order[is_first]].set_index(WORKER_INDEX)
    return winners if len(winners) == n_workers else winners.reindex(pd.RangeIndex(n_workers))


def _sort_key(values: pd.Series, ascending: bool) -> np.ndarray:
    """A float key sorting ``values`` in the wanted direction with missing values last."""
    if pd.api.types.is_datetime64_any_dtype(values):
        numbers = (values - pd.Timestamp(0)).dt.days.to_numpy(dtype="float64", na_value=np.nan)
    else:
        numbers = values.astype("float64").to_numpy(dtype="float64", na_value=np.nan)
    key = numbers if ascending else -numbers
    return np.where(np.isnan(key), np.inf, key)


def arrow_text(values: pd.Series) -> pa.Array:
    """``values`` as text in one Arrow array (one chunk: takes from many chunks cost more per row)."""
    array = pa.array(values.astype("str").array)
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def run_sizes(keys: np.ndarray) -> np.ndarray:
    """For each row, how many rows hold its key (integers): ``np.bincount(pd.factorize(keys)[0])`` per row, on a
    sort of the keys instead of a hash table (per row, a hash table of millions of keys cost 3x more at 2M
    records than at 200k; the sort's cost hardly grows)."""
    order = np.argsort(keys)  # any order among equal keys: only the runs' lengths are used
    ordered = keys[order]
    starts = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]])) if len(keys) else order
    sizes = np.diff(np.append(starts, len(keys)))
    out = np.empty(len(keys), dtype=np.int64)
    out[order] = np.repeat(sizes, sizes)
    return out


def first_occurrences(keys: np.ndarray) -> np.ndarray:
    """True at the first row holding each key (integers): ``~pd.Index(keys).duplicated(keep="first")``, on a stable
    sort of the keys instead of a hash table (see :func:`run_sizes`)."""
    order = np.argsort(keys, kind="stable")  # equal keys keep their row order: the first of each run is the first row
    ordered = keys[order]
    out = np.zeros(len(keys), dtype=bool)
    out[order[np.concatenate([[True], ordered[1:] != ordered[:-1]])] if len(keys) else order] = True
    return out
