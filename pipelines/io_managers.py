"""Parquet storage for asset values: one file per asset and snapshot-date partition.

Layout: ``<base_dir>/<asset key path>/snapshot_date=<YYYY-MM-DD>/data.parquet`` (hive-style, so DuckDB and
pyarrow read a whole asset with ``hive_partitioning``). Unpartitioned assets go to
``<base_dir>/<asset key path>/data.parquet``.

These files are working storage, not the analyst-facing warehouse: they hold personal data (standardised
records, quarantined rows, links), so folders are created ``0700`` and files ``0600``. Files are written to a
temporary name and renamed, so a failed run never leaves a half-written partition that a later run would read.
Dtypes survive the round trip through pyarrow's pandas metadata: pandas ``str`` columns, ``datetime64``,
``int64``, ``bool``, ``float64``, categoricals, and nested columns (as ``pd.ArrowDtype``).

An input whose ``AssetIn`` metadata is :data:`~satupekerja.publishing.stored.LOAD_WHEN_USED` is not read here:
the step gets a :class:`~satupekerja.publishing.stored.StoredFrame` and reads it table by table (publication).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import dagster as dg
import pandas as pd
from pydantic import Field

from satupekerja.publishing.stored import LOAD_WHEN_USED, LOAD_WHEN_USED_KEY, StoredFrame, read_parquet_frame

PARTITION_COLUMN = "snapshot_date"
FILE_NAME = "data.parquet"


class ParquetIOManager(dg.ConfigurableIOManager):
    """Stores DataFrame outputs as Parquet and loads them back with their dtypes."""

    base_dir: str | None = Field(
        default=None,
        description=(
            "Root folder of asset storage. Default: the Dagster instance's storage folder "
            "(`$DAGSTER_HOME/storage`) + `/assets`; a temporary folder for ephemeral instances."
        ),
    )

    def handle_output(self, context: dg.OutputContext, obj: pd.DataFrame) -> None:
        if not isinstance(obj, pd.DataFrame):
            raise TypeError(
                f"{context.asset_key.to_user_string()}: ParquetIOManager stores pandas DataFrames, "
                f"got {type(obj).__name__}"
            )
        path = self._path(context)
        _write_parquet_atomically(obj, path)
        context.add_output_metadata(
            {
                "dagster/uri": dg.MetadataValue.path(str(path)),
                "stored_bytes": dg.MetadataValue.int(path.stat().st_size),
            }
        )

    def load_input(self, context: dg.InputContext) -> pd.DataFrame | StoredFrame:
        """The stored frame; for an input declared with ``LOAD_WHEN_USED`` metadata, a :class:`StoredFrame`
        the step reads when (and as far as) it needs it."""
        path = self._path(context)
        if not path.exists():
            raise FileNotFoundError(
                f"{context.asset_key.to_user_string()}: no stored value at {path}; materialise it for this "
                "partition first"
            )
        if (context.definition_metadata or {}).get(LOAD_WHEN_USED_KEY) == LOAD_WHEN_USED[LOAD_WHEN_USED_KEY]:
            return StoredFrame(path)
        return read_parquet_frame(path)

    def _root(self, context: dg.OutputContext | dg.InputContext) -> Path:
        if self.base_dir:
            return Path(self.base_dir)
        instance = context.instance if isinstance(context, dg.InputContext) else context.step_context.instance
        return Path(instance.storage_directory()) / "assets"

    def _path(self, context: dg.OutputContext | dg.InputContext) -> Path:
        folder = self._root(context).joinpath(*context.asset_key.path)
        partition_key = self._single_partition(context)
        if partition_key is not None:
            folder = folder / f"{PARTITION_COLUMN}={partition_key}"
        return folder / FILE_NAME

    @staticmethod
    def _single_partition(context: dg.OutputContext | dg.InputContext) -> str | None:
        """The one partition this step reads or writes; every asset here maps partitions one to one."""
        if not context.has_asset_partitions:
            return None
        keys = list(context.asset_partition_keys)
        if len(keys) != 1:
            raise dg.DagsterInvariantViolationError(
                f"{context.asset_key.to_user_string()}: ParquetIOManager handles one snapshot date per step, "
                f"got {len(keys)}"
            )
        return keys[0]


def _write_parquet_atomically(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".parquet")
    os.close(handle)
    try:
        frame.to_parquet(temporary, engine="pyarrow", index=False)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
