"""The unified worker record: one golden row per ``worker_id``, built from every linked source record.

Survivorship rules (which source record wins each golden field). Every golden field comes with
``<field>_source``, the source id of the record it was taken from.

Identity fields (``nik``, ``kk``, ``name``, ``birth_date``, ``birth_place``, ``sex``), first rule that separates wins:

1. ``nik`` only: a structurally valid NIK beats an invalid one (a KK typed into the NIK field or a mangled
   spreadsheet value must not survive over a good NIK from a lesser source).
2. A source declared ``roles.identity_authority: true`` wins (in Depok: Dukcapil, the population register).
3. The value most sources agree on (frequency among the worker's records).
4. Source priority (each contract's ``roles.survivorship_rank``, 1 first; unranked sources after the ranked),
   then the most recent ``registered_date``, then ``record_id`` (so the result never depends on input order).

Contact fields (``phone``, ``alias``, ``occupation``, ``sector``): the most recent record (``registered_date``;
undated records last), then source priority, then ``record_id``. People change numbers and trades; the
latest statement is the one outreach can use. A source declaring ``roles.sector`` gives that trade to its records
that name none (done when standardising). A worker whose sources name no trade gets the trade their
golden occupation names (``PEDAGANG`` → ``pedagang``; ``coverage.OCCUPATION_SECTORS``), with
``sector_source`` the occupation's source.

Residence (``address``, ``rt``, ``rw``, ``kelurahan_code``, ``kecamatan_code``) is taken as one block from a
single record, so the street never comes from one record and the kelurahan from another: a record whose
kelurahan was resolved beats one without (outreach is organised by kelurahan), then a resolved kecamatan,
then the contact-field order above.

Coverage and employment flags are added by :func:`satupekerja.registry.coverage.add_coverage_flags`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from data_contracts.roles import EmploymentModel, RoleBook
from satupekerja.registry.coverage import COVERAGE_EVIDENCE_COLUMNS, add_coverage_flags, sector_from_occupation
from satupekerja.registry.grouping import (
    RECORD_ORDER,
    SOURCE_RANK,
    WORKER_INDEX,
    arrow_text,
    first_per_worker,
    run_sizes,
)

IDENTITY_FIELDS: tuple[str, ...] = ("nik", "kk", "name", "birth_date", "birth_place", "sex")
CONTACT_FIELDS: tuple[str, ...] = ("phone", "alias", "occupation", "sector")
RESIDENCE_FIELDS: tuple[str, ...] = ("address", "rt", "rw", "kelurahan_code", "kecamatan_code")
#: Every field survivorship picks for the golden record, each published with ``<field>_source`` (the source id it
#: came from): the one list the privacy policy, the staff tools and the ``unified_workers`` output contract follow.
GOLDEN_FIELDS: tuple[str, ...] = (*IDENTITY_FIELDS, *CONTACT_FIELDS, *RESIDENCE_FIELDS)

#: Person-schema columns the unified record and the coverage flags read.
LINKED_COLUMNS: tuple[str, ...] = tuple(
    dict.fromkeys(
        [
            "source",
            "record_id",
            "registered_date",
            "nik_valid",
            *IDENTITY_FIELDS,
            *CONTACT_FIELDS,
            *RESIDENCE_FIELDS,
            *COVERAGE_EVIDENCE_COLUMNS,
        ]
    )
)

#: Columns of ``worker_links`` holding a record's link confidence as a probability (0–1), first present wins;
#: else ``confidence``, the record's best match weight (bits, prior included) to its cluster as
#: ``matching.clustering.cluster`` returns it, is turned into a probability the way the engine does.
LINK_PROBABILITY_COLUMNS: tuple[str, ...] = ("match_confidence", "match_probability")
LINK_WEIGHT_COLUMN = "confidence"


def build_unified_workers(
    person_records: pd.DataFrame,
    worker_links: pd.DataFrame,
    snapshot_date: dt.date | str | pd.Timestamp,
    roles: RoleBook,
    model: EmploymentModel,
) -> pd.DataFrame:
    """One row per ``worker_id`` (sorted): golden values with their sources, linked records, coverage flags.

    ``person_records`` is in the common person schema; ``worker_links`` has at least ``record_id`` and
    ``worker_id`` (every person record must be linked) and optionally a link confidence column
    (``LINK_PROBABILITY_COLUMNS`` or ``LINK_WEIGHT_COLUMN``). Flags are computed as of ``snapshot_date``, never the clock.
    ``roles`` (of the contracts in force) rank sources and drive the coverage flags; ``model`` (the
    employment-model settings, ``Settings.employment_model``) combines the employment evidence.
    """
    snapshot = pd.Timestamp(snapshot_date).normalize()
    linked, worker_ids = link_records(person_records, worker_links, roles)
    n_workers = len(worker_ids)
    golden = pd.concat(
        [
            _identity_values(linked, n_workers, roles),
            _latest_values(linked, CONTACT_FIELDS, n_workers),
            _residence_block(linked, n_workers),
            _linked_record_summary(linked, n_workers),
            _match_confidence(linked, worker_links, worker_ids),
        ],
        axis=1,
    )
    _fill_sector_from_occupation(golden)
    golden.insert(0, "worker_id", pd.Series(worker_ids, dtype="str"))
    golden.insert(1, "snapshot_date", snapshot)
    return add_coverage_flags(golden, linked, snapshot, roles, model)


def _fill_sector_from_occupation(golden: pd.DataFrame) -> None:
    derived = sector_from_occupation(golden["occupation"])
    fill = golden["sector"].isna() & derived.notna()
    golden.loc[fill, "sector"] = derived[fill]
    golden.loc[fill, "sector_source"] = golden.loc[fill, "occupation_source"]


def person_record_columns(roles: RoleBook) -> list[str]:
    """The person-record columns :func:`build_unified_workers` reads (a caller may load only these)."""
    return list(dict.fromkeys([*LINKED_COLUMNS, *sorted(roles.evidence_fields())]))


def link_records(
    person_records: pd.DataFrame, worker_links: pd.DataFrame, roles: RoleBook
) -> tuple[pd.DataFrame, pd.Index]:
    """Person records joined to their worker, and the sorted distinct ``worker_id``s.

    The linked frame gains ``worker_id``, ``worker_index`` (position of the worker in the returned ids: the
    integer group key every per-worker computation uses, far faster than grouping on strings), a source-priority
    rank (from ``roles``, the contracts in force) and the ``record_id`` sort order. Raises when a record has no
    worker.
    """
    positions, record_order = _link_positions(person_records["record_id"], worker_links["record_id"])
    if (positions < 0).any():
        raise ValueError(f"person_records: {int((positions < 0).sum())} record(s) have no worker_id in worker_links")
    linked = person_records[person_record_columns(roles)].reset_index(drop=True)
    linked["worker_id"] = worker_links["worker_id"].to_numpy()[positions]
    worker_index, worker_ids = _sorted_codes(linked["worker_id"])
    linked[WORKER_INDEX] = worker_index.astype("int64")
    linked[SOURCE_RANK] = _per_distinct(linked["source"], roles.rank)
    linked[RECORD_ORDER] = record_order
    return linked, pd.Index(worker_ids, name="worker_id")


def _link_positions(record_ids: pd.Series, link_ids: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each person record's row in ``worker_links`` (-1 when unlinked) and its ``record_id`` sort order; raises
    when a ``record_id`` is linked twice or a person record is duplicated.

    ``worker_links`` comes sorted by ``record_id`` (the engine writes it so): then strictly increasing ids are
    unique, Arrow's hash look-up finds the rows, and a person record's sort order is the order of its link row
    (no string hash table of Python objects, no sort of the ids). Other link tables take the general way."""
    links = arrow_text(link_ids)
    if len(links) > 1 and not links.null_count and pc.all(pc.less(links[:-1], links[1:])).as_py():
        found = pc.index_in(arrow_text(record_ids), value_set=links)
        positions = found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
        if (positions < 0).any() or np.bincount(positions, minlength=1).max(initial=0) > 1:
            _check_unique(record_ids, "person_records", "duplicated record_id(s)")
        return positions, _rank_of_integers(positions)
    link_index = pd.Index(link_ids)
    _check_unique(link_ids, "worker_links", "record_id(s) linked to more than one worker")
    _check_unique(record_ids, "person_records", "duplicated record_id(s)")
    return link_index.get_indexer(record_ids), _rank_of_unique(record_ids)


