"""Sensors: a run when a source file lands in the inbox, and a report when a run fails.

``source_inbox_sensor`` fingerprints every file in the source inbox (its ``source_inbox`` resource: names,
sizes, modification times) and requests the nightly job for today's snapshot date when the fingerprint
differs from the cursor. It waits until no file has changed for :data:`SETTLE_SECONDS`, so a file still being
copied does not start a run. The first evaluation only records the baseline: the files already there are the
nightly schedule's business. Databases read by URL have no file to watch: the schedule covers them.

``run_failure_report_sensor`` builds a :class:`FailureReport` of every failed run (job, partition, failed
steps with their error type, failed asset checks with their messages) and hands it to a
:class:`FailureNotifier`. Error messages and stack traces are not copied: they can quote input values,
and reports leave the machine by e-mail or chat. Asset-check messages are the project's own, counts only.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import dagster as dg

from assets.publication import PUBLISH_SNAPSHOT
from assets.resources import SourceInbox

if TYPE_CHECKING:
    from dagster._utils.error import SerializableErrorInfo

INBOX_SENSOR_NAME = "source_inbox_sensor"
FAILURE_SENSOR_NAME = "run_failure_report_sensor"
FAILURE_REPORTS_DIR = "failure_reports"
SETTLE_SECONDS = 120
INBOX_CHECK_INTERVAL_SECONDS = 60
_IGNORED_SUFFIXES = (".tmp", ".part", ".crdownload", ".partial")


def _default_sensor_status(automation: bool) -> dg.DefaultSensorStatus:
    return dg.DefaultSensorStatus.RUNNING if automation else dg.DefaultSensorStatus.STOPPED


# ------------------------------------------------------------------------------------------------ inbox


@dataclass(frozen=True)
class InboxState:
    """What the inbox holds now: a fingerprint of every file, how many, and when the newest changed."""

    fingerprint: str
    files: int
    newest_change: float


def inbox_files(data_dir: Path) -> list[Path]:
    """Every regular file under ``data_dir``, skipping hidden files and folders, Office lock files (``~$…``)
    and partial downloads."""
    if not data_dir.is_dir():
        return []
    return sorted(
        path
        for path in data_dir.rglob("*")
        if path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(data_dir).parts)
        and not path.name.startswith("~$")
        and not path.name.endswith(_IGNORED_SUFFIXES)
    )


def inbox_state(data_dir: Path) -> InboxState:
    digest = hashlib.sha256()
    newest = 0.0
    files = inbox_files(data_dir)
    for path in files:
        status = path.stat()
        digest.update(f"{path.relative_to(data_dir).as_posix()}\0{status.st_size}\0{status.st_mtime_ns}\n".encode())
        newest = max(newest, status.st_mtime)
    return InboxState(fingerprint=digest.hexdigest()[:32], files=len(files), newest_change=newest)


def evaluate_inbox(
    data_dir: Path, cursor: str | None, now: float, partitions_def: dg.PartitionsDefinition
) -> dg.SensorResult:
    """The sensor's decision for the inbox at ``data_dir`` given the last fingerprint (``cursor``); a run is for
    the newest partition of ``partitions_def`` (today's snapshot date)."""
    state = inbox_state(data_dir)
    if cursor is None:
        return dg.SensorResult(
            skip_reason=f"baseline recorded: {state.files} files in the inbox", cursor=state.fingerprint
        )
    if state.fingerprint == cursor:
        return dg.SensorResult(skip_reason=f"no new or changed file among {state.files}")
    if now - state.newest_change < SETTLE_SECONDS:
        return dg.SensorResult(skip_reason=f"a file changed less than {SETTLE_SECONDS} s ago: waiting for it to settle")
    partition = partitions_def.get_last_partition_key()
    request = dg.RunRequest(
        run_key=f"inbox-{state.fingerprint}",
        partition_key=partition,
        tags={"satupekerja/trigger": "inbox", "satupekerja/inbox_files": str(state.files)},
    )
    return dg.SensorResult(run_requests=[request], cursor=state.fingerprint)


def build_source_inbox_sensor(
    job: dg.UnresolvedAssetJobDefinition, partitions_def: dg.PartitionsDefinition, *, automation: bool = False
) -> dg.SensorDefinition:
    """The inbox sensor requesting ``job`` for the newest partition of ``partitions_def`` (the snapshot partitions
    of the job's assets) for the inbox of the ``source_inbox`` resource."""

    @dg.sensor(
        name=INBOX_SENSOR_NAME,
        job=job,
        minimum_interval_seconds=INBOX_CHECK_INTERVAL_SECONDS,
        default_status=_default_sensor_status(automation),
        description="Runs the nightly job for today's snapshot when a source file is added or changed in the inbox.",
    )
    def source_inbox_sensor(context: dg.SensorEvaluationContext, source_inbox: SourceInbox) -> dg.SensorResult:
        return evaluate_inbox(source_inbox.inbox_dir(), context.cursor, time.time(), partitions_def)

    return source_inbox_sensor


# ------------------------------------------------------------------------------------------------ failures


@dataclass(frozen=True)
class FailedStep:
    step: str
    error_type: str


@dataclass(frozen=True)
class FailedCheck:
    asset: str
    check: str
    message: str


@dataclass(frozen=True)
class FailureReport:
    """A failed run, without personal data: identifiers, step names, error types and check messages."""

    run_id: str
    job: str
    partition: str | None
    failed_at: str
    trigger: str
    failed_steps: list[FailedStep] = field(default_factory=list)
    failed_checks: list[FailedCheck] = field(default_factory=list)
    run_url: str | None = None

    @property
    def held_back(self) -> bool:
        """The snapshot was not published because a publication guard failed."""
        return any(check.asset == PUBLISH_SNAPSHOT for check in self.failed_checks)

    def to_json(self) -> str:
        return json.dumps({**asdict(self), "held_back": self.held_back}, indent=2, ensure_ascii=False)

    def to_markdown(self) -> str:
        lines = [
            f"# Satu Pekerja run failed: {self.job}",
            "",
            f"- run: `{self.run_id}`" + (f" ({self.run_url})" if self.run_url else ""),
            f"- snapshot date (partition): {self.partition or 'none'}",
            f"- failed at: {self.failed_at}",
            f"- started by: {self.trigger}",
            f"- snapshot held back by a publication guard: {'yes' if self.held_back else 'no'}",
            "",
            "## Failed steps",
            *([f"- `{step.step}`: {step.error_type}" for step in self.failed_steps] or ["- none recorded"]),
            "",
            "## Failed checks",
            *([f"- `{c.asset}` / `{c.check}`: {c.message}" for c in self.failed_checks] or ["- none"]),
            "",
            "Error messages and stack traces are in the run's logs in the Dagster UI (they are not copied here).",
            'Recovery: docs/operations.md, section "When a night fails or is held back".',
        ]
        return "\n".join(lines) + "\n"


class FailureNotifier(Protocol):
    """Where failure reports go. Implementations: :class:`FileNotifier`; e-mail or chat ones plug in here."""

    def notify(self, report: FailureReport) -> None: ...


@dataclass(frozen=True)
class FileNotifier:
    """Writes ``<run_id>.json`` and ``<run_id>.md`` into ``directory`` (owner-only: reports name sources)."""

    directory: Path

    def notify(self, report: FailureReport) -> None:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        for suffix, text in ((".json", report.to_json()), (".md", report.to_markdown())):
            _write_atomically(self.directory / f"{report.run_id}{suffix}", text)


def file_notifier_for(instance: dg.DagsterInstance) -> FailureNotifier:
    """The default notifier: files in ``<DAGSTER_HOME>/failure_reports/``."""
    return FileNotifier(Path(instance.root_directory) / FAILURE_REPORTS_DIR)


def failure_report(context: dg.RunFailureSensorContext, dagster_url: str = "") -> FailureReport:
    """The report of the run ``context`` is about, built from the run's event log; ``dagster_url`` (the
    webserver's address, ``Settings.dagster_url``) makes it link to the run."""
    run = context.dagster_run
    records = context.instance.all_logs(run.run_id)
    base_url = dagster_url.rstrip("/")
    return FailureReport(
        run_id=run.run_id,
        job=run.job_name,
        partition=run.tags.get("dagster/partition"),
        failed_at=datetime.now(UTC).isoformat(timespec="seconds"),
        trigger=_trigger(run.tags),
        failed_steps=list(_failed_steps(records)),
        failed_checks=list(_failed_checks(records)),
        run_url=f"{base_url}/runs/{run.run_id}" if base_url else None,
    )


def build_run_failure_sensor(
    notifier_for: Callable[[dg.DagsterInstance], FailureNotifier] = file_notifier_for,
    *,
    automation: bool = False,
    dagster_url: str = "",
) -> dg.SensorDefinition:
    """A run-failure sensor over every job of the code location, reporting through ``notifier_for(instance)``;
    reports link to runs under ``dagster_url`` when given."""

    @dg.run_failure_sensor(
        name=FAILURE_SENSOR_NAME,
        default_status=_default_sensor_status(automation),
        description="Writes a failure report (JSON and markdown, no personal data) for every failed run.",
    )
    def run_failure_report_sensor(context: dg.RunFailureSensorContext) -> None:
        notifier_for(context.instance).notify(failure_report(context, dagster_url))

    return run_failure_report_sensor


def _failed_steps(records: Iterable) -> Iterable[FailedStep]:
    for record in records:
        event = record.dagster_event
        if event is not None and event.event_type_value == "STEP_FAILURE":
            yield FailedStep(step=event.step_key, error_type=_root_error_type(event.event_specific_data.error))


def _root_error_type(error: SerializableErrorInfo | None) -> str:
    """The class of the innermost cause (the user-code error Dagster wraps), or ``unknown``."""
    if error is None:
        return "unknown"
    while error.cause is not None:
        error = error.cause
    return error.cls_name or "unknown"


def _failed_checks(records: Iterable) -> Iterable[FailedCheck]:
    for record in records:
        event = record.dagster_event
        if event is not None and event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if not evaluation.passed:
                yield FailedCheck(
                    asset=evaluation.asset_key.to_user_string(),
                    check=evaluation.check_name,
                    message=evaluation.description or "",
                )


def _trigger(tags: Mapping[str, str]) -> str:
    if "dagster/schedule_name" in tags:
        return f"schedule {tags['dagster/schedule_name']}"
    if "dagster/sensor_name" in tags:
        return f"sensor {tags['dagster/sensor_name']}"
    if "dagster/backfill" in tags:
        return f"backfill {tags['dagster/backfill']}"
    return "manual launch"


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, path)
