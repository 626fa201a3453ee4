"""The Satu Pekerja code location: ``dagster dev -m pipelines.definitions``.

Paths come from environment variables, read through resources so the UI shows them as ``EnvVar``s. An unset
variable leaves the resource's own default in place (documented on each resource field).
"""

from __future__ import annotations

import importlib
import importlib.util
import os

import dagster as dg

from assets.catalog import build_all_assets
from assets.outreach import WebDatabase
from assets.publication import PublicationGuards
from assets.resources import SourceInbox, WarehouseResource
from pipelines.io_managers import ParquetIOManager
from pipelines.jobs import satupekerja_nightly

DATA_DIR_ENV = "SATUPEKERJA_DATA_DIR"
ASSET_STORAGE_ENV = "SATUPEKERJA_ASSET_STORAGE_DIR"
WAREHOUSE_DIR_ENV = "SATUPEKERJA_WAREHOUSE_DIR"
WEB_DB_ENV = "SATUPEKERJA_WEB_DB"
# Two steps at once at most: the machine has two cores and each step is single-threaded pandas work.
MAX_CONCURRENT_STEPS = 2


def env_or_default(name: str) -> dg.EnvVar | None:
    """``EnvVar(name)`` when the variable is set, else ``None`` (the resource's default)."""
    return dg.EnvVar(name) if os.environ.get(name) else None


def definitions_in(module_name: str, kind: type) -> list:
    """Every ``kind`` defined in ``module_name``, or none while the module does not exist.

    Schedules and sensors are written in their own modules by operations; the code location picks up
    whatever they define without this file naming each one.
    """
    if importlib.util.find_spec(module_name) is None:
        return []
    return [value for value in vars(importlib.import_module(module_name)).values() if isinstance(value, kind)]


defs = dg.Definitions(
    assets=build_all_assets(),
    jobs=[satupekerja_nightly],
    executor=dg.multiprocess_executor.configured({"max_concurrent": MAX_CONCURRENT_STEPS}),
    schedules=definitions_in("pipelines.schedules", dg.ScheduleDefinition),
    sensors=definitions_in("pipelines.sensors", dg.SensorDefinition),
    resources={
        "io_manager": ParquetIOManager(base_dir=env_or_default(ASSET_STORAGE_ENV)),
        "source_inbox": SourceInbox(data_dir=env_or_default(DATA_DIR_ENV)),
        "warehouse": WarehouseResource(root=env_or_default(WAREHOUSE_DIR_ENV)),
        "publication_guards": PublicationGuards(),
        "web_database": WebDatabase(url=env_or_default(WEB_DB_ENV)),
    },
)