def _per_distinct(values: pd.Series, function: Callable[[pd.Series], pd.Series]) -> np.ndarray:
    """``function(values)`` (elementwise) computed on the distinct values (and missing) and spread by code."""
    codes, distinct = pd.factorize(values)
    results = function(pd.concat([pd.Series(distinct, dtype=values.dtype), pd.Series([None], dtype=values.dtype)]))
    return results.to_numpy()[codes]  # code -1 (missing) takes the last


def _check_unique(values: pd.Series, table: str, what: str) -> None:
    if not values.is_unique:
        raise ValueError(f"{table}: {int(values.duplicated().sum())} {what}")


def _rank_of_integers(values: np.ndarray) -> np.ndarray:
    """Each value's position in sorted order (the values are distinct)."""
    rank = np.empty(len(values), dtype=np.int64)
    rank[np.argsort(values, kind="stable")] = np.arange(len(values), dtype=np.int64)
    return rank


def _sorted_codes(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """``pd.factorize(values, sort=True)`` for text without missing values, by Arrow's dictionary encoding and
    sort (the hash table of Python-comparable uniques took seconds on a million ids)."""
    encoded = pc.dictionary_encode(pa.array(values.astype("str")))
    order = pc.sort_indices(encoded.dictionary).to_numpy()
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order), dtype=np.int64)
    codes = rank[encoded.indices.to_numpy(zero_copy_only=False)]
    return codes, pd.Index(pd.Series(encoded.dictionary.take(pa.array(order)), dtype="str"))


