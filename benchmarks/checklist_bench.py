"""How long ``satupekerja check-list`` takes, and its peak memory, on a generated registry, with the registry's
matching features published (``matching_features``) and without.

    python benchmarks/checklist_bench.py [--persons 50000] [--seed 7] [--rows 200] [--repeats 2]
        [--before-code /work/main] [--build-only]

Generates the sample (``sample_data.generate``), reads and standardises every source with the data contracts,
links (keeping the features, as the night does), assigns worker ids, unifies and publishes one snapshot with
``person_records``, ``matching_model`` and ``matching_features`` (Great Expectations validation skipped: it does
not change the published tables). The warehouse is kept under ``benchmarks/out/checklist_bench_<persons>_<seed>/``
and reused. A community list of ``--rows`` rows (three quarters registry workers written as a community writes
them, a quarter strangers) is checked by the real CLI in a fresh process per run:

- ``after``: this tree's code: the published model and features, features computed for the list's rows only;
- ``fallback``: this tree's code with the features declared as made under other settings (the registry's
  features computed again from ``person_records``, as when a snapshot has none);
- ``before`` (with ``--before-code``, a checkout without published features, e.g. ``/work/main``): the code
  before this change, which computed the features of the whole registry at every call.

Prints wall time (process start to exit, imports included), CPU time (user + system: less sensitive to the other
work on a shared machine than wall time) and peak RSS per run, and the load average.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import pandas as pd  # noqa: E402

AS_OF = dt.date(2026, 11, 1)

#: Run in a fresh interpreter: the CLI on one list, then its wall time and peak RSS as JSON on the last line.
RUNNER = """
import json, resource, sys, time
started = time.perf_counter()
from satupekerja.staff.cli import app
try:
    app(sys.argv[1:], standalone_mode=False)
finally:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"seconds": time.perf_counter() - started, "cpu": usage.ru_utime + usage.ru_stime,
                      "peak_mb": usage.ru_maxrss / 1024}))
"""


def build_warehouse(persons: int, seed: int, root: Path) -> None:
    import data_contracts
    from assets.matching import matching_features_frame
    from data_contracts.contract import default_role_book
    from data_contracts.matching_settings import load_matching_settings
    from data_contracts.roles import load_employment_model
    from matching import link_records, model_to_dict, settings_fingerprint
    from matching.normalize import RegionResolver
    from matching.stable_ids import assign_worker_ids
    from sample_data.generate import generate
    from satupekerja.publishing import tables
    from satupekerja.publishing.warehouse import RESTRICTED, Warehouse
    from satupekerja.registry.unify import build_unified_workers

    started = time.perf_counter()
    data_dir = root.parent / (root.name + "_sources")
    generate(persons, seed, data_dir, AS_OF)
    print(f"  generated {persons:,} persons in {time.perf_counter() - started:.0f} s", flush=True)
    resolver = RegionResolver(data_contracts.load_region_reference())
    frames = []
    for source, contract in data_contracts.load_contracts().items():
        raw = data_contracts.read_source(contract, data_dir)
        report = data_contracts.ValidationReport(source=source)
        frames.append(data_contracts.standardise(contract, raw, report, AS_OF, resolver).records)
    records = pd.concat(frames, ignore_index=True)
    print(f"  standardised {len(records):,} source records at {time.perf_counter() - started:.0f} s", flush=True)
    settings = load_matching_settings()
    settings_hash = settings_fingerprint(settings)
    result = link_records(records, settings, keep_features=True)
    ids, _history = assign_worker_ids(result.links.rename(columns={"cluster_id": "cluster"}), None, None, AS_OF)
    links = ids.merge(result.links[["record_id", "confidence"]], on="record_id")
    # The shipped contracts' roles and employment model, as the benchmark's shipped matching settings.
    unified = build_unified_workers(records, links, AS_OF, default_role_book(), load_employment_model())
    unified = unified.assign(snapshot_date=pd.Timestamp(AS_OF))
    model = model_to_dict(result.model, settings_hash)
    warehouse = Warehouse(root)
    staged = warehouse.stage(AS_OF, "checklist-bench")
    staged.write(tables.UNIFIED_WORKERS, unified, RESTRICTED)
    staged.write(tables.WORKER_LINKS, links, RESTRICTED)
    staged.write(tables.PERSON_RECORDS, records, RESTRICTED)
    staged.write(
        tables.MATCHING_MODEL,
        pd.DataFrame({"settings_hash": [settings_hash], "model_json": [json.dumps(model)]}),
        RESTRICTED,
    )
    staged.write(tables.MATCHING_FEATURES, matching_features_frame(result.features, settings_hash), RESTRICTED)
    warehouse.publish(staged)
    print(f"  published {len(unified):,} workers at {time.perf_counter() - started:.0f} s", flush=True)


def write_list(root: Path, rows: int, seed: int) -> Path:
    from satupekerja.publishing import tables
    from satupekerja.publishing.warehouse import RESTRICTED, Warehouse

    unified = Warehouse(root).read(tables.UNIFIED_WORKERS, tier=RESTRICTED)
    known = unified[unified["phone"].notna() & unified["birth_date"].notna() & unified["name"].notna()]
    known = known.sample(rows - rows // 4, random_state=seed)
    rng = random.Random(seed)
    strangers = [f"{rng.choice(['Zul', 'Theo', 'Marlina', 'Ucok'])} Benchmark{k} Siregar" for k in range(rows // 4)]
    frame = pd.DataFrame(
        {
            "Nama Lengkap": [*known["name"].str.title(), *strangers],
            "No. WA": [
                *known["phone"].str.replace(r"^62", "0", regex=True),
                *["0899" + f"{k:08d}" for k in range(len(strangers))],
            ],
            "Tgl Lahir": [*known["birth_date"].dt.strftime("%d-%m-%Y"), *["01-01-1950"] * len(strangers)],
        }
    )
    path = root.parent / f"{root.name}_daftar.csv"
    frame.to_csv(path, index=False)
    return path


def other_settings_copy(root: Path) -> Path:
    """A copy of the warehouse whose published features claim other settings (the fallback path)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from satupekerja.publishing import tables
    from satupekerja.publishing.warehouse import RESTRICTED, Warehouse

    copy = root.parent / f"{root.name}_other_settings"
    if not copy.exists():
        shutil.copytree(root, copy)
        manifest = json.loads((copy / "_manifest.json").read_text())
        manifest_text = json.dumps(manifest).replace(str(root), str(copy))
        (copy / "_manifest.json").write_text(manifest_text)
        for path in Warehouse(copy).published_files(tables.MATCHING_FEATURES, tier=RESTRICTED):
            table = pq.read_table(path)
            index = table.schema.get_field_index("settings_hash")
            table = table.set_column(index, "settings_hash", pa.array(["0000000000000000"] * len(table)))
            pq.write_table(table, path)
    return copy


