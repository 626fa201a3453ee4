"""Give memory back after every step, so a night's peak is its largest step and not the sum of its steps.

A step's frames are garbage once its outputs are stored, but the process keeps their pages: CPython's
allocator and glibc's ``malloc`` keep freed memory for reuse, and Arrow's pool (where pandas keeps text
columns) does the same. Run in process (``make run``), every step shares one process, so without a release
each step starts from the high-water mark of the one before. :func:`release_memory` collects garbage and
asks Arrow's pool and glibc to return free pages to the system; the job calls it after every step (success
or failure) through :data:`release_memory_hooks`. It changes no data.

Before that, the hook lets go of the step's outputs that Dagster keeps for the run's result:
``execute_in_process`` (``make run``, the benchmark) records every value an asset returns in a dictionary, so
that ``result.output_for_node`` can hand it back, for the whole run. Every frame of the night (standardised
sources, person records, pairs, features, unified workers...) therefore stayed resident until the run ended:
about 0.9 GB at 200,000 people before matching started. The values are already stored by the IO manager
(steps load their inputs from Parquet, never from that dictionary), so dropping them loses nothing; the
nightly's result then answers ``output_for_node`` with an error instead of the frame (read the asset from
storage instead). Other executors (a run launched from the UI) keep no such dictionary.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc

import dagster as dg


@functools.cache
def _malloc_trim():
    """glibc's ``malloc_trim``, or None where the C library has none (musl, macOS)."""
    library = ctypes.util.find_library("c")
    if library is None:
        return None
    trim = getattr(ctypes.CDLL(library), "malloc_trim", None)
    if trim is not None:
        trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


def forget_captured_outputs(context: dg.HookContext) -> int:
    """Drop the step's returned values from what an in-process run keeps for its result; returns how many.

    Dagster offers no public way to turn that capture off for ``execute_in_process``; the dictionaries are
    reached through the hook's step context, and when a Dagster version names them otherwise this does
    nothing (``tests/pipelines/test_memory.py`` then fails, so the upgrade is noticed).
    """
    step_context = getattr(context, "_step_execution_context", None)
    dropped = 0
    for name in ("output_capture", "step_output_capture"):
        capture = getattr(step_context, name, None)
        if not isinstance(capture, dict):
            continue
        for handle in [handle for handle in capture if getattr(handle, "step_key", None) == context.step_key]:
            del capture[handle]
            dropped += 1
    return dropped


def release_memory() -> None:
    """Collect garbage, then return free memory held by Arrow's pool and by ``malloc`` to the system."""
    gc.collect()
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@dg.success_hook(name="release_memory_after_success")
def _after_success(context: dg.HookContext) -> None:
    forget_captured_outputs(context)
    release_memory()


@dg.failure_hook(name="release_memory_after_failure")
def _after_failure(context: dg.HookContext) -> None:
    forget_captured_outputs(context)
    release_memory()


release_memory_hooks = {_after_success, _after_failure}