def _rank_of_unique(values: pd.Series) -> np.ndarray:
    """Each value's position in sorted order (``pd.factorize(values, sort=True)[0]`` for unique strings), by
    Arrow's sort instead of a hash table of Python-comparable uniques."""
    order = pc.sort_indices(pa.array(values.astype("str"))).to_numpy()
    rank = np.empty(len(values), dtype=np.int64)
    rank[order] = np.arange(len(values), dtype=np.int64)
    return rank


def source_rank(sources: pd.Series, roles: RoleBook) -> pd.Series:
    """Survivorship rank of each source (lower = more authoritative), from ``roles`` (the contracts in force)."""
    return roles.rank(sources)


def _identity_values(linked: pd.DataFrame, n_workers: int, roles: RoleBook) -> pd.DataFrame:
    columns = {}
    keys = _survivorship_keys(linked)
    keys["_by_rank"] = _order_rank(keys, [SOURCE_RANK, "registered_date", RECORD_ORDER], [True, False, True])
    keys["_authority"] = linked["source"].isin(roles.identity_authorities).to_numpy(dtype=bool)
    keys["nik_valid"] = linked["nik_valid"].to_numpy()
    workers = keys[WORKER_INDEX]
    for field in IDENTITY_FIELDS:
        present = linked[field].notna().to_numpy(dtype=bool)
        rows = keys[present]
        # How many of the worker's records state this value: rows per (worker, value) pair, counted on a sort of
        # the pairs' integer key (a hash table of millions of pairs costs 3x more per row at 2M than at 200k).
        value_code = pd.factorize(linked[field])[0][present]
        pair = workers[present].to_numpy() * (int(value_code.max(initial=0)) + 1) + value_code
        rows = rows.assign(_agreement=run_sizes(pair))
        by = ["_authority", "_agreement", "_by_rank"]  # then source rank, latest, record_id (one precomputed order)
        ascending = [False, False, True]
        if field == "nik":
            by, ascending = ["nik_valid", *by], [False, *ascending]
        winners = _winning_rows(*_one_key(rows, by, ascending, len(linked)), n_workers)
        columns[field] = _take(linked[field], winners)
        if field == "nik":
            columns["nik_valid"] = _take(linked["nik_valid"], winners).fillna(False).astype("bool")
        columns[f"{field}_source"] = _take(linked["source"], winners)
    return pd.DataFrame(columns)


