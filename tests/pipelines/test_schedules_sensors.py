"""The nightly schedule, the inbox sensor and the run-failure report sensor, with Dagster's testing utilities."""

from __future__ import annotations

import json
import os
import stat
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from assets.partitions import snapshot_partitions
from assets.resources import SourceInbox
from pipelines import sensors
from pipelines.definitions import build_definitions
from pipelines.jobs import build_nightly_job
from pipelines.schedules import NIGHTLY_SCHEDULE_NAME, build_nightly_schedule
from pipelines.sensors import (
    FAILURE_REPORTS_DIR,
    FailureReport,
    build_run_failure_sensor,
    build_source_inbox_sensor,
)
from satupekerja.settings import Settings

JAKARTA = ZoneInfo("Asia/Jakarta")
SETTLED = time.time() - 10 * sensors.SETTLE_SECONDS
nightly_job = build_nightly_job()
source_inbox_sensor = build_source_inbox_sensor(nightly_job, snapshot_partitions)
run_failure_report_sensor = build_run_failure_sensor()


# ------------------------------------------------------------------------------------------------ schedule


def test_nightly_schedule_runs_at_one_in_jakarta_for_that_days_snapshot() -> None:
    # The job takes its partitions from its assets: the schedule resolves with the definitions.
    nightly_schedule = build_definitions(Settings()).resolve_schedule_def(NIGHTLY_SCHEDULE_NAME)
    context = dg.build_schedule_context(scheduled_execution_time=datetime(2026, 11, 22, 1, 0, tzinfo=JAKARTA))

    [request] = nightly_schedule.evaluate_tick(context).run_requests

    assert nightly_schedule.name == NIGHTLY_SCHEDULE_NAME
    assert nightly_schedule.job_name == "satupekerja_nightly"
    assert (nightly_schedule.cron_schedule, nightly_schedule.execution_timezone) == ("0 1 * * *", "Asia/Jakarta")
    assert request.partition_key == "2026-11-22"


def test_automation_switch_starts_schedules_and_sensors_running() -> None:
    assert build_nightly_schedule(nightly_job).default_status == dg.DefaultScheduleStatus.STOPPED
    assert source_inbox_sensor.default_status == dg.DefaultSensorStatus.STOPPED
    assert run_failure_report_sensor.default_status == dg.DefaultSensorStatus.STOPPED
    assert build_nightly_schedule(nightly_job, automation=True).default_status == dg.DefaultScheduleStatus.RUNNING
    assert (
        build_source_inbox_sensor(nightly_job, snapshot_partitions, automation=True).default_status
        == dg.DefaultSensorStatus.RUNNING
    )
    assert build_run_failure_sensor(automation=True).default_status == dg.DefaultSensorStatus.RUNNING


# ------------------------------------------------------------------------------------------------ inbox


def drop_file(inbox: Path, relative: str, content: str = "KPJ,NIK\n", mtime: float = SETTLED) -> Path:
    path = inbox / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)
    os.utime(path, (mtime, mtime))
    return path


class Inbox:
    """The inbox folder the sensor's ``source_inbox`` resource points at."""

    folder: Path | None = None


def tick(cursor: str | None) -> dg.SensorResult:
    resources = {"source_inbox": SourceInbox(data_dir=str(Inbox.folder))}
    return source_inbox_sensor(dg.build_sensor_context(cursor=cursor, resources=resources))


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    drop_file(inbox, "umkm/data_umkm_depok.csv")
    Inbox.folder = inbox
    return inbox


