"""CPU seconds of ``build_unified_workers`` per sub-stage on a kept night, and its output against the kept one.

Usage::

    python benchmarks/pipeline_bench.py --people 200000 --data-dir /tmp/inbox --keep-run /tmp/run200k
    python benchmarks/unify_bench.py /tmp/run200k/people_200000_seed_42 --check
    flock /tmp/big.lock nice -n 10 python benchmarks/unify_bench.py /tmp/run2m/people_2000000_seed_42 --check

Reads the kept ``person_records`` (the columns the asset reads) and ``worker_links`` of the snapshot, calls
``build_unified_workers`` as the ``unified_workers`` asset does (the contracts' roles, the shipped employment
model) and prints its CPU seconds (user + system, ``time.process_time``) with the system part and the
process's resident memory, in total and per sub-stage (each stage's function timed where it is called; nested
stages are inside their caller's figure). ``--check`` writes the result to Parquet as the IO manager does, reads
it back and compares it exactly with the kept ``unified_workers``; ``--profile FILE`` writes a cProfile.
Compare versions by CPU seconds: wall seconds stretch with the machine's load.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import resource
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd

import satupekerja.registry.coverage as coverage
import satupekerja.registry.unify as unify
from assets.resources import DEFAULT_EMPLOYMENT_MODEL
from data_contracts.contract import load_contracts
from data_contracts.roles import RoleBook, load_employment_model
from satupekerja.publishing.stored import read_parquet_frame

STAGES: tuple[tuple[ModuleType, str], ...] = (
    (unify, "link_records"),
    (unify, "_identity_values"),
    (unify, "_latest_values"),
    (unify, "_residence_block"),
    (unify, "_linked_record_summary"),
    (unify, "_match_confidence"),
    (unify, "_fill_sector_from_occupation"),
    (unify, "add_coverage_flags"),
    (coverage, "tk_status"),
    (coverage, "jkn_membership"),
    (coverage, "employment_type"),
    (coverage, "employment_evidence"),
    (coverage, "informal_probability"),
    (coverage, "join_strings"),
    (coverage, "_uncovered"),
    (coverage, "_outreach"),
)


def resident_mb() -> int:
    with open("/proc/self/status") as status:
        return int(status.read().split("VmRSS:")[1].split()[0]) // 1024


class Meter:
    """CPU (and its system part) and the peak resident memory of each timed stage (sampled every 5 ms)."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = {}
        self.system: dict[str, float] = {}
        self.peak: dict[str, int] = {}
        self._highest = 0
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self) -> None:
        while True:
            self._highest = max(self._highest, resident_mb())
            time.sleep(0.005)

    def wrap(self, module: ModuleType, name: str) -> None:
        function: Callable[..., Any] = getattr(module, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            cpu, system, outer = time.process_time(), os.times().system, self._highest
            self._highest = resident_mb()
            try:
                return function(*args, **kwargs)
            finally:
                self.cpu[name] = self.cpu.get(name, 0.0) + time.process_time() - cpu
                self.system[name] = self.system.get(name, 0.0) + os.times().system - system
                self.peak[name] = max(self.peak.get(name, 0), self._highest)
                self._highest = max(outer, self._highest)

        setattr(module, name, timed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run", type=Path, help="a kept night: pipeline_bench's --keep-run DIR/people_N_seed_S")
    parser.add_argument("--snapshot", default="2026-11-21", help="the night's partition (pipeline_bench's date)")
    parser.add_argument("--check", action="store_true", help="compare the result with the kept unified_workers")
    parser.add_argument("--profile", type=Path, help="write a cProfile of build_unified_workers to this file")
    args = parser.parse_args()

    def stored(asset: str) -> Path:
        return args.run / "storage" / asset / f"snapshot_date={args.snapshot}" / "data.parquet"

    roles = RoleBook.from_contracts(load_contracts())
    model = load_employment_model(DEFAULT_EMPLOYMENT_MODEL)
    started = time.process_time()
    records = read_parquet_frame(stored("person_records"), unify.person_record_columns(roles))
    links = read_parquet_frame(stored("worker_links"))
    print(f"read: {time.process_time() - started:.2f} CPU s, {resident_mb():,} MB resident", flush=True)

    meter = Meter()
    for module, name in STAGES:
        meter.wrap(module, name)
    before, cpu, system = resident_mb(), time.process_time(), os.times().system
    profile = cProfile.Profile() if args.profile else None
    if profile:
        profile.enable()
    unified = unify.build_unified_workers(records, links, dt.date.fromisoformat(args.snapshot), roles, model)
    if profile:
        profile.disable()
        profile.dump_stats(args.profile)
    total, total_system = time.process_time() - cpu, os.times().system - system
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(
        f"build_unified_workers: {total:.2f} CPU s (system {total_system:.2f}); {before:,} MB before, peak {peak:,} MB"
    )
    for _, name in STAGES:
        if name in meter.cpu:
            print(
                f"  {name:30s} {meter.cpu[name]:7.2f} CPU s (system {meter.system[name]:6.2f}), "
                f"peak {meter.peak[name]:,} MB"
            )
    if args.check:
        with tempfile.TemporaryDirectory() as folder:
            written = Path(folder) / "unified_workers.parquet"
            unified.to_parquet(written, engine="pyarrow", index=False)
            pd.testing.assert_frame_equal(read_parquet_frame(written), read_parquet_frame(stored("unified_workers")))
        print("unified_workers: identical to the kept night's")


if __name__ == "__main__":
    main()
