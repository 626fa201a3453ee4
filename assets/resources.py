"""Resources the source assets need. Values come from environment variables through ``pipelines.definitions``."""

from __future__ import annotations

import dagster as dg
from pydantic import Field


class SourceInbox(dg.ConfigurableResource):
    """Where the agencies' files are read from: the root the contracts' relative paths resolve against."""

    data_dir: str | None = Field(
        default=None,
        description=(
            "Source inbox folder. Default: `data_contracts.data_dir()`, i.e. `$SATUPEKERJA_DATA_DIR` or "
            "`sample_data/demo`. Per-source overrides (`SATUPEKERJA_SOURCE_<SOURCE>_PATH`/`_URL`) still apply."
        ),
    )
