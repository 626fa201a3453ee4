"""Publication guards: whether a night's snapshot is fit to replace the last published one.

Pure evaluation over per-source counts (no Dagster, no files, no warehouse): the publishing asset gathers
:class:`SnapshotStats` for tonight (:func:`stats_from_outputs`) and for the last published snapshot (read by
:func:`satupekerja.publishing.warehouse.previous_stats`) and publishes only when every guard passes. Every
guard is blocking. Messages and figures carry source ids and counts, never personal data.

The stats of each published snapshot are published with it (table
:data:`satupekerja.publishing.tables.PUBLICATION_STATS`, see :meth:`SnapshotStats.to_frame`) so the next night
compares against exactly what was published.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from data_contracts.output_contracts import OutputValidation, validate_outputs

#: The id history's own ``snapshot_date`` (the night of each event) is stored as ``event_date``: in the
#: warehouse ``snapshot_date`` is the partition key, the night the cumulative history was published.
HISTORY_EVENT_DATE = "event_date"

REQUIRED_SOURCES_PRESENT = "required_sources_present"
ROW_COUNT_STABLE = "row_count_stable"
QUARANTINE_SHARE_WITHIN_LIMIT = "quarantine_share_within_limit"
MEMBERSHIP_DATA_PRESENT = "membership_data_present"
GUARD_NAMES = (REQUIRED_SOURCES_PRESENT, ROW_COUNT_STABLE, QUARANTINE_SHARE_WITHIN_LIMIT, MEMBERSHIP_DATA_PRESENT)
OUTPUT_CONTRACTS_MET = "output_contracts_met"
#: Every blocking check of a publication: the guards on the night's inputs, then the outputs' own contracts.
PUBLICATION_CHECK_NAMES = (*GUARD_NAMES, OUTPUT_CONTRACTS_MET)


@dataclass(frozen=True)
class GuardSettings:
    """Thresholds of the publication guards.

    The values in force come from ``Settings`` (``SATUPEKERJA_GUARD_<FIELD>``, upper case) through the
    ``PublicationGuards`` resource (``assets.publication``), whose run config may override them for one run.
    """

    max_row_drop_fraction: float = 0.2
    """A source whose rows read fell by more than this share of the last published snapshot's blocks publication."""

    max_quarantine_fraction: float = 0.05
    """A source with more than this share of its rows read quarantined blocks publication."""

    def __post_init__(self) -> None:
        for name in ("max_row_drop_fraction", "max_quarantine_fraction"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"guard setting {name} must be between 0 and 1, got {value}")


@dataclass(frozen=True)
class SourceStats:
    """One source in one snapshot. ``rows`` counts rows read; ``quarantined_rows`` counts those of them quarantined."""

    rows: int
    quarantined_rows: int = 0
    present: bool = True
    readable: bool = True
    required: bool = True
    file_of: str = ""
    """Set on the per-file entries of an optional multi-file source (``<source>/<file stem>``): its source id."""

    @property
    def accepted_rows(self) -> int:
        return self.rows - self.quarantined_rows

    @property
    def quarantine_fraction(self) -> float:
        return self.quarantined_rows / self.rows if self.rows else 0.0


@dataclass(frozen=True)
class SnapshotStats:
    """Per-source counts of one snapshot."""

    snapshot_date: date
    sources: Mapping[str, SourceStats] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """One row per source: what ``publication_stats`` stores with each published snapshot."""
        columns = [setting.name for setting in fields(SourceStats)]
        frame = pd.DataFrame(
            [[source, *(getattr(stats, name) for name in columns)] for source, stats in sorted(self.sources.items())],
            columns=["source", *columns],
        )
        return frame.astype(
            {
                "source": "str",
                "rows": "int64",
                "quarantined_rows": "int64",
                "present": "bool",
                "readable": "bool",
                "required": "bool",
                "file_of": "str",
            }
        )

    @classmethod
    def from_frame(cls, snapshot_date: date, frame: pd.DataFrame) -> SnapshotStats:
        names = [setting.name for setting in fields(SourceStats)]
        if "file_of" not in frame.columns:  # published before per-file entries existed
            frame = frame.assign(file_of="")
        records = frame.set_index("source")[names].to_dict(orient="index")
        return cls(
            snapshot_date=snapshot_date,
            sources={
                str(source): SourceStats(
                    rows=int(values["rows"]),
                    quarantined_rows=int(values["quarantined_rows"]),
                    present=bool(values["present"]),
                    readable=bool(values["readable"]),
                    required=bool(values["required"]),
                    file_of="" if pd.isna(values["file_of"]) else str(values["file_of"]),
                )
                for source, values in records.items()
            },
        )


@dataclass(frozen=True)
class GuardResult:
    """The verdict of one guard: ``figures`` are counts and shares per source (safe for Dagster metadata)."""

    name: str
    passed: bool
    message: str
    figures: dict[str, object]


