"""Stable worker ids: the same person keeps the same ``worker_id`` from night to night.

Clustering labels are arbitrary and change every night; ``worker_id`` must not. Each night's clusters
inherit ids from the previous night's assignment through the records they share:

- a previous id goes to the cluster holding most of its records (the largest part of a split keeps the id;
  ties go to the part whose smallest ``record_id`` sorts first);
- a cluster claimed by several previous ids (a merge) keeps the oldest; the others are retired with a
  ``merged_into`` event pointing at the survivor;
- a cluster nobody claims gets a new id: ``split_from`` the previous id it holds most records of, or
  ``created`` when all its records are new;
- a previous id with no record left is ``retired``; a surviving id whose record set changed is ``kept``.
  Clusters that did not change produce no event, so the history grows with change, not with size.

Ids are ``W`` + the creation date (``yymmdd``) + a 6-character base-36 counter over the night's new clusters in
order of their smallest ``record_id``: deterministic (re-running a night on the same inputs gives the same
ids), carrying no personal data, and sorting by age (older ids sort first), which is what "the older id
survives" compares.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa

from matching.clustering import strictly_ascending_text

CREATED = "created"
KEPT = "kept"
MERGED_INTO = "merged_into"
SPLIT_FROM = "split_from"
RETIRED = "retired"
HISTORY_COLUMNS = ["snapshot_date", "worker_id", "event", "related_worker_id", "records"]

ID_PREFIX = "W"
_COUNTER_DIGITS = 6
_BASE36 = np.array(list("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"))


def assign_worker_ids(
    links: pd.DataFrame,
    previous: pd.DataFrame | None,
    history: pd.DataFrame | None,
    snapshot_date: date,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Worker ids for tonight's clusters, and the id history including tonight's events.

    ``links``: ``record_id``, ``cluster`` (tonight's clustering). ``previous``: ``record_id``, ``worker_id`` of
    the last published night before ``snapshot_date`` (``None`` on the first night). ``history``: the id
    history returned that night; its rows dated ``snapshot_date`` or later are replaced, so re-running a night
    is idempotent. Returns ``record_id, worker_id`` in ``links`` order and the history sorted by date, id, event.
    """
    snapshot = pd.Timestamp(snapshot_date).normalize()
    night = _Night.encode(links, previous, snapshot)
    overlap = night.overlap()
    claims = _preferred_clusters(overlap)
    winners = claims.sort_values(["cluster", "previous"]).drop_duplicates("cluster")
    losers = claims.drop(index=winners.index)
    new_clusters = night.unclaimed_clusters(winners["cluster"].to_numpy())

    ids_by_cluster = np.empty(night.cluster_count, dtype=object)
    ids_by_cluster[winners["cluster"].to_numpy()] = night.previous_ids[winners["previous"].to_numpy()]
    ids_by_cluster[new_clusters["cluster"].to_numpy()] = _new_ids(snapshot, len(new_clusters))

    # Text stays in Arrow: the ids per cluster are converted once and taken per record.
    record_ids = links["record_id"]
    assignment = pd.DataFrame(
        {
            "record_id": (
                record_ids.astype("str").reset_index(drop=True)
                if isinstance(record_ids.dtype, pd.StringDtype)
                else record_ids.to_numpy()
            ),
            "worker_id": pd.array(ids_by_cluster, dtype="str").take(night.cluster),
        }
    )
    events = pd.concat(
        [
            _creation_events(night, new_clusters, overlap, ids_by_cluster),
            _kept_events(night, overlap.merge(winners, on=["previous", "cluster"])),
            _merge_events(night, overlap.merge(losers, on=["previous", "cluster"]), ids_by_cluster),
            _retirement_events(night, overlap),
        ],
        ignore_index=True,
    )
    events.insert(0, "snapshot_date", snapshot)
    return assignment, _combined_history(history, events, snapshot)