def test_the_sensor_watches_the_folder_of_its_resource_not_the_environment(
    inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SATUPEKERJA_DATA_DIR", str(tmp_path / "elsewhere"))
    assert "baseline recorded: 1 files" in tick(None).skip_reason.skip_message


def test_first_tick_records_the_baseline_without_a_run(inbox: Path) -> None:
    result = tick(None)

    assert not result.run_requests
    assert result.cursor
    assert "baseline recorded: 1 files" in result.skip_reason.skip_message


def test_a_new_file_requests_a_run_for_todays_snapshot(inbox: Path) -> None:
    baseline = tick(None).cursor
    drop_file(inbox, "bpjs_ketenagakerjaan/kepesertaan_bpjstk.csv")

    result = tick(baseline)

    [request] = result.run_requests
    assert request.partition_key == snapshot_partitions.get_last_partition_key()
    assert request.run_key == f"inbox-{result.cursor}"
    assert result.cursor != baseline
    assert request.tags["satupekerja/inbox_files"] == "2"
    assert not tick(result.cursor).run_requests


def test_a_changed_file_requests_a_new_run(inbox: Path) -> None:
    baseline = tick(None).cursor
    drop_file(inbox, "umkm/data_umkm_depok.csv", content="ID UMKM,NIK\n1,2\n", mtime=SETTLED + 1)

    [request] = tick(baseline).run_requests

    assert request.run_key.startswith("inbox-")


def test_files_still_being_copied_and_hidden_or_temporary_files_are_ignored(inbox: Path) -> None:
    baseline = tick(None).cursor
    drop_file(inbox, ".partial/upload.csv")
    drop_file(inbox, "disnaker/~$registrasi_disnaker.xlsx")
    drop_file(inbox, "pasar/pedagang_pasar.csv.part")
    assert tick(baseline).skip_reason.skip_message == "no new or changed file among 1"

    drop_file(inbox, "pasar/pedagang_pasar.csv", mtime=time.time())
    waiting = tick(baseline)

    assert not waiting.run_requests
    assert waiting.cursor is None
    assert "waiting for it to settle" in waiting.skip_reason.skip_message


# ------------------------------------------------------------------------------------------------ failures


@dg.op
def read_inbox() -> int:
    raise ValueError("NIK 3276011234567890 is malformed")  # personal data in a message must not reach the report


@dg.job(tags={"dagster/partition": "2026-11-21", "dagster/schedule_name": NIGHTLY_SCHEDULE_NAME})
def failing_job() -> None:
    read_inbox()


def failure_context(instance: dg.DagsterInstance, sensor: dg.SensorDefinition) -> dg.RunFailureSensorContext:
    result = failing_job.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    [failure] = instance.all_logs(result.run_id, of_type=dg.DagsterEventType.RUN_FAILURE)
    return dg.build_run_status_sensor_context(
        sensor_name=sensor.name,
        dagster_event=failure.dagster_event,
        dagster_instance=instance,
        dagster_run=result.dagster_run,
    ).for_run_failure()


def test_a_failed_run_leaves_a_report_without_personal_data(tmp_path: Path) -> None:
    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        context = failure_context(instance, run_failure_report_sensor)
        run_id = context.dagster_run.run_id

        run_failure_report_sensor(context)

    reports = tmp_path / FAILURE_REPORTS_DIR
    report = json.loads((reports / f"{run_id}.json").read_text())
    markdown = (reports / f"{run_id}.md").read_text()
    assert report["job"] == "failing_job"
    assert report["partition"] == "2026-11-21"
    assert report["trigger"] == f"schedule {NIGHTLY_SCHEDULE_NAME}"
    assert report["failed_steps"] == [{"step": "read_inbox", "error_type": "ValueError"}]
    assert report["held_back"] is False
    assert "`read_inbox`: ValueError" in markdown
    assert "3276011234567890" not in (reports / f"{run_id}.json").read_text() + markdown
    assert stat.S_IMODE((reports / f"{run_id}.json").stat().st_mode) == 0o600


def test_notifiers_are_pluggable(tmp_path: Path) -> None:
    received: list[FailureReport] = []

    class ListNotifier:
        def notify(self, report: FailureReport) -> None:
            received.append(report)

    sensor = build_run_failure_sensor(lambda instance: ListNotifier())
    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        sensor(failure_context(instance, sensor))

    [report] = received
    assert report.failed_steps[0].step == "read_inbox"
    assert not (tmp_path / FAILURE_REPORTS_DIR).exists()
    assert report.run_url is None, "no Dagster URL configured: no link"


def test_reports_link_to_the_run_under_the_configured_dagster_url(tmp_path: Path) -> None:
    received: list[FailureReport] = []

    class ListNotifier:
        def notify(self, report: FailureReport) -> None:
            received.append(report)

    sensor = build_run_failure_sensor(lambda instance: ListNotifier(), dagster_url="http://dagster.local:3000/")
    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        context = failure_context(instance, sensor)
        sensor(context)

    [report] = received
    assert report.run_url == f"http://dagster.local:3000/runs/{context.dagster_run.run_id}"


def test_a_held_back_snapshot_is_named_in_the_report() -> None:
    report = FailureReport(
        run_id="r1",
        job="satupekerja_nightly",
        partition="2026-11-21",
        failed_at="2026-11-21T18:05:00+00:00",
        trigger="manual launch",
        failed_checks=[sensors.FailedCheck("publish_snapshot", "row_count_stable", "dukcapil: 50 rows read, 100 …")],
    )

    assert json.loads(report.to_json())["held_back"] is True
    assert "held back by a publication guard: yes" in report.to_markdown()
    assert "`publish_snapshot` / `row_count_stable`: dukcapil: 50 rows read" in report.to_markdown()