def _latest_values(linked: pd.DataFrame, fields: tuple[str, ...], n_workers: int) -> pd.DataFrame:
    columns = {}
    keys = _survivorship_keys(linked)
    keys["_latest"] = _order_rank(keys, ["registered_date", SOURCE_RANK, RECORD_ORDER], [False, True, True])
    for field in fields:
        rows = keys[linked[field].notna().to_numpy(dtype=bool)]
        winners = _winning_rows(rows, ["_latest"], [True], n_workers)
        columns[field] = _take(linked[field], winners)
        columns[f"{field}_source"] = _take(linked["source"], winners)
    return pd.DataFrame(columns)


def _residence_block(linked: pd.DataFrame, n_workers: int) -> pd.DataFrame:
    has_any = linked[list(RESIDENCE_FIELDS)].notna().any(axis=1).to_numpy(dtype=bool)
    keys = _survivorship_keys(linked)
    keys["_latest"] = _order_rank(keys, ["registered_date", SOURCE_RANK, RECORD_ORDER], [False, True, True])
    rows = keys[has_any].assign(
        _has_kelurahan=linked["kelurahan_code"].notna().to_numpy(dtype=bool)[has_any],
        _has_kecamatan=linked["kecamatan_code"].notna().to_numpy(dtype=bool)[has_any],
    )
    # A resolved kelurahan first, then a resolved kecamatan, then the latest: packed as one key (see _one_key).
    packed = (
        (~rows["_has_kelurahan"].to_numpy()).astype(np.int64) * 2
        + (~rows["_has_kecamatan"].to_numpy()).astype(np.int64)
    ) * len(linked) + rows["_latest"].to_numpy(dtype=np.int64)
    winners = _winning_rows(rows.assign(_packed=packed), ["_packed"], [True], n_workers)
    columns = {}
    for field in RESIDENCE_FIELDS:
        columns[field] = _take(linked[field], winners)
        columns[f"{field}_source"] = _take(linked["source"], winners)
    return pd.DataFrame(columns)


def _survivorship_keys(linked: pd.DataFrame) -> pd.DataFrame:
    """The numeric sort keys of survivorship and each record's row (``_row``): sorted without the text columns,
    whose values are then taken for the winners only (reordering Arrow text per field cost more than the rest)."""
    return pd.DataFrame(
        {
            WORKER_INDEX: linked[WORKER_INDEX].to_numpy(),
            SOURCE_RANK: linked[SOURCE_RANK].to_numpy(),
            "registered_date": linked["registered_date"].to_numpy(),
            RECORD_ORDER: linked[RECORD_ORDER].to_numpy(),
            "_row": np.arange(len(linked), dtype=np.int64),
        }
    )