def links_beside_worker_ids(links: pd.DataFrame, worker_ids: pd.DataFrame) -> pd.DataFrame:
    """``worker_ids`` (:func:`assign_worker_ids`: ``record_id``, ``worker_id``) with the links' other columns but
    ``cluster``, joined on ``record_id`` (one to one). The ids come in the links' order: when both list the same
    ascending (so unique) text ids, row by row, the links' columns are placed beside them as they are, with no
    join (no hash of millions of ids)."""
    same_rows = (
        len(worker_ids) == len(links)
        and strictly_ascending_text(links["record_id"])
        and isinstance(worker_ids["record_id"].dtype, pd.StringDtype)
        and pa.array(worker_ids["record_id"]).equals(pa.array(links["record_id"]))
    )
    if not same_rows:
        return worker_ids.merge(links.drop(columns="cluster"), on="record_id", how="left", validate="one_to_one")
    linked = worker_ids.reset_index(drop=True)
    for column in links.columns.drop(["record_id", "cluster"]):
        linked[column] = links[column].to_numpy()
    return linked


@dataclass(frozen=True)
class WorkerSourceCounts:
    """Workers (distinct ``worker_id``), workers with records in several sources, and per source (in order):
    its records and those linked to another record (``cluster_size`` above 1)."""

    workers: int
    in_several_sources: int
    per_source: list[tuple[str, int, int]]


def worker_source_counts(links: pd.DataFrame) -> WorkerSourceCounts:
    """:class:`WorkerSourceCounts` of ``links`` (``worker_id``, ``source``, ``cluster_size``), as ``nunique`` and
    ``groupby`` count them (missing ids and sources left out), on integer codes: ids and sources coded once, a
    worker in several sources when its records' smallest and largest source codes differ."""
    worker, worker_ids = pd.factorize(links["worker_id"])
    source, sources = pd.factorize(links["source"], sort=True)
    known = source >= 0
    records = np.bincount(source[known], minlength=len(sources))
    linked = np.bincount(source[known], weights=(links["cluster_size"].to_numpy() > 1)[known], minlength=len(sources))
    both = known & (worker >= 0)
    lowest = np.full(len(worker_ids), len(sources), dtype=np.int64)
    highest = np.full(len(worker_ids), -1, dtype=np.int64)
    np.minimum.at(lowest, worker[both], source[both])
    np.maximum.at(highest, worker[both], source[both])
    return WorkerSourceCounts(
        workers=len(worker_ids),
        in_several_sources=int((highest > lowest).sum()),
        per_source=[
            (str(name), int(count), int(linked_count))
            for name, count, linked_count in zip(sources, records, linked, strict=True)
        ],
    )


def resolve_retired(worker_id: str, history: pd.DataFrame) -> str:
    """The id that ``worker_id`` now lives on as, following ``merged_into`` events; itself if never merged."""
    merges = history.loc[history["event"] == MERGED_INTO].sort_values("snapshot_date")
    merged_into = dict(zip(merges["worker_id"], merges["related_worker_id"], strict=True))
    seen = {worker_id}
    while worker_id in merged_into:
        worker_id = merged_into[worker_id]
        if worker_id in seen:
            raise ValueError("worker id history has a cycle of merged_into events")
        seen.add(worker_id)
    return worker_id


def empty_history() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "snapshot_date": pd.Series(dtype="datetime64[ns]"),
            "worker_id": pd.Series(dtype="str"),
            "event": pd.Series(dtype="str"),
            "related_worker_id": pd.Series(dtype="str"),
            "records": pd.Series(dtype="int64"),
        }
    )


# ------------------------------------------------------------------------------------------ assignment


