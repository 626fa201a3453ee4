"""Resources the assets share: the source inbox and the warehouse. Values come from environment variables through ``pipelines.definitions``."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
from pydantic import Field

from satupekerja.publishing.warehouse import Warehouse


class SourceInbox(dg.ConfigurableResource):
    """Where the agencies' files are read from: the root the contracts' relative paths resolve against."""

    data_dir: str | None = Field(
        default=None,
        description=(
            "Source inbox folder. Default: `data_contracts.data_dir()`, i.e. `$SATUPEKERJA_DATA_DIR` or "
            "`sample_data/demo`. Per-source overrides (`SATUPEKERJA_SOURCE_<SOURCE>_PATH`/`_URL`) still apply."
        ),
    )
    read_retries: int = Field(
        default=2,
        ge=0,
        description="How often a transient read failure (database connection, network share I/O) is retried.",
    )
    read_retry_seconds: float = Field(
        default=60.0, ge=0, description="Wait before each retry of a transient read failure (seconds)."
    )


class WarehouseResource(dg.ConfigurableResource):
    """The analyst warehouse the night publishes into."""

    root: str | None = Field(
        default=None,
        description="Warehouse folder. Default: `$SATUPEKERJA_WAREHOUSE_DIR`, else `<repo>/warehouse`.",
    )

    def get(self) -> Warehouse:
        return Warehouse(Path(self.root) if self.root else None)
