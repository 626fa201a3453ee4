"""The human summary ``make run`` prints, built only from a run's metadata and check results (counts)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg

from assets import metadata as md
from assets.keys import RAW, STANDARD, quarantine_name, raw_name, source_of, standard_name
from assets.publication import PUBLISH_SNAPSHOT
from satupekerja.publishing import tables

if TYPE_CHECKING:
    from dagster._utils.error import SerializableErrorInfo

PARTITION_TAG = "dagster/partition"
UI_HINT = "Open the Dagster UI on this instance: make dev  (then http://localhost:3000)"


@dataclass(frozen=True)
class FailedCheck:
    """A failed check evaluation: where, how severe, and the problems it states (no data values)."""

    asset: str
    check: str
    severity: str
    problems: list[str]

    @classmethod
    def from_evaluation(cls, evaluation: dg.AssetCheckEvaluation) -> FailedCheck:
        metadata = evaluation.metadata
        errors = metadata[md.CHECK_ERRORS].value if md.CHECK_ERRORS in metadata else None
        if isinstance(errors, list | tuple):
            problems = [str(error) for error in errors]
        elif md.CHECK_MESSAGE in metadata:
            problems = [str(metadata[md.CHECK_MESSAGE].value)]
        else:
            problems = [evaluation.description or "failed"]
        return cls(evaluation.asset_key.to_user_string(), evaluation.check_name, evaluation.severity.value, problems)


@dataclass(frozen=True)
class RunSummary:
    """What one run materialised and what failed, keyed by asset name."""

    run_id: str
    partition: str | None
    success: bool
    elapsed_seconds: float
    metadata: Mapping[str, Mapping[str, object]]
    failed_steps: Mapping[str, str] = field(default_factory=dict)
    failed_checks: list[FailedCheck] = field(default_factory=list)
    key_is_demo: bool = True
    """Whether the configured pseudonymisation key is the public demo key (when the publication did not say)."""

    @classmethod
    def from_result(
        cls, result: dg.ExecuteInProcessResult, elapsed_seconds: float, key_is_demo: bool = True
    ) -> RunSummary:
        metadata = {
            event.materialization.asset_key.to_user_string(): {
                key: value.value for key, value in event.materialization.metadata.items()
            }
            for event in result.get_asset_materialization_events()
        }
        partition = result.dagster_run.tags.get(PARTITION_TAG)
        failed_checks = [
            FailedCheck.from_evaluation(evaluation)
            for evaluation in result.get_asset_check_evaluations()
            if not evaluation.passed
        ]
        failed_steps = {
            str(event.step_key): _root_cause(event.step_failure_data.error)
            for event in result.get_step_failure_events()
        }
        return cls(
            result.run_id,
            partition,
            result.success,
            elapsed_seconds,
            metadata,
            failed_steps,
            failed_checks,
            key_is_demo,
        )

    def render(self) -> str:
        status = "SUCCESS" if self.success else "FAILED"
        lines = [
            f"Satu Pekerja: snapshot {self.partition}: {status} in {self.elapsed_seconds:.1f} s "
            f"(run {self.run_id[:8]})",
            "",
            *self._key_lines(),
            *self._source_lines(),
            *self._integration_lines(),
            *self._failure_lines(),
            *self._output_lines(),
            UI_HINT,
        ]
        return "\n".join(lines)

    def _key_lines(self) -> list[str]:
        """Every summary says in plain words when pseudonyms are reversible (the public demo key)."""
        from assets.publication import DEMO_KEY_WARNING

        publication = self.metadata.get(PUBLISH_SNAPSHOT, {})
        reversible = bool(publication.get(md.PSEUDONYMS_REVERSIBLE, self.key_is_demo))
        return [f"!! {DEMO_KEY_WARNING}", ""] if reversible else []

    def _sources(self) -> list[str]:
        names = [*self.metadata, *(check.asset for check in self.failed_checks)]
        sources = (source_of(name, RAW, STANDARD) for name in names)
        return sorted({source for source in sources if source is not None})

    def _source_lines(self) -> list[str]:
        header = (
            f"  {'source':<28}{'lines':>9}{'read':>9}{'standardised':>14}{'quarantined':>13}{'NIK valid':>11}"
            f"{'region ok':>11}"
        )
        lines = ["Sources (sumber)", header]
        reasons, accounting = [], []
        for source in self._sources():
            standard = self.metadata.get(standard_name(source))
            if standard is None or md.SKIPPED in standard:
                raw = self.metadata.get(raw_name(source))
                read = f"{raw[md.ROWS_READ]:,}" if raw else "-"
                physical = f"{raw[md.LINES_PHYSICAL]:,}" if raw and md.LINES_PHYSICAL in raw else "-"
                status = "skipped: optional, file rules failed" if standard else "not standardised: file rules failed"
                lines.append(f"  {source:<28}{physical:>9}{read:>9}  {status}")
                if raw and raw.get(md.LINES_FILE_ERROR):
                    accounting.append(
                        f"  {source}: {raw[md.LINES_FILE_ERROR]:,} lines inside files refused by a file error"
                    )
                continue
            lines_physical = standard.get(md.LINES_PHYSICAL)
            lines.append(
                f"  {source:<28}{'-' if lines_physical is None else format(lines_physical, ','):>9}"
                f"{standard[md.ROWS_READ]:>9,}"
                f"{standard[md.ROWS_STANDARDISED]:>14,}"
                f"{standard[md.ROWS_QUARANTINED]:>13,}{standard[md.NIK_VALIDITY_RATE]:>11.1%}"
                f"{standard[md.REGION_RESOLUTION_RATE]:>11.1%}"
            )
            if lines_physical is not None:
                accounting.append(_accounting_line(source, standard))
            top = self.metadata.get(quarantine_name(source), {}).get(md.TOP_REASONS)
            if isinstance(top, Mapping) and top:
                reasons.append(f"  {source}: " + "; ".join(f"{reason} ({count:,})" for reason, count in top.items()))
        if accounting:
            lines += [
                "",
                "Line accounting (every physical line: header + blank + multi-line continuation + "
                "refused file + rows read; rows read = standardised + quarantined)",
                *accounting,
            ]
        if reasons:
            lines += ["", "Top quarantine reasons", *reasons]
        return [*lines, ""]

    def _integration_lines(self) -> list[str]:
        person_records = self.metadata.get(tables.PERSON_RECORDS)
        links = self.metadata.get(tables.WORKER_LINKS)
        uncovered = self.metadata.get(tables.UNCOVERED_INFORMAL_WORKERS)
        lines = []
        if person_records is not None:
            lines.append(
                f"{tables.PERSON_RECORDS}: {person_records[md.ROW_COUNT]:,} records from {len(self._sources())} sources"
            )
        if links is not None:
            lines.append(
                f"matched people: {links[md.WORKERS]:,} workers, {links[md.WORKERS_IN_SEVERAL_SOURCES]:,} "
                "of them found in more than one source"
            )
        unified = self.metadata.get(tables.UNIFIED_WORKERS) or {}
        if unified.get(md.COVERAGE_COMPUTED) is False:
            lines.append(
                "coverage: not computed (no contract declares a membership register: roles.membership_register)"
            )
        elif uncovered is not None:
            lines.append(
                f"uncovered informal workers: {uncovered[md.ROW_COUNT]:,} "
                f"({uncovered[md.VULNERABLE]:,} vulnerable: PBI or lapsed PBPU health cover)"
            )
        return [*lines, ""] if lines else []

    def _failure_lines(self) -> list[str]:
        lines = []
        if self.failed_checks:
            lines.append("Failed checks")
            for check in self.failed_checks:
                lines += [f"  [{check.severity}] {check.asset} {check.check}: {problem}" for problem in check.problems]
            lines.append("")
        if self.failed_steps:
            lines.append(f"Failed steps ({len(self.failed_steps)}; nothing downstream of them was materialised)")
            lines += [f"  {step}: {message}" for step, message in self.failed_steps.items()]
            lines.append("")
        return lines

    def _output_lines(self) -> list[str]:
        stored = [Path(str(values[md.STORED_URI])) for values in self.metadata.values() if md.STORED_URI in values]
        lines = []
        if stored:
            storage_root = os.path.commonpath([path.parents[2] for path in stored])
            lines.append(f"  asset storage (Parquet, personal data: restricted): {storage_root}")
        publication = self.metadata.get(PUBLISH_SNAPSHOT, {})
        if publication.get(md.PUBLISHED):
            lines += [f"  warehouse: {publication[md.WAREHOUSE]}", f"  DuckDB views: {publication[md.DUCKDB]}"]
        return ["Outputs", *lines, ""] if lines else []


def _accounting_line(source: str, standard: Mapping[str, object]) -> str:
    parts = {
        "header": md.LINES_HEADER,
        "blank": md.LINES_BLANK,
        "continuation": md.LINES_CONTINUATION,
        "in dropped files": md.LINES_FILE_ERROR,
    }
    shown = " + ".join(
        f"{_count(standard, key):,} {label}" for label, key in parts.items() if standard.get(key) or label == "header"
    )
    physical, read = _count(standard, md.LINES_PHYSICAL), _count(standard, md.ROWS_READ)
    standardised, quarantined = _count(standard, md.ROWS_STANDARDISED), _count(standard, md.ROWS_QUARANTINED)
    balanced = physical == sum(_count(standard, key) for key in parts.values()) + read and (
        read == standardised + quarantined
    )
    return (
        f"  {source}: {physical:,} lines = {shown} + {read:,} rows "
        f"({standardised:,} standardised + {quarantined:,} "
        f"quarantined) {'OK' if balanced else 'DOES NOT BALANCE'}"
    )


def _count(values: Mapping[str, object], key: str) -> int:
    """The whole number a count label holds (0 when absent or empty)."""
    value = values.get(key)
    return int(value) if isinstance(value, int | float) else 0


def _root_cause(error: SerializableErrorInfo | None) -> str:
    """The innermost error's message on one line, without the exception's module path.

    Dagster wraps user errors (``Error occurred while executing op ...``); the cause says what went wrong.
    """
    if error is None:
        return "unknown error"
    while error.cause is not None:
        error = error.cause
    message = " ".join(line.strip() for line in error.message.strip().splitlines())
    prefix, separator, text = message.partition(": ")
    return text if separator and " " not in prefix else message
