"""CSV/Excel reading speed: best CPU time of N reads of each file source of a generated sample, and rows per second.

.venv/bin/python -m benchmarks.reader_bench [--persons 50000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

import data_contracts
from sample_data.generate import generate

SOURCES = ("bpjs_kesehatan", "bpjs_ketenagakerjaan", "umkm", "pedagang_pasar", "komunitas")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    contracts = data_contracts.load_contracts()
    with tempfile.TemporaryDirectory() as folder:
        generate(persons=args.persons, seed=args.seed, out_dir=Path(folder), as_of=dt.date(2026, 11, 20))
        for source in SOURCES:
            best, rows = float("inf"), 0
            for _ in range(args.repeat):
                started = time.process_time()
                rows = len(data_contracts.read_source(contracts[source], Path(folder)).frame)
                best = min(best, time.process_time() - started)
            print(f"{source:<24}{rows:>9,} rows  best {best * 1000:8.1f} ms  {rows / best:>12,.0f} rows/s")


if __name__ == "__main__":
    main()
