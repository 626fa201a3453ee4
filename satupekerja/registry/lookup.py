"""Everything the registry holds about one person (right of access): golden record, source records, link evidence."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from data_contracts.roles import RoleBook
from matching.normalize import parse_nik
from matching.stable_ids import resolve_retired
from satupekerja.registry.unify import link_probability, source_rank

#: Person-schema fields of a worker's source records shown side by side (``satupekerja show``, the web person
#: page), in the order a clerk reads them.
RECORD_FIELDS = (
    "nik",
    "name",
    "alias",
    "birth_date",
    "sex",
    "phone",
    "address",
    "rt",
    "rw",
    "kelurahan_code",
    "occupation",
    "sector",
    "jkn_segment",
    "jkn_status",
    "tk_segment",
    "tk_status",
    "tk_last_paid_month",
    "registered_date",
)


class WorkerNotFoundError(LookupError):
    """No worker for the id or NIK asked about (the message never repeats a NIK)."""


@dataclass(frozen=True)
class WorkerProfile:
    """``worker``: the unified row. ``records``: the worker's source records (person schema, by source priority;
    empty when ``person_records`` is not published). ``links``: its ``worker_links`` rows with ``link_probability``.
    ``pairs``: scored pairs between its records (empty when not published). ``asked_for``: the retired id asked
    for when it was merged into ``worker``, else ``None``."""

    worker: pd.Series
    records: pd.DataFrame
    links: pd.DataFrame
    pairs: pd.DataFrame
    asked_for: str | None = None


def normalised_nik(text: str, snapshot_date: pd.Timestamp) -> str | None:
    """The 16-digit NIK the matching normaliser reads from ``text`` (``32.76…``, spaces, dashes), or ``None``."""
    nik = parse_nik(pd.Series([text], dtype="str"), snapshot_date.date())["nik"].iloc[0]
    return None if pd.isna(nik) else str(nik)


def find_worker_id(
    unified: pd.DataFrame,
    *,
    worker_id: str | None = None,
    nik: str | None = None,
    person_records: pd.DataFrame | None = None,
    worker_links: pd.DataFrame | None = None,
    history: pd.DataFrame | None = None,
) -> tuple[str, str | None]:
    """The current worker id for a worker id (following merges in ``history``) or a normalised NIK.

    Returns ``(worker_id, retired_id_asked_for_or_None)``. A NIK is looked up in the golden NIKs first, then in
    every source record's NIK (a person with two NIKs). Raises :class:`WorkerNotFoundError`.
    """
    known = set(unified["worker_id"])
    if worker_id is not None:
        if worker_id in known:
            return worker_id, None
        current = resolve_retired(worker_id, history) if history is not None else worker_id
        if current in known:
            return current, worker_id
        raise WorkerNotFoundError(f"no worker with id {worker_id!r} in the latest snapshot")
    golden = unified.loc[unified["nik"].eq(nik).fillna(False), "worker_id"]
    if len(golden):
        return str(golden.iloc[0]), None
    if person_records is not None and worker_links is not None:
        record_ids = person_records.loc[person_records["nik"].eq(nik).fillna(False), "record_id"]
        linked = worker_links.loc[worker_links["record_id"].isin(record_ids), "worker_id"]
        if len(linked):
            return str(linked.iloc[0]), None
    raise WorkerNotFoundError("no worker with that NIK in the latest snapshot")


def worker_profile(
    worker_id: str,
    unified: pd.DataFrame,
    worker_links: pd.DataFrame,
    roles: RoleBook,
    person_records: pd.DataFrame | None = None,
    scored_pairs: pd.DataFrame | None = None,
    asked_for: str | None = None,
) -> WorkerProfile:
    """Everything linked to ``worker_id``; its source records ordered by the survivorship rank of ``roles`` (the
    contracts in force, ``Settings.contracts_dir``)."""
    worker = unified.loc[unified["worker_id"].eq(worker_id)].iloc[0]
    links = worker_links[worker_links["worker_id"].eq(worker_id)]
    links = links.assign(link_probability=link_probability(links)).sort_values("record_id").reset_index(drop=True)
    record_ids = set(links["record_id"])
    records = pd.DataFrame()
    if person_records is not None:
        records = person_records[person_records["record_id"].isin(record_ids)]
        records = (
            records.assign(_rank=source_rank(records["source"], roles))
            .sort_values(["_rank", "record_id"])
            .drop(columns="_rank")
            .reset_index(drop=True)
        )
    pairs = pd.DataFrame()
    if scored_pairs is not None:
        inside = scored_pairs["record_id_l"].isin(record_ids) & scored_pairs["record_id_r"].isin(record_ids)
        pairs = scored_pairs[inside].sort_values("match_weight", ascending=False).reset_index(drop=True)
    return WorkerProfile(worker=worker, records=records, links=links, pairs=pairs, asked_for=asked_for)
