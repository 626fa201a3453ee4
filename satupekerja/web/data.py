"""What the web application reads from the published warehouse, loaded once per published snapshot.

Tables are read into memory on first use (or at start-up, :meth:`Snapshot.warm`) and kept until the manifest
names a newer snapshot; person pages and lists are then answered from position indexes built once per snapshot
(worker id → its row, its links, its records, its id-history rows), and what depends only on the account's
scope (which rows of the list it may see, the filter choices) is kept per scope. So a page costs the rows it
shows, not the size of the city (``benchmarks/web_bench.py`` measures it on 200,000 people). Every selection
goes through :class:`Scope`, so the area restriction of the signed-in account applies to lists, downloads,
person pages and look-ups alike.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from data_contracts.regions import load_region_reference
from satupekerja.publishing import tables
from satupekerja.publishing.warehouse import ANALYTICS, RESTRICTED, SnapshotNotFoundError, Warehouse
from satupekerja.registry.coverage import shown_once
from satupekerja.web.models import ADMIN, AGENT, AREA, BRANCH, Account

#: The download's and the page's column with the outreach tier's label.
TIER_COLUMN = "Tingkat"
UNIFIED, UNCOVERED, COVERAGE = tables.UNIFIED_WORKERS, tables.UNCOVERED_INFORMAL_WORKERS, tables.COVERAGE_BY_AREA
LINKS, PERSON_RECORDS, SCORED_PAIRS, HISTORY = (
    tables.WORKER_LINKS,
    tables.PERSON_RECORDS,
    tables.SCORED_PAIRS,
    tables.WORKER_ID_HISTORY,
)
REVIEW_QUEUE = tables.MATCH_REVIEW_QUEUE


class NothingPublishedError(RuntimeError):
    """The warehouse holds no published snapshot yet (run the nightly job first)."""


@dataclass(frozen=True)
class Scope:
    """What one account may see: everything (``all_city``), or the listed kecamatan/kelurahan codes, or only
    the listed worker ids (an agent's assigned workers)."""

    all_city: bool
    kecamatan: frozenset[str] = frozenset()
    kelurahan: frozenset[str] = frozenset()
    workers: frozenset[str] | None = None

    def mask(self, frame: pd.DataFrame) -> pd.Series:
        """Rows of ``frame`` (with ``worker_id``, ``kecamatan_code``, ``kelurahan_code``) the account may see."""
        if self.workers is not None:
            return frame["worker_id"].isin(self.workers).to_numpy()
        if self.all_city:
            return np.ones(len(frame), dtype=bool)
        inside = frame["kecamatan_code"].isin(self.kecamatan) | frame["kelurahan_code"].isin(self.kelurahan)
        return inside.fillna(False).to_numpy(dtype=bool)

    def allows(self, worker: pd.Series) -> bool:
        """Whether the account may see this one worker (a row of ``unified_workers``)."""
        if self.workers is not None:
            return worker["worker_id"] in self.workers
        if self.all_city:
            return True
        return worker.get("kecamatan_code") in self.kecamatan or worker.get("kelurahan_code") in self.kelurahan

    def allows_kecamatan(self, code: str) -> bool:
        return self.all_city or code in self.kecamatan or any(k.startswith(code + ".") for k in self.kelurahan)


def scope_of(account: Account, assigned_workers: set[str] | None = None) -> Scope:
    if account.role in (ADMIN, BRANCH):
        return Scope(all_city=True)
    if account.role == AREA:
        codes = account.area_codes
        return Scope(
            all_city=False,
            kecamatan=frozenset(code for code in codes if code.count(".") == 2),
            kelurahan=frozenset(code for code in codes if code.count(".") == 3),
        )
    if account.role == AGENT:
        return Scope(all_city=False, workers=frozenset(assigned_workers or ()))
    return Scope(all_city=False, workers=frozenset())


def single_chunks(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each Arrow-backed column in one contiguous chunk (same dtype, same values).

    Parquet reads give text columns as several Arrow chunks, and taking a handful of rows from a chunked column
    costs milliseconds per column: 70 ms for a person's three records out of 487,000 with 43 columns, 2.6 ms
    once each column is one chunk."""
    columns = {}
    for name in frame.columns:
        array = frame[name].array
        to_arrow = getattr(array, "__arrow_array__", None)
        if to_arrow is None:
            continue
        chunked = to_arrow()  # a pyarrow ChunkedArray
        if getattr(chunked, "num_chunks", 1) > 1:
            columns[name] = pd.array(chunked.combine_chunks(), dtype=frame[name].dtype)
    return frame.assign(**columns) if columns else frame


#: Per snapshot, what depends on the account's scope is kept for this many scopes (then forgotten and rebuilt).
MAX_SCOPES_KEPT = 64

_MODELS: dict = {}
_MODEL_LOCK = threading.Lock()
_FEATURES: dict = {}


@dataclass
class Snapshot:
    """The tables of one published snapshot, read lazily and indexed for the pages."""

    warehouse: Warehouse
    date: dt.date
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _read(self, table: str, tier: str) -> pd.DataFrame | None:
        try:
            return single_chunks(self.warehouse.read(table, self.date, tier))
        except SnapshotNotFoundError:
            return None

    @cached_property
    def uncovered(self) -> pd.DataFrame:
        frame = self._read(UNCOVERED, RESTRICTED)
        if frame is None:
            raise NothingPublishedError(f"tabel {UNCOVERED} belum diterbitkan")
        # A review group (probably one person, pair waiting in review) is shown once: its representative's row.
        return (
            shown_once(frame).sort_values(["outreach_priority", "worker_id"], na_position="last").reset_index(drop=True)
        )

    @cached_property
    def staff_view(self) -> pd.DataFrame:
        """The whole list as staff read it, row for row with :attr:`uncovered` (``exports.staff_table``:
        Indonesian headers and labels, NIK masked, phones as dialled) with the tier's label after ``Prioritas``.
        Built once per snapshot; a page or a download takes its rows from it."""
        from satupekerja.staff import exports
        from satupekerja.web import vocabulary

        uncovered = self.uncovered
        table = exports.staff_table(uncovered, load_region_reference())
        if not (table["ID Pekerja"].to_numpy() == uncovered["worker_id"].to_numpy()).all():
            table = table.set_index("ID Pekerja", drop=False).loc[uncovered["worker_id"]].reset_index(drop=True)
        tier = uncovered["outreach_tier"] if "outreach_tier" in uncovered else pd.Series(pd.NA, index=uncovered.index)
        table.insert(1, TIER_COLUMN, tier.map(vocabulary.TIER).fillna(vocabulary.label({}, None)).astype("str"))
        return single_chunks(table)

    def staff_rows(self, positions: np.ndarray, first_rank: int = 1) -> pd.DataFrame:
        """Rows of :attr:`staff_view` at ``positions``; ``Prioritas`` = ``first_rank``, ``first_rank + 1``, …"""
        table = self.staff_view.iloc[positions].reset_index(drop=True)
        table["Prioritas"] = np.arange(first_rank, first_rank + len(table))
        return table

    @cached_property
    def unified(self) -> pd.DataFrame:
        frame = self._read(UNIFIED, RESTRICTED)
        if frame is None:
            raise NothingPublishedError(f"tabel {UNIFIED} belum diterbitkan")
        return frame.set_index("worker_id", drop=False)

    @cached_property
    def links(self) -> pd.DataFrame:
        frame = self._read(LINKS, RESTRICTED)
        return (
            frame.sort_values("worker_id").set_index("worker_id", drop=False) if frame is not None else pd.DataFrame()
        )

    @cached_property
    def person_records(self) -> pd.DataFrame | None:
        frame = self._read(PERSON_RECORDS, RESTRICTED)
        return frame.set_index("record_id", drop=False) if frame is not None else None

    @cached_property
    def scored_pairs(self) -> pd.DataFrame | None:
        frame = self._read(SCORED_PAIRS, RESTRICTED)
        if frame is None:
            return None
        return frame

    @cached_property
    def review_queue(self) -> pd.DataFrame | None:
        """The published review queue (``match_review_queue``), indexed by ``pair_id``; None when not published."""
        frame = self._read(REVIEW_QUEUE, RESTRICTED)
        return None if frame is None else frame.set_index("pair_id", drop=False)

    @cached_property
    def history(self) -> pd.DataFrame | None:
        return self._read(HISTORY, ANALYTICS)

    @cached_property
    def coverage(self) -> pd.DataFrame | None:
        return self._read(COVERAGE, ANALYTICS)

    @cached_property
    def _history_positions(self) -> dict[str, np.ndarray]:
        """Worker id → the ``worker_id_history`` rows naming it (as the worker or the related worker)."""
        history = self.history
        if history is None or not len(history):
            return {}
        columns = [c for c in ("worker_id", "related_worker_id") if c in history.columns]
        named = pd.concat(
            [pd.DataFrame({"id": history[c].to_numpy(), "row": np.arange(len(history))}) for c in columns],
            ignore_index=True,
        ).dropna(subset=["id"])
        named = named.drop_duplicates().sort_values("row", kind="stable")
        return {key: np.asarray(rows) for key, rows in named.groupby("id", sort=False)["row"]}

    def history_of(self, worker_id: str) -> pd.DataFrame | None:
        """The id-history rows that name ``worker_id``, in the table's order (``None`` when not published)."""
        if self.history is None:
            return None
        return self.history.iloc[self._history_positions.get(worker_id, [])]

    def scope_positions(self, scope: Scope) -> np.ndarray:
        """Positions (in priority order) of the list's rows the scope may see; kept per scope."""
        with self._lock:
            cache = self.__dict__.setdefault("_scope_positions", {})
            if scope not in cache:
                if len(cache) >= MAX_SCOPES_KEPT:
                    cache.clear()
                cache[scope] = np.flatnonzero(np.asarray(scope.mask(self.uncovered), dtype=bool))
            return cache[scope]

    def filter_choices(self, scope: Scope) -> dict[str, list[str]]:
        """Kecamatan, kelurahan and sector codes present in the scope's part of the list; kept per scope."""
        with self._lock:
            cache = self.__dict__.setdefault("_filter_choices", {})
            if scope in cache:
                return cache[scope]
        visible = self.uncovered.iloc[self.scope_positions(scope)]
        choices = {
            column: sorted(visible[column].dropna().unique())
            for column in ("kecamatan_code", "kelurahan_code", "sector", "outreach_tier")
            if column in visible
        }
        with self._lock:
            if len(cache) >= MAX_SCOPES_KEPT:
                cache.clear()
            cache[scope] = choices
        return choices

    @cached_property
    def _worker_position(self) -> dict[str, int]:
        return dict(zip(self.unified["worker_id"], range(len(self.unified)), strict=True))

    @cached_property
    def _link_positions(self) -> dict[str, np.ndarray]:
        return self.links.reset_index(drop=True).groupby("worker_id", sort=False).indices if len(self.links) else {}

    @cached_property
    def _record_position(self) -> dict[str, int]:
        records = self.person_records
        return {} if records is None else dict(zip(records["record_id"], range(len(records)), strict=True))

    @cached_property
    def _pair_positions(self) -> dict[str, np.ndarray]:
        pairs = self.scored_pairs
        return {} if pairs is None else pairs.groupby("record_id_l", sort=False).indices

    def worker(self, worker_id: str) -> pd.Series | None:
        """One row of ``unified_workers``, or ``None``."""
        position = self._worker_position.get(worker_id)
        return None if position is None else self.unified.iloc[position]

    def worker_links(self, worker_id: str) -> pd.DataFrame:
        positions = self._link_positions.get(worker_id)
        return self.links.iloc[positions if positions is not None else []].reset_index(drop=True)

    def records(self, record_ids: list[str]) -> pd.DataFrame | None:
        if self.person_records is None:
            return None
        positions = [self._record_position[r] for r in record_ids if r in self._record_position]
        return self.person_records.iloc[positions].reset_index(drop=True)

    def pairs_for(self, record_ids: list[str]) -> pd.DataFrame | None:
        """Scored pairs between the given records (both sides among them)."""
        if self.scored_pairs is None:
            return None
        positions = [p for r in record_ids for p in self._pair_positions.get(r, ())]
        left = self.scored_pairs.iloc[positions]
        return left[left["record_id_r"].isin(record_ids)].reset_index(drop=True)

    def check_model(self, settings):
        """The model list checks use, as ``check-list`` gets it: the model published with the snapshot when it
        matches the settings, else estimated again on the registry. Kept per snapshot, shared by every
        application in the process."""
        key = (str(self.warehouse.root), self.date, id(settings))
        with _MODEL_LOCK:
            if key not in _MODELS:
                from satupekerja.publishing.warehouse import published_matching_model
                from satupekerja.staff.checklist import registry_model

                _MODELS.clear()
                model, _published = registry_model(
                    self.person_records.reset_index(drop=True),
                    settings,
                    published_matching_model(self.warehouse, self.date),
                )
                _MODELS[key] = model
            return _MODELS[key]

    def check_features(self, settings):
        """The registry's matching features list checks use: those published with the snapshot when made under
        ``settings``, else computed once from ``person_records`` (never mixed with other settings). Kept per
        snapshot, shared by every application in the process."""
        key = (str(self.warehouse.root), self.date, id(settings))
        with _MODEL_LOCK:
            if key not in _FEATURES:
                from satupekerja.staff.checklist import registry_features

                _FEATURES.clear()
                _FEATURES[key], _note = registry_features(
                    self.warehouse, self.date, settings, lambda: self.person_records.reset_index(drop=True)
                )
            return _FEATURES[key]

    def warm(self) -> None:
        """Read every table now (at start-up), so no visitor waits for the first read."""
        for name in (
            "uncovered",
            "staff_view",
            "unified",
            "links",
            "person_records",
            "scored_pairs",
            "review_queue",
            "history",
            "coverage",
            "_worker_position",
            "_link_positions",
            "_record_position",
            "_pair_positions",
            "_history_positions",
        ):
            getattr(self, name)


class WarehouseData:
    """The latest published snapshot, replaced when a newer one is published."""

    def __init__(self, warehouse: Warehouse | None = None) -> None:
        self.warehouse = warehouse or Warehouse()
        self._current: Snapshot | None = None
        self._lock = threading.Lock()

    def latest(self) -> Snapshot:
        latest = self.warehouse.latest_snapshot()
        if latest is None:
            raise NothingPublishedError(
                f"belum ada snapshot yang diterbitkan di {self.warehouse.root}; jalankan `make run`"
            )
        with self._lock:
            if self._current is None or self._current.date != latest:
                self._current = Snapshot(self.warehouse, latest)
            return self._current

    def coverage_history(self) -> dict[dt.date, pd.DataFrame]:
        out = {}
        for day in self.warehouse.snapshots():
            try:
                out[day] = self.warehouse.read(COVERAGE, day, ANALYTICS)
            except SnapshotNotFoundError:
                continue
        return out


class Regions:
    """Kemendagri names and codes of Depok's kecamatan and kelurahan (reference ``wilayah_depok.csv``)."""

    def __init__(self) -> None:
        reference = load_region_reference()
        self.frame = reference
        self.kecamatan = dict(sorted(zip(reference["kode_kecamatan"], reference["kecamatan"], strict=False)))
        self.kelurahan = dict(zip(reference["kode_wilayah"], reference["kelurahan"], strict=True))
        self.kecamatan_of = dict(zip(reference["kode_wilayah"], reference["kode_kecamatan"], strict=True))

    def name(self, code: str | None) -> str:
        if code is None or (not isinstance(code, str) and pd.isna(code)):
            return "–"
        return self.kelurahan.get(code) or self.kecamatan.get(code) or "–"

    def kecamatan_by_name(self, name: str) -> str | None:
        folded = name.strip().casefold()
        return next((code for code, label in self.kecamatan.items() if label.casefold() == folded), None)

    def kelurahan_in(self, kecamatan_codes: list[str]) -> dict[str, str]:
        return {
            code: name
            for code, name in sorted(self.kelurahan.items(), key=lambda item: item[1])
            if self.kecamatan_of[code] in kecamatan_codes
        }

    def describe(self, codes: list[str]) -> str:
        return ", ".join(self.name(code) for code in codes) or "–"
