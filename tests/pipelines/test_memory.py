"""The nightly's memory hooks: an in-process run forgets each step's returned frames once they are stored."""

from __future__ import annotations

import weakref

import dagster as dg
import pandas as pd
import pytest

from pipelines.io_managers import ParquetIOManager
from pipelines.memory import release_memory_hooks


class Frame(pd.DataFrame):
    """A DataFrame that can be weakly referenced (to see whether anything still holds it)."""

    @property
    def _constructor(self):
        return Frame


def run_job(tmp_path, produced_frames: list):
    @dg.asset
    def produced() -> pd.DataFrame:
        frame = Frame({"a": range(1000)})
        produced_frames.append(weakref.ref(frame))
        return frame

    @dg.asset
    def consumed(produced: pd.DataFrame) -> pd.DataFrame:
        return produced.assign(b=produced["a"] * 2)

    job = dg.define_asset_job("job", hooks=release_memory_hooks)
    defs = dg.Definitions(
        assets=[produced, consumed], jobs=[job], resources={"io_manager": ParquetIOManager(base_dir=str(tmp_path))}
    )
    return defs.resolve_job_def("job").execute_in_process()


def test_returned_frames_are_not_kept_for_the_run(tmp_path):
    produced_frames: list = []
    result = run_job(tmp_path, produced_frames)
    assert result.success
    # Without the hook Dagster keeps every returned value until the run ends (and in the result after it).
    assert produced_frames[0]() is None
    with pytest.raises(dg.DagsterInvariantViolationError):
        result.output_for_node("produced")


def test_downstream_steps_still_read_their_inputs_from_storage(tmp_path):
    result = run_job(tmp_path, [])
    assert result.success
    stored = pd.read_parquet(tmp_path / "consumed" / "data.parquet")
    assert stored["b"].tolist() == [2 * value for value in range(1000)]
