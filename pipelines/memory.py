"""Give memory back after every step, so a night's peak is its largest step and not the sum of its steps.

A step's frames are garbage once its outputs are stored, but the process keeps their pages: CPython's
allocator and glibc's ``malloc`` keep freed memory for reuse, and Arrow's pool (where pandas keeps text
columns) does the same. Run in process (``make run``), every step shares one process, so without a release
each step starts from the high-water mark of the one before. :func:`release_memory` collects garbage and
asks Arrow's pool and glibc to return free pages to the system; the job calls it after every step (success
or failure) through :data:`release_memory_hooks`. It changes no data.
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


def release_memory() -> None:
    """Collect garbage, then return free memory held by Arrow's pool and by ``malloc`` to the system."""
    gc.collect()
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@dg.success_hook(name="release_memory_after_success")
def _after_success(_context: dg.HookContext) -> None:
    release_memory()


@dg.failure_hook(name="release_memory_after_failure")
def _after_failure(_context: dg.HookContext) -> None:
    release_memory()


release_memory_hooks = {_after_success, _after_failure}