def _one_key(rows: pd.DataFrame, by: list[str], ascending: list[bool], n_rows: int) -> tuple[pd.DataFrame, list, list]:
    """The identity sort as one integer key when it fits: flags (``nik_valid``, ``_authority``, True first), then
    ``_agreement`` (largest first), then ``_by_rank`` (a rank below ``n_rows``), packed so that sorting the packed
    key sorts the rows exactly as the keys would (one sort key instead of four or five). Else the keys as given."""
    flags, rest = by[:-2], by[-2:]
    if rest != ["_agreement", "_by_rank"] or any(rows[flag].dtype != bool for flag in flags):
        return rows, by, ascending
    agreement = rows["_agreement"].to_numpy(dtype=np.int64)
    most = int(agreement.max(initial=0))
    if (2 ** len(flags) * (most + 1)) * n_rows >= 2**53:  # the sort compares keys as doubles: stay exact
        return rows, by, ascending
    major = np.zeros(len(rows), dtype=np.int64)
    for flag in flags:
        major = major * 2 + (~rows[flag].to_numpy(dtype=bool)).astype(np.int64)  # True first
    packed = (major * (most + 1) + (most - agreement)) * n_rows + rows["_by_rank"].to_numpy(dtype=np.int64)
    return rows.assign(_packed=packed), ["_packed"], [True]