def evaluate_guards(
    current: SnapshotStats,
    previous: SnapshotStats | None,
    settings: GuardSettings | None = None,
    *,
    membership_registers: Sequence[str],
) -> list[GuardResult]:
    """Every guard, in :data:`GUARD_NAMES` order. Publish only when all passed.

    ``membership_registers``: the sources the contracts in force declare ``roles.membership_register: true``
    (``RoleBook.membership_registers`` of the contracts the caller loaded from ``Settings.contracts_dir``)."""
    settings = settings or GuardSettings()
    return [
        required_sources_present(current),
        row_count_stable(current, previous, settings),
        quarantine_share_within_limit(current, settings),
        membership_data_present(current, membership_registers),
    ]


def required_sources_present(current: SnapshotStats) -> GuardResult:
    """A required source that is missing or could not be read blocks publication."""
    sources = {s: stats for s, stats in current.sources.items() if not stats.file_of}
    missing = sorted(s for s, stats in sources.items() if stats.required and not stats.present)
    unreadable = sorted(s for s, stats in sources.items() if stats.required and stats.present and not stats.readable)
    problems = [f"required source {s} is missing" for s in missing]
    problems += [f"required source {s} could not be read" for s in unreadable]
    return GuardResult(
        name=REQUIRED_SOURCES_PRESENT,
        passed=not problems,
        message="; ".join(problems) or f"all {sum(s.required for s in sources.values())} required sources read",
        figures={"missing": missing, "unreadable": unreadable},
    )


def row_count_stable(current: SnapshotStats, previous: SnapshotStats | None, settings: GuardSettings) -> GuardResult:
    """A source present tonight whose rows fell by more than the allowed share since the last publication blocks.

    Sources absent tonight are the business of :func:`required_sources_present` (an optional source may go).
    """
    if previous is None:
        return GuardResult(ROW_COUNT_STABLE, True, "no published snapshot to compare with", {"compared_with": None})
    per_source = {}
    # An optional multi-file source is compared file by file: a file dropped tonight (empty, unreadable) is
    # like an optional source gone, the files read both nights must not shrink.
    by_file = {stats.file_of for stats in (*current.sources.values(), *previous.sources.values()) if stats.file_of}
    by_file = {source for source in by_file if any(stats.file_of == source for stats in previous.sources.values())}
    for source, stats in sorted(current.sources.items()):
        before = previous.sources.get(source)
        if not stats.present or before is None or before.rows == 0 or source in by_file:
            continue
        per_source[source] = {
            "rows": stats.rows,
            "previous_rows": before.rows,
            "drop_fraction": round((before.rows - stats.rows) / before.rows, 4),
        }
    dropped = {s: f for s, f in per_source.items() if f["drop_fraction"] > settings.max_row_drop_fraction}
    problems = [
        f"{s}: {f['rows']} rows read, {f['previous_rows']} in snapshot {previous.snapshot_date.isoformat()} "
        f"(-{f['drop_fraction']:.2%}, limit {settings.max_row_drop_fraction:.0%})"
        for s, f in dropped.items()
    ]
    return GuardResult(
        name=ROW_COUNT_STABLE,
        passed=not problems,
        message="; ".join(problems) or f"no source dropped more than {settings.max_row_drop_fraction:.0%} of its rows",
        figures={
            "compared_with": previous.snapshot_date.isoformat(),
            "limit": settings.max_row_drop_fraction,
            "sources": per_source,
        },
    )


def quarantine_share_within_limit(current: SnapshotStats, settings: GuardSettings) -> GuardResult:
    """A source with more than the allowed share of its rows quarantined blocks publication."""
    per_source = {
        source: {
            "rows": stats.rows,
            "quarantined_rows": stats.quarantined_rows,
            "quarantine_fraction": round(stats.quarantine_fraction, 4),
        }
        for source, stats in sorted(current.sources.items())
        if stats.present and stats.rows and not stats.file_of
    }
    too_many = {s: f for s, f in per_source.items() if f["quarantine_fraction"] > settings.max_quarantine_fraction}
    problems = [
        f"{s}: {f['quarantined_rows']} of {f['rows']} rows quarantined "
        f"({f['quarantine_fraction']:.2%}, limit {settings.max_quarantine_fraction:.0%})"
        for s, f in too_many.items()
    ]
    return GuardResult(
        name=QUARANTINE_SHARE_WITHIN_LIMIT,
        passed=not problems,
        message="; ".join(problems) or f"every source quarantined at most {settings.max_quarantine_fraction:.0%}",
        figures={"limit": settings.max_quarantine_fraction, "sources": per_source},
    )


COVERAGE_NOT_COMPUTED = "no membership register declared: coverage was not computed"