@dataclass(frozen=True)
class _Night:
    """Tonight's records as integer codes, so every grouping below runs on integers.

    ``record`` codes follow ``record_id`` order and ``previous`` codes follow ``worker_id`` order (which is age
    order), so minimums and sorts on codes mean the same as on the strings.
    """

    record: np.ndarray
    cluster: np.ndarray
    previous: np.ndarray
    """Code of the record's previous worker id, -1 for a record the previous night did not have."""
    cluster_count: int
    previous_ids: np.ndarray
    previous_sizes: np.ndarray
    """Records per previous id on the previous night (including records gone tonight)."""

    @classmethod
    def encode(cls, links: pd.DataFrame, previous: pd.DataFrame | None, snapshot: pd.Timestamp) -> _Night:
        if strictly_ascending_text(links["record_id"]):
            # The engine's links come in record_id order: the sorted codes are the positions (no hash, no sort).
            record = np.arange(len(links), dtype=np.int64)
        else:
            record, record_ids = pd.factorize(links["record_id"], sort=True)
            _check_unique("links", len(links), len(record_ids))
        cluster, clusters = pd.factorize(links["cluster"])
        _check_complete("links", "cluster", cluster)
        if previous is None or previous.empty:
            carried = np.full(len(links), -1, dtype=np.int64)
            return cls(record, cluster, carried, len(clusters), np.empty(0, dtype=object), np.empty(0, dtype=np.int64))
        previous_records = pd.Index(previous["record_id"])
        _check_unique("previous", len(previous_records), previous_records.nunique())
        previous_codes, previous_ids = pd.factorize(previous["worker_id"], sort=True)
        _check_complete("previous", "worker_id", previous_codes)
        _check_older_than(previous_ids, snapshot)
        position = previous_records.get_indexer(links["record_id"])
        carried = np.where(position >= 0, previous_codes[position], -1)
        sizes = np.bincount(previous_codes, minlength=len(previous_ids))
        return cls(record, cluster, carried, len(clusters), np.asarray(previous_ids, dtype=object), sizes)

    def cluster_sizes(self) -> np.ndarray:
        return np.bincount(self.cluster, minlength=self.cluster_count)

    def overlap(self) -> pd.DataFrame:
        """``previous, cluster, shared, first_record``: previous ids × tonight's clusters, by records in common."""
        carried = self.previous >= 0
        frame = pd.DataFrame(
            {"previous": self.previous[carried], "cluster": self.cluster[carried], "record": self.record[carried]}
        )
        return (
            frame.groupby(["previous", "cluster"], sort=False)["record"]
            .agg(shared="size", first_record="min")
            .reset_index()
        )

    def unclaimed_clusters(self, claimed: np.ndarray) -> pd.DataFrame:
        """``cluster, size``: clusters no previous id claimed, ordered by their smallest record id."""
        first_record = np.full(self.cluster_count, np.iinfo(np.int64).max)
        np.minimum.at(first_record, self.cluster, self.record)
        is_unclaimed = np.ones(self.cluster_count, dtype=bool)
        is_unclaimed[claimed] = False
        unclaimed = np.flatnonzero(is_unclaimed)
        unclaimed = unclaimed[np.argsort(first_record[unclaimed], kind="stable")]
        return pd.DataFrame({"cluster": unclaimed, "size": self.cluster_sizes()[unclaimed]})


def _preferred_clusters(overlap: pd.DataFrame) -> pd.DataFrame:
    """Each previous id's claim: the cluster holding most of its records (ties: smallest first record)."""
    ranked = overlap.sort_values(["previous", "shared", "first_record"], ascending=[True, False, True])
    return ranked.drop_duplicates("previous")[["previous", "cluster"]]


def _new_ids(snapshot: pd.Timestamp, count: int) -> np.ndarray:
    """``W`` + ``yymmdd`` + the numbers ``0 … count-1`` in fixed-width base 36."""
    if count > 36**_COUNTER_DIGITS:
        raise ValueError(f"{count} new worker ids in one night exceed the id counter's capacity")
    remaining = np.arange(count, dtype=np.int64)
    counters = np.full(count, "", dtype=object)
    for _ in range(_COUNTER_DIGITS):
        counters = _BASE36[remaining % 36].astype(object) + counters
        remaining //= 36
    return f"{ID_PREFIX}{snapshot:%y%m%d}" + counters


# ------------------------------------------------------------------------------------------ events


def _creation_events(
    night: _Night, new_clusters: pd.DataFrame, overlap: pd.DataFrame, ids_by_cluster: np.ndarray
) -> pd.DataFrame:
    """``split_from`` the previous id a new cluster holds most records of, else ``created``."""
    origin = (
        overlap.loc[overlap["cluster"].isin(new_clusters["cluster"])]
        .sort_values(["cluster", "shared", "first_record"], ascending=[True, False, True])
        .drop_duplicates("cluster")
        .set_index("cluster")["previous"]
    )
    origin_code = new_clusters["cluster"].map(origin).fillna(-1).astype("int64").to_numpy()
    split = origin_code >= 0
    related = np.full(len(origin_code), None, dtype=object)
    related[split] = night.previous_ids[origin_code[split]]
    return _events(
        worker_id=ids_by_cluster[new_clusters["cluster"].to_numpy()],
        event=np.where(split, SPLIT_FROM, CREATED),
        related=related,
        records=new_clusters["size"].to_numpy(),
    )


