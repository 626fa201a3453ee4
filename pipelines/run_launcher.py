"""A run launcher whose run workers run monitoring can check: a run killed mid-way does not stay STARTED.

Dagster's ``DefaultRunLauncher`` starts each run worker as a process on this machine (through the code
location's gRPC server) but does not support run-worker health checks, so run monitoring can only time a
dead run out after ``max_runtime_seconds`` (6 hours in ``deploy/dagster.postgres.yaml``, never in a local
instance): a run whose process was killed (``SIGKILL``, out-of-memory killer, a reboot) stays ``STARTED``.

:class:`LocalRunLauncher` is the default launcher plus that health check: the run worker's process id is in
the run's own event log (the engine event ``Started process for run (pid: N)``); when no such process is alive
on this host any more, the worker has died and run monitoring marks the run failed at its next poll, so the
failure sensor reports it and the partition can be re-run. Configure it as the instance's ``run_launcher``
(both ``dagster.yaml`` files do). It assumes what the default launcher does: run workers on the daemon's host.
"""

from __future__ import annotations

import os

from dagster import DagsterEventType, DagsterInstance, DefaultRunLauncher
from dagster._core.launcher import CheckRunHealthResult, WorkerStatus
from dagster._core.storage.dagster_run import DagsterRun

_STARTED_PROCESS = "Started process for run"


class LocalRunLauncher(DefaultRunLauncher):
    """``DefaultRunLauncher`` with a run-worker health check by process id (same host)."""

    @property
    def supports_check_run_worker_health(self) -> bool:
        return True

    def check_run_worker_health(self, run: DagsterRun) -> CheckRunHealthResult:
        pid = run_worker_pid(self._instance, run.run_id)
        if pid is None:
            # The worker has not written its start event yet: nothing to judge (start_timeout covers it).
            return CheckRunHealthResult(WorkerStatus.RUNNING, "run worker process id not recorded yet")
        if process_alive(pid):
            return CheckRunHealthResult(WorkerStatus.RUNNING)
        return CheckRunHealthResult(
            WorkerStatus.FAILED,
            f"proses run (pid {pid}) sudah tidak ada: dihentikan paksa? / the run worker process (pid {pid}) is gone "
            "(killed?); re-run the partition",
        )


def run_worker_pid(instance: DagsterInstance, run_id: str) -> int | None:
    """The process id the run worker recorded when it started (the last one, after a resume)."""
    records = instance.get_records_for_run(run_id, of_type=DagsterEventType.ENGINE_EVENT).records
    pid = None
    for record in records:
        entry = record.event_log_entry
        if not entry.user_message.startswith(_STARTED_PROCESS) or entry.dagster_event is None:
            continue
        metadata = entry.dagster_event.engine_event_data.metadata
        if "pid" in metadata:
            pid = int(str(metadata["pid"].value))
    return pid


def process_alive(pid: int) -> bool:
    """Whether a process with ``pid`` runs on this host (a zombie counts as dead)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            return handle.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return True
