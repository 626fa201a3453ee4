"""The nightly's memory hooks: an in-process run forgets each step's returned frames once they are stored."""

from __future__ import annotations

import os
import weakref

import dagster as dg
import pandas as pd
import pytest

from assets.matching import empty_stored_frame
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


def test_table_metadata_keeps_no_reference_to_the_frame():
    """Dagster keeps the locals of the first caller of a record's constructor: run in a fresh interpreter, where
    ``table_metadata`` is that first caller."""
    import subprocess
    import sys
    import textwrap

    code = textwrap.dedent(
        """
        import gc, weakref
        import pandas as pd
        from assets.metadata import table_metadata

        class Frame(pd.DataFrame):
            'A DataFrame that a weak reference can follow.'

        frame = Frame({"a": [1, 2]})
        seen = weakref.ref(frame)
        table_metadata(frame)
        del frame
        gc.collect()
        print("kept" if seen() is not None else "released")
        """
    )
    from satupekerja.settings import REPO_ROOT

    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    assert result.stdout.strip().splitlines()[-1] == "released"


def test_a_frame_handed_out_mid_step_is_stored_whole_then_freed(tmp_path):
    """A multi-output step that yields a frame, then empties it (``empty_stored_frame``) before its heavy work:
    the stored copy is whole, and nothing Dagster keeps during the step still holds the frame's columns."""
    import gc

    import numpy as np

    seen: dict = {}

    @dg.multi_asset(outs={"early": dg.AssetOut(), "late": dg.AssetOut()}, can_subset=False)
    def handed_out_early():
        frame = pd.DataFrame({"a": np.arange(100_000), "b": np.arange(100_000) * 2})
        seen["block"] = weakref.ref(frame._mgr.blocks[0].values)
        yield dg.MaterializeResult(asset_key="early", value=frame)
        empty_stored_frame(frame)
        del frame
        gc.collect()
        seen["kept during the step"] = seen["block"]() is not None
        yield dg.MaterializeResult(asset_key="late", value=pd.DataFrame({"c": [1, 2]}))

    job = dg.define_asset_job("job", hooks=release_memory_hooks)
    defs = dg.Definitions(
        assets=[handed_out_early], jobs=[job], resources={"io_manager": ParquetIOManager(base_dir=str(tmp_path))}
    )
    assert defs.resolve_job_def("job").execute_in_process().success
    assert seen["kept during the step"] is False
    stored = pd.read_parquet(tmp_path / "early" / "data.parquet")
    assert stored["b"].tolist() == [2 * value for value in range(100_000)]