def membership_data_present(current: SnapshotStats, membership_registers: Sequence[str]) -> GuardResult:
    """A declared membership register (``roles.membership_register``) that is missing, unreadable or without
    accepted rows would make its members look uncovered: block. With none declared, coverage is not computed and
    the guard passes saying so (the matching and unified outputs are published)."""
    if not membership_registers:
        return GuardResult(
            MEMBERSHIP_DATA_PRESENT, True, COVERAGE_NOT_COMPUTED, {"sources": [], "coverage_computed": False}
        )
    problems, accepted = [], {}
    for source in sorted(membership_registers):
        stats = current.sources.get(source)
        accepted[source] = stats.accepted_rows if stats else 0
        if stats is None or not stats.present:
            problems.append(f"membership source {source} is missing")
        elif not stats.readable:
            problems.append(f"membership source {source} could not be read")
        elif stats.accepted_rows <= 0:
            problems.append(
                f"membership source {source} has no accepted rows "
                f"({stats.rows} read, {stats.quarantined_rows} quarantined)"
            )
    message = "; ".join(problems) or "; ".join(f"membership source {s}: {n} accepted rows" for s, n in accepted.items())
    figures: dict[str, object] = {
        "sources": sorted(membership_registers),
        "accepted_rows": accepted,
        "coverage_computed": True,
    }
    if len(accepted) == 1:
        (figures["source"],) = accepted
    return GuardResult(name=MEMBERSHIP_DATA_PRESENT, passed=not problems, message=message, figures=figures)


def all_passed(results: list[GuardResult]) -> bool:
    return all(result.passed for result in results)


# ------------------------------------------------------------------------------------- gathering the stats


def stats_from_outputs(
    snapshot_date: date,
    required: Mapping[str, bool],
    worker_links: pd.DataFrame,
    quarantines: Mapping[str, pd.DataFrame],
    per_file: Iterable[str] = (),
) -> SnapshotStats:
    """Per-source counts of a night from its outputs.

    ``required``: every contracted source and its contract's ``required`` flag. Rows read = records linked
    (``worker_links`` covers every standardised record; the source is the ``record_id`` prefix) + rows
    quarantined (one quarantine row per source row). A source is present when its quarantine output exists.
    ``per_file``: optional keyless multi-file sources (record ids ``<source>:<file stem>:<row>``), which also get
    one entry per file (``<source>/<file stem>``, ``file_of`` = the source) for the shrink guard.
    """
    sources_of = record_sources(worker_links["record_id"])
    linked = sources_of.value_counts()
    sources = {
        source: SourceStats(
            rows=int(linked.get(source, 0)) + len(quarantines.get(source, ())),
            quarantined_rows=len(quarantines.get(source, ())),
            present=source in quarantines,
            required=bool(is_required),
        )
        for source, is_required in sorted(required.items())
    }
    for source in per_file:
        if source not in quarantines:
            continue
        mine = sources_of.eq(source).to_numpy(dtype=bool)
        linked_files = worker_links["record_id"][mine].str.split(":", n=2).str[1].value_counts()
        quarantined = quarantines[source]
        quarantined_files = (
            quarantined["source_file"].map(lambda name: str(name).rsplit(".", 1)[0]).value_counts()
            if len(quarantined)
            else pd.Series(dtype="int64")
        )
        for stem in sorted(set(linked_files.index) | set(quarantined_files.index)):
            q = int(quarantined_files.get(stem, 0))
            sources[f"{source}/{_file_label(stem)}"] = SourceStats(
                rows=int(linked_files.get(stem, 0)) + q, quarantined_rows=q, required=False, file_of=source
            )
    return SnapshotStats(snapshot_date=snapshot_date, sources=dict(sorted(sources.items())))


def _file_label(stem: str) -> str:
    """A file's stem as published in the stats (analytics tier): a stem shaped like a NIK or phone number is
    replaced by a short hash of itself."""
    import hashlib
    import re

    if re.search(r"\d{10,}", re.sub(r"[\s.\-]", "", stem)):
        return "file-" + hashlib.sha256(stem.encode("utf-8")).hexdigest()[:10]
    return stem


def record_sources(record_ids: pd.Series) -> pd.Series:
    """The source id of each ``record_id`` (``<source>:<key>``): its text before the first ``:``, as ``str``.

    Split in Arrow (one vectorised pass; pandas' ``str.split`` builds a Python list per row).
    """
    text = pa.array(record_ids.astype("str").array, type=pa.string())
    first = pc.list_element(pc.split_pattern(text, ":", max_splits=1), 0)
    return pd.Series(first.to_pandas(types_mapper=_TEXT_TYPES.get).array, index=record_ids.index, name=record_ids.name)


_TEXT_TYPES = {pa.string(): pd.StringDtype(na_value=float("nan"))}


def history_for_warehouse(history: pd.DataFrame) -> pd.DataFrame:
    """The id history as the warehouse stores it (see :data:`HISTORY_EVENT_DATE`)."""
    return history.rename(columns={"snapshot_date": HISTORY_EVENT_DATE})


def output_contracts_guard(tables: Mapping[str, pd.DataFrame]) -> GuardResult:
    """Every table with an output contract (``data_contracts/outputs/``) meets it; problems name table, column,
    rule and failing row counts, never values."""
    return output_contracts_result(validate_outputs(tables))


def output_contracts_result(validations: Mapping[str, OutputValidation]) -> GuardResult:
    """The output-contract guard from the validations of the contracted tables (in publication order)."""
    problems = [problem for validation in validations.values() for problem in validation.problems]
    return GuardResult(
        OUTPUT_CONTRACTS_MET,
        not problems,
        "; ".join(problems) or f"{len(validations)} published tables meet their contracts",
        {table: len(validation.problems) for table, validation in validations.items()},
    )