def _order_rank(keys: pd.DataFrame, by: list[str], ascending: list[bool]) -> np.ndarray:
    """Each row's position when all rows are sorted by ``by`` (missing values last, as ``first_per_worker`` sorts):
    one key standing for several in the per-field sorts. The last key (``record_id`` order) is unique, so the
    rank orders rows exactly as the keys do and sorting a subset by it sorts it by the keys."""
    columns = []
    for column, up in zip(reversed(by), reversed(ascending), strict=True):
        values = keys[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            numbers = (values - pd.Timestamp(0)).dt.days.to_numpy(dtype="float64", na_value=np.nan)
        else:
            numbers = values.astype("float64").to_numpy(dtype="float64", na_value=np.nan)
        key = numbers if up else -numbers
        columns.append(np.where(np.isnan(key), np.inf, key))
    rank = np.empty(len(keys), dtype=np.int64)
    rank[np.lexsort(columns)] = np.arange(len(keys), dtype=np.int64)
    return rank


def _winning_rows(rows: pd.DataFrame, by: list[str], ascending: list[bool], n_workers: int) -> np.ndarray:
    """The ``_row`` of each worker's first row by ``first_per_worker``; -1 for a worker without rows.

    A single ascending integer key that is unique per row (a packed key ending in a rank) needs no sort: each
    worker's first row is the one holding its smallest key."""
    if len(by) == 1 and ascending[0] and rows[by[0]].dtype == np.int64:
        key, workers = rows[by[0]].to_numpy(), rows[WORKER_INDEX].to_numpy(dtype=np.int64)
        smallest = np.full(n_workers, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(smallest, workers, key)
        first = key == smallest[workers]
        # Each worker's smallest key held by one row only (always so for a key ending in a rank): no tie to break.
        if np.bincount(workers[first], minlength=1).max(initial=0) <= 1:
            winners = np.full(n_workers, -1, dtype=np.int64)
            winners[workers[first]] = rows["_row"].to_numpy(dtype=np.int64)[first]
            return winners
    found = first_per_worker(rows, by, ascending, n_workers)["_row"].to_numpy(dtype="float64", na_value=np.nan)
    return np.where(np.isnan(found), -1, found).astype(np.int64)


def _take(values: pd.Series, rows: np.ndarray) -> pd.Series:
    """``values`` at ``rows`` (missing where -1), indexed ``0 .. len(rows)-1``: as the winners' column
    ``first_per_worker`` returns (the same dtype, NA for workers without a row)."""
    missing = rows < 0
    if not missing.any():
        return pd.Series(values.array.take(rows), name=values.name)
    if isinstance(values.array, pd.arrays.ArrowExtensionArray | pd.arrays.DatetimeArray):
        # One pass: the missing positions filled by the take itself (NA, NaT), not a take and then a ``where``.
        return pd.Series(values.array.take(rows, allow_fill=True), name=values.name)
    return values.iloc[np.where(missing, 0, rows)].reset_index(drop=True).where(~missing)


def _linked_record_summary(linked: pd.DataFrame, n_workers: int) -> pd.DataFrame:
    """``record_ids`` (sorted list), ``record_count`` and ``sources`` (sorted, comma-separated) per worker.

    Built as Arrow lists from offsets: the ids ordered by worker, then record order (integer keys, the text taken
    once), and the distinct (worker, source) pairs from integer codes, instead of sorting and de-duplicating
    frames of text."""
    workers = linked[WORKER_INDEX].to_numpy(dtype=np.int64)
    ids = arrow_text(linked["record_id"])
    present = ~np.asarray(ids.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    order = np.lexsort((linked[RECORD_ORDER].to_numpy(), workers))
    order = order[present[order]]  # missing values dropped, as collect_lists does
    record_ids = _lists(workers[order], ids.take(pa.array(order)), n_workers)
    codes, names = pd.factorize(linked["source"], sort=True)
    pairs = workers[codes >= 0] * (len(names) + 1) + codes[codes >= 0]
    pairs = np.sort(pairs)
    pairs = pairs[np.concatenate([[True], pairs[1:] != pairs[:-1]])] if len(pairs) else pairs
    source_lists = _lists(
        pairs // (len(names) + 1),
        pa.array(list(names), type=pa.string()).take(pa.array(pairs % (len(names) + 1))),
        n_workers,
    )
    sources = pc.if_else(pc.equal(pc.list_value_length(source_lists), 0), None, pc.binary_join(source_lists, ","))
    return pd.DataFrame(
        {
            # Python lists (object column): Parquet stores them as list<string>, and they read back as such.
            "record_ids": pd.Series(record_ids.to_pylist(), dtype=object),
            "record_count": np.bincount(workers, minlength=n_workers).astype("int64"),
            "sources": pd.Series(pd.arrays.ArrowExtensionArray(sources)).astype("str"),
        }
    )


def _lists(groups: np.ndarray, values: pa.Array, n_groups: int) -> pa.ListArray:
    """``values`` (ordered by ``groups``, ascending) as one list per group ``0 .. n_groups-1`` (empty when none)."""
    offsets = np.concatenate([[0], np.cumsum(np.bincount(groups, minlength=n_groups))]).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets, type=pa.int32()), values.cast(pa.string()))


def _match_confidence(linked: pd.DataFrame, worker_links: pd.DataFrame, worker_ids: pd.Index) -> pd.DataFrame:
    """The weakest link of each worker's cluster (minimum record link probability); 1.0 for a single record."""
    probability = link_probability(worker_links).to_numpy()
    # Grouped by the worker's integer position, not by the id text (sorting Python strings grew faster than linear).
    # Arrow's hash look-up (pandas' get_indexer builds Python strings of every id first).
    found = pc.index_in(arrow_text(worker_links["worker_id"]), value_set=arrow_text(worker_ids.to_series()))
    position = found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    known = position >= 0
    confidence = (
        pd.Series(probability[known], dtype="float64")
        .groupby(position[known])
        .min()
        .reindex(pd.RangeIndex(len(worker_ids)))
        .reset_index(drop=True)
    )
    single = np.bincount(linked[WORKER_INDEX].to_numpy(), minlength=len(worker_ids)) == 1
    return pd.DataFrame({"match_confidence": confidence.mask(single & confidence.isna().to_numpy(), 1.0)})


def link_probability(worker_links: pd.DataFrame) -> pd.Series:
    """Each link's confidence as a probability (NA where the link file has none, e.g. a record alone)."""
    column = next((name for name in LINK_PROBABILITY_COLUMNS if name in worker_links.columns), None)
    if column is not None:
        return pd.to_numeric(worker_links[column]).astype("float64")
    if LINK_WEIGHT_COLUMN in worker_links.columns:
        weight = pd.to_numeric(worker_links[LINK_WEIGHT_COLUMN]).astype("float64")
        return 1.0 / (1.0 + np.exp2(-weight))
    return pd.Series(np.nan, index=worker_links.index)
