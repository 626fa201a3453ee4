"""The production instance config (deploy/dagster.postgres.yaml) against a real PostgreSQL.

Creates a fresh database ``dagster_test_<random>`` on the server of ``SATUPEKERJA_TEST_POSTGRES_URL`` (default
``postgresql+psycopg2://postgres@127.0.0.1:5432/test``), points the config's environment variables at it,
materialises a partitioned asset through a ``DagsterInstance`` loaded from the config, checks that the run,
its events and the schedule storage live in PostgreSQL, and drops the database. In CI (``CI`` set) an
unreachable server fails the test; elsewhere it skips.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa

from tests.servers import POSTGRES_URL_ENV, reachable_engine, server_url

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[2]
CONFIG = REPO_ROOT / "deploy" / "dagster.postgres.yaml"


def admin_engine(url: sa.URL) -> sa.Engine:
    """An autocommit engine: CREATE/DROP DATABASE cannot run in a transaction."""
    return reachable_engine(url, isolation_level="AUTOCOMMIT", pool_pre_ping=True)


@pytest.fixture
def fresh_database() -> Iterator[sa.URL]:
    """A new, empty database on the test server, dropped afterwards."""
    url = server_url(POSTGRES_URL_ENV)
    engine = admin_engine(url)
    name = f"dagster_test_{uuid.uuid4().hex[:12]}"
    with engine.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name)
    finally:
        with engine.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture
def production_instance(
    fresh_database: sa.URL, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dg.DagsterInstance]:
    """A Dagster instance from deploy/dagster.postgres.yaml, configured through its environment variables."""
    environment = {
        "SATUPEKERJA_PG_HOST": fresh_database.host or "127.0.0.1",
        "SATUPEKERJA_PG_PORT": str(fresh_database.port or 5432),
        "SATUPEKERJA_PG_DB": fresh_database.database,
        "SATUPEKERJA_PG_USER": fresh_database.username or "postgres",
        "SATUPEKERJA_PG_PASSWORD": fresh_database.password or "",
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    dagster_home = tmp_path / "dagster_home"
    dagster_home.mkdir()
    shutil.copy(CONFIG, dagster_home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(dagster_home))
    with dg.DagsterInstance.get() as instance:
        yield instance


nights = dg.DailyPartitionsDefinition(start_date="2026-11-01", timezone="Asia/Jakarta")


@dg.asset(partitions_def=nights, check_specs=[dg.AssetCheckSpec("rows_counted", asset="tiny_snapshot")])
def tiny_snapshot(context):
    yield dg.MaterializeResult(metadata={"rows": 3, "partition": context.partition_key})
    yield dg.AssetCheckResult(check_name="rows_counted", passed=True)


def test_runs_events_and_schedules_are_stored_in_postgresql(
    production_instance: dg.DagsterInstance, fresh_database: sa.URL
) -> None:
    result = dg.materialize([tiny_snapshot], instance=production_instance, partition_key="2026-11-20")

    run = production_instance.get_run_by_id(result.run_id)
    [materialization] = production_instance.fetch_materializations(dg.AssetKey("tiny_snapshot"), limit=10).records
    assert result.success
    assert type(production_instance.run_storage).__name__ == "PostgresRunStorage"
    assert type(production_instance.event_log_storage).__name__ == "PostgresEventLogStorage"
    assert type(production_instance.schedule_storage).__name__ == "PostgresScheduleStorage"
    assert run.status == dg.DagsterRunStatus.SUCCESS
    assert run.tags["dagster/partition"] == "2026-11-20"
    assert materialization.asset_materialization.metadata["rows"].value == 3
    assert type(production_instance.run_coordinator).__name__ == "QueuedRunCoordinator"
    assert production_instance.all_instigator_state() == []

    engine = sa.create_engine(fresh_database)
    try:
        with engine.connect() as connection:
            stored_runs = connection.execute(sa.text("SELECT run_id, status FROM runs")).all()
            event_types = set(
                connection.execute(
                    sa.text("SELECT dagster_event_type FROM event_logs WHERE run_id = :run_id"),
                    {"run_id": result.run_id},
                ).scalars()
            )
            schedule_tables = set(sa.inspect(connection).get_table_names()) & {"instigators", "jobs", "job_ticks"}
    finally:
        engine.dispose()
    assert stored_runs == [(result.run_id, "SUCCESS")]
    assert {"STEP_SUCCESS", "ASSET_MATERIALIZATION", "ASSET_CHECK_EVALUATION"} <= event_types
    assert schedule_tables == {"instigators", "jobs", "job_ticks"}