def run(code: Path, warehouse: Path, daftar: Path, work: Path) -> dict:
    env = {  # the CLI's settings for this run only (no variable of this process is read or changed)
        "HOME": str(work),
        "PYTHONPATH": str(code),
        "SATUPEKERJA_WAREHOUSE_DIR": str(warehouse),
        "SATUPEKERJA_AUDIT_LOG": str(work / "audit.jsonl"),
        "SATUPEKERJA_EXPORT_DIR": str(work),
    }
    out = work / "hasil.csv"
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, "check-list", str(daftar), "--out", str(out)],
        env=env,
        cwd=code,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"check-list failed ({code}):\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["wall"] = time.perf_counter() - started
    checked = pd.read_csv(out, dtype="str", encoding="utf-8-sig")
    figures["found"] = int(checked["ID Pekerja"].notna().sum())
    figures["notes"] = [line for line in done.stdout.splitlines() if "dihitung ulang" in line or "dilatih" in line]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--before-code", type=Path, default=None)
    parser.add_argument("--build-only", action="store_true")
    args = parser.parse_args()
    root = REPO / "benchmarks" / "out" / f"checklist_bench_{args.persons}_{args.seed}"
    if not (root / "_manifest.json").exists():
        print(f"building the warehouse in {root}", flush=True)
        build_warehouse(args.persons, args.seed, root)
    if args.build_only:
        return
    daftar = write_list(root, args.rows, args.seed)
    modes = [("after", REPO, root), ("fallback", REPO, other_settings_copy(root))]
    if args.before_code is not None:
        modes.append(("before", args.before_code.resolve(), root))
    print(f"load average before: {os.getloadavg()}", flush=True)
    for name, code, warehouse in modes:
        for _ in range(args.repeats):
            with tempfile.TemporaryDirectory() as work:
                figures = run(code, warehouse, daftar, Path(work))
            print(
                f"{name:8s} {figures['wall']:6.1f} s wall ({figures['seconds']:.1f} s in process, "
                f"{figures['cpu']:.1f} s CPU), "
                f"peak RSS {figures['peak_mb']:,.0f} MB, {figures['found']}/{args.rows} rows found; "
                f"load {os.getloadavg()[0]:.1f}" + (f"; notes: {len(figures['notes'])}" if figures["notes"] else ""),
                flush=True,
            )


if __name__ == "__main__":
    main()