def _kept_events(night: _Night, survivors: pd.DataFrame) -> pd.DataFrame:
    """Surviving ids whose record set changed: records added, removed, or moved in from a merged id."""
    size = night.cluster_sizes()[survivors["cluster"].to_numpy()]
    before = night.previous_sizes[survivors["previous"].to_numpy()]
    shared = survivors["shared"].to_numpy()
    changed = (size != shared) | (before != shared)
    kept = night.previous_ids[survivors["previous"].to_numpy()[changed]]
    return _events(worker_id=kept, event=KEPT, records=size[changed])


def _merge_events(night: _Night, losers: pd.DataFrame, ids_by_cluster: np.ndarray) -> pd.DataFrame:
    """Previous ids whose cluster an older id won: ``merged_into`` the survivor, with the records that moved."""
    return _events(
        worker_id=night.previous_ids[losers["previous"].to_numpy()],
        event=MERGED_INTO,
        related=ids_by_cluster[losers["cluster"].to_numpy()],
        records=losers["shared"].to_numpy(),
    )


def _retirement_events(night: _Night, overlap: pd.DataFrame) -> pd.DataFrame:
    """Previous ids none of whose records is present tonight."""
    present = np.zeros(len(night.previous_ids), dtype=bool)
    present[overlap["previous"].to_numpy()] = True
    gone = np.flatnonzero(~present)
    return _events(worker_id=night.previous_ids[gone], event=RETIRED, records=0)


def _events(
    worker_id: np.ndarray, event: str | np.ndarray, records: np.ndarray | int, related: np.ndarray | None = None
) -> pd.DataFrame:
    """History rows without the date: one per ``worker_id``; scalars are broadcast."""
    count = len(worker_id)
    return pd.DataFrame(
        {
            "worker_id": pd.array(worker_id, dtype="str"),
            "event": pd.array(np.broadcast_to(np.asarray(event, dtype=object), count), dtype="str"),
            "related_worker_id": pd.array(
                np.full(count, None, dtype=object) if related is None else related, dtype="str"
            ),
            "records": np.broadcast_to(np.asarray(records, dtype=np.int64), count).copy(),
        }
    )


def _combined_history(history: pd.DataFrame | None, events: pd.DataFrame, snapshot: pd.Timestamp) -> pd.DataFrame:
    earlier = empty_history() if history is None else history.loc[pd.to_datetime(history["snapshot_date"]) < snapshot]
    combined = pd.concat([earlier[HISTORY_COLUMNS], events[HISTORY_COLUMNS]], ignore_index=True)
    return combined.astype(
        {"worker_id": "str", "event": "str", "related_worker_id": "str", "records": "int64"}
    ).sort_values(["snapshot_date", "worker_id", "event"], ignore_index=True)


def _check_complete(name: str, column: str, codes: np.ndarray) -> None:
    missing = int((codes < 0).sum())
    if missing:
        raise ValueError(f"{name}: {missing} rows have no {column}")


def _check_older_than(previous_ids: pd.Index, snapshot: pd.Timestamp) -> None:
    """New ids are numbered per night: previous ids created on or after tonight would collide with them."""
    first_new = f"{ID_PREFIX}{snapshot:%y%m%d}"
    if len(previous_ids) and previous_ids[-1] >= first_new:
        raise ValueError(
            f"previous: worker ids created on or after {snapshot:%Y-%m-%d} were given; pass the assignment of the "
            "last published night before this one"
        )


def _check_unique(name: str, rows: int, distinct: int) -> None:
    if distinct != rows:
        raise ValueError(
            f"{name}: {rows - distinct} rows repeat a record_id already listed; each record belongs to one cluster"
        )
