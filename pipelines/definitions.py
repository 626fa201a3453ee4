"""The Satu Pekerja code location: ``dagster dev -m pipelines.definitions``.

:func:`build_definitions` builds everything from a :class:`~satupekerja.settings.Settings`: the assets of the
contracts in ``settings.contracts_dir`` on the snapshot partitions starting at ``settings.first_snapshot_date``,
the nightly job, its schedule and the sensors (running by default when ``settings.automation``), and the
resources. ``defs`` (a ``dg.definitions`` function, which Dagster calls when it loads the code location) is the
edge that reads the environment: ``build_definitions(Settings.from_env())``.

Resources get a variable the environment set as a ``dg.EnvVar`` (the UI shows the variable's name, never a
secret), and the settings' default otherwise.
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import overload

import dagster as dg

import data_contracts
from assets.catalog import build_all_assets
from assets.outreach import WebDatabase
from assets.partitions import snapshot_partitions_def, with_partitions
from assets.publication import PublicationGuards
from assets.resources import (
    EmploymentModelFile,
    MatchingSettingsFile,
    PrivacyResource,
    SourceInbox,
    WarehouseResource,
)
from pipelines.io_managers import ParquetIOManager
from pipelines.jobs import build_nightly_job
from pipelines.schedules import build_nightly_schedule
from pipelines.sensors import build_run_failure_sensor, build_source_inbox_sensor
from satupekerja import settings as s
from satupekerja.settings import Settings

# Two steps at once at most: the machine has two cores and each step is single-threaded pandas work.
MAX_CONCURRENT_STEPS = 2


@overload
def _env_or(settings: Settings, name: str, default: str | Path) -> str: ...


@overload
def _env_or(settings: Settings, name: str, default: str | Path | None) -> str | None: ...


def _env_or(settings: Settings, name: str, default: str | Path | None) -> str | None:
    """``EnvVar(name)`` (a ``str``) when the environment set ``name``, else ``default`` (a string, or ``None``)."""
    if settings.is_given(name):
        return dg.EnvVar(name)
    return None if default is None else str(default)


def build_resources(settings: Settings) -> dict[str, object]:
    """Every resource the assets and sensors use, with the values of ``settings``."""
    return {
        "io_manager": ParquetIOManager(base_dir=_env_or(settings, s.ASSET_STORAGE_ENV, settings.asset_storage_dir)),
        "source_inbox": SourceInbox(
            data_dir=_env_or(settings, s.DATA_DIR_ENV, settings.data_dir),
            source_paths=dict(settings.source_paths),
            source_url_variables={
                source: f"{s.SOURCE_ENV_PREFIX}{source.upper()}_URL" for source in settings.source_urls
            },
        ),
        "warehouse": WarehouseResource(root=_env_or(settings, s.WAREHOUSE_DIR_ENV, settings.warehouse_dir)),
        "publication_guards": PublicationGuards(
            max_row_drop_fraction=settings.max_row_drop_fraction,
            max_quarantine_fraction=settings.max_quarantine_fraction,
        ),
        "privacy": PrivacyResource(
            mode=_env_or(settings, s.MODE_ENV, settings.mode),
            hmac_key=_env_or(settings, s.HMAC_KEY_ENV, None),
            subject_requests=_env_or(settings, s.SUBJECT_REQUESTS_ENV, None),
            audit_key=_env_or(settings, s.AUDIT_KEY_ENV, None),
        ),
        "matching_settings": MatchingSettingsFile(
            path=_env_or(settings, s.MATCHING_SETTINGS_ENV, settings.matching_settings)
        ),
        "employment_model": EmploymentModelFile(
            path=_env_or(settings, s.EMPLOYMENT_MODEL_ENV, settings.employment_model)
        ),
        "web_database": WebDatabase(url=_env_or(settings, s.WEB_DB_ENV, settings.web_db_url)),
    }


def build_definitions(settings: Settings) -> dg.Definitions:
    """The code location for ``settings``."""
    partitions = snapshot_partitions_def(settings.first_snapshot_date)
    contracts = data_contracts.load_contracts(settings.contracts_dir)
    nightly = build_nightly_job()
    definitions = dg.Definitions(
        assets=with_partitions(build_all_assets(contracts), partitions),
        jobs=[nightly],
        executor=dg.multiprocess_executor.configured({"max_concurrent": MAX_CONCURRENT_STEPS}),
        schedules=[build_nightly_schedule(nightly, automation=settings.automation)],
        sensors=[
            build_source_inbox_sensor(nightly, partitions, automation=settings.automation),
            build_run_failure_sensor(automation=settings.automation, dagster_url=settings.dagster_url),
        ],
        resources=build_resources(settings),
    )
    # The code location's objects (Dagster's and the assets') live as long as the process: moved out of the
    # collector's reach, so the collection after every step (pipelines.memory) and the automatic ones during
    # the steps' pandas work no longer walk them again and again.
    gc.collect()
    gc.freeze()
    return definitions


@dg.definitions
def defs() -> dg.Definitions:
    """The code location Dagster loads: the settings of the process environment."""
    return build_definitions(Settings.from_env())
