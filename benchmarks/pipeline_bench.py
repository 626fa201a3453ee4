"""Benchmark of the whole nightly pipeline, stage by stage, on generated Depok data of growing size.

Usage::

    python benchmarks/pipeline_bench.py --people 200000
    python benchmarks/pipeline_bench.py --people 200000 1000000 --seed 42
    python benchmarks/pipeline_bench.py --people 200000 --data-dir /tmp/inbox_200k   # keep/reuse the inbox

Per size:

1. the project's generator (``sample_data.generate``) writes N synthetic people in every source's native
   format (SQLite, CSV in three encodings and separators, an Excel workbook with three sheets, community
   Excel lists) into a folder (a temporary one unless ``--data-dir`` names one; an inbox already generated
   there with the same people, seed and date is reused);
2. a fresh process runs the whole ``satupekerja_nightly`` job in process (as ``make run`` does) against a fresh
   Dagster instance (a new ``DAGSTER_HOME`` with the repository's ``dagster.yaml``), fresh asset storage and
   a fresh warehouse;
3. while it runs, this process samples the child's resident memory (``/proc/<pid>/status``) and the CPU time
   it has used (``/proc/<pid>/stat``, user + system, all threads) every 10 ms;
   the child reports when each stage started and ended.

Printed per stage: wall seconds and the peak resident memory of the pipeline process during the stage (the
process total, so it includes what earlier stages still hold) and the memory when the stage first started, then the whole run's wall time, its peak
memory (``ru_maxrss`` of the process, exact) and source records per second; then the figures that must not
change when the code gets faster (people linked, pairs scored, review queue, uncovered informal workers) and
a digest of every published table, to compare two runs on the same seed.

Stages: ``read`` (``data_contracts.read_source``), ``validate`` (``validate_source``: the contract's GX
suite), ``standardise`` (``standardise``), ``store sources`` (the rest of the ingest steps: the Parquet writes
of ``standard_``/``quarantine_`` and their metadata), ``stack`` (``person_records``), ``match``
(``link_person_records``: the engine and stable ids), ``unify`` (``unified_workers``), ``flag``
(``uncovered_informal_workers`` and ``coverage_by_area``), ``validate outputs`` (the output-contract guard),
``publish`` (the rest of ``publish_snapshot``: loading its inputs, guards, privacy tiers, the atomic
publication), ``release memory`` (the job's hook returning freed memory after each step) and ``dagster`` (the
run's own bookkeeping between steps). Stage times are measured inside
the run, so the Parquet loads of a step's inputs count in that step.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import multiprocessing
import os
import resource
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's code first (the one measured)

from satupekerja.publishing import tables  # names only: imports nothing else
from satupekerja.settings import REPO_ROOT  # the standard library only

AS_OF = dt.date(2026, 11, 21)
DEFAULT_SEED = 42
SAMPLE_SECONDS = 0.01
STAGES = (
    "read",
    "validate",
    "standardise",
    "store sources",
    "stack",
    "match",
    "unify",
    "flag",
    "validate outputs",
    "publish",
    "release memory",
    "dagster",
)
#: Functions timed inside the run: (module, attribute) -> stage. The assets look these up at call time.
TIMED_FUNCTIONS = {
    ("data_contracts", "read_source"): "read",
    ("data_contracts", "validate_source"): "validate",
    ("data_contracts", "standardise"): "standardise",
    ("assets.publication", "output_contracts_guard"): "validate outputs",
    ("pipelines.memory", "release_memory"): "release memory",
}
#: Dagster steps -> stage (ingest steps are split into read/validate/standardise/store sources).
STEP_STAGES = {
    tables.PERSON_RECORDS: "stack",
    "link_person_records": "match",
    tables.UNIFIED_WORKERS: "unify",
    tables.UNCOVERED_INFORMAL_WORKERS: "flag",
    tables.COVERAGE_BY_AREA: "flag",
    "publish_snapshot": "publish",
}


# -- generating -----------------------------------------------------------------------------------------------


def _generate(people: int, seed: int, folder: str, connection) -> None:
    """Child process: generate and write the inbox; send back seconds and peak memory."""
    from sample_data.generate import generate_frames, write_sources

    started = time.perf_counter()
    data = generate_frames(people, seed, AS_OF)
    drawn = time.perf_counter()
    manifest = write_sources(data, Path(folder))
    connection.send(
        {
            "draw_seconds": drawn - started,
            "write_seconds": time.perf_counter() - drawn,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "records": manifest["records_total"],
        }
    )


def ensure_inbox(people: int, seed: int, folder: Path) -> dict:
    """Generate the inbox in a fresh process unless ``folder`` already holds this exact generation."""
    manifest_path = folder / "manifest.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        if (manifest.get("persons"), manifest.get("seed"), manifest.get("as_of")) == (people, seed, AS_OF.isoformat()):
            return {"reused": True, "records": manifest["records_total"], "manifest": manifest}
        raise SystemExit(
            f"{folder} holds another generation ({manifest.get('persons')} people, seed "
            f"{manifest.get('seed')}): choose an empty folder"
        )
    folder.mkdir(parents=True, exist_ok=True)
    result = _run_child(_generate, (people, seed, str(folder)), sample=False)
    result["manifest"] = json.loads(manifest_path.read_text())
    return result


# -- running the pipeline ---------------------------------------------------------------------------------------


def _run_pipeline(inbox: str, work: str, connection) -> None:
    """Child process: the whole nightly job in process on a fresh instance; send back stage intervals."""
    work_dir = Path(work)
    home = work_dir / "dagster_home"
    home.mkdir(parents=True)
    shutil.copyfile(REPO_ROOT / "dagster.yaml", home / "dagster.yaml")
    from satupekerja.settings import Settings

    settings = Settings.from_env().replace(
        data_dir=Path(inbox),
        asset_storage_dir=work_dir / "storage",
        warehouse_dir=work_dir / "warehouse",
        dagster_home=home,
    )
    started = time.time()
    import importlib

    intervals: list[tuple[str, float, float]] = []
    for (module_name, attribute), stage in TIMED_FUNCTIONS.items():
        module = importlib.import_module(module_name)
        setattr(module, attribute, _timed(getattr(module, attribute), stage, intervals))

    from dagster import DagsterEventType, DagsterInstance

    from pipelines.definitions import build_definitions
    from pipelines.jobs import NIGHTLY_JOB_NAME

    defs = build_definitions(settings)
    imported = time.time()
    with DagsterInstance.from_config(str(home)) as instance:
        run_started = time.time()
        result = defs.resolve_job_def(NIGHTLY_JOB_NAME).execute_in_process(
            instance=instance,
            partition_key=AS_OF.isoformat(),
            run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
            raise_on_error=False,
        )
        run_ended = time.time()
        steps: dict[str, list[float]] = {}
        for entry in instance.all_logs(result.run_id):
            event = entry.dagster_event
            if event is None or not entry.step_key:
                continue
            if event.event_type == DagsterEventType.STEP_START:
                steps.setdefault(entry.step_key, [entry.timestamp, entry.timestamp])[0] = entry.timestamp
            elif event.event_type in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE):
                steps.setdefault(entry.step_key, [entry.timestamp, entry.timestamp])[1] = entry.timestamp
        failed = [event.step_key for event in result.all_events if event.event_type == DagsterEventType.STEP_FAILURE]
    connection.send(
        {
            "success": result.success,
            "failed_steps": failed,
            "started": started,
            "imported": imported,
            "run_started": run_started,
            "run_ended": run_ended,
            "intervals": intervals,
            "steps": steps,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    )


def _timed(function, stage: str, intervals: list):
    def timed(*args, **kwargs):
        start = time.time()
        try:
            return function(*args, **kwargs)
        finally:
            intervals.append((stage, start, time.time()))

    timed.__wrapped__ = function
    return timed


def _run_child(target, args: tuple, *, sample: bool, max_mb: float | None = None) -> dict:
    """Run ``target(*args, connection)`` in a fresh (spawned) process; sample its memory while it runs.

    With ``max_mb``, the child is killed as soon as its resident memory exceeds it (a shared machine)."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=target, args=(*args, sender))
    process.start()
    samples: list[tuple[float, float]] = []
    cpu_samples: list[tuple[float, float]] = []
    stop = threading.Event()
    sampler = threading.Thread(
        target=_sample_memory, args=(process.pid, samples, stop, max_mb, cpu_samples), daemon=True
    )
    if sample:
        sampler.start()
    result = None
    while process.is_alive() or receiver.poll():
        if receiver.poll(0.2):
            result = receiver.recv()
            break
    process.join()
    stop.set()
    if sample:
        sampler.join()
    if result is None:
        reached = max((rss for _, rss in samples), default=0.0)
        elapsed = samples[-1][0] - samples[0][0] if samples else 0.0
        raise ChildDied(
            f"the process died (exit code {process.exitcode}) after {elapsed:.0f} s, at {reached:,.0f} MB "
            "resident" + (f" (limit {max_mb:,.0f} MB)" if max_mb else "")
        )
    result["samples"] = samples
    result["cpu_samples"] = cpu_samples
    return result


class ChildDied(RuntimeError):
    """The measured process ended without reporting (killed at the memory limit, or crashed)."""


def steps_reached(work: Path) -> list[str]:
    """From a dead run's Dagster event log: each step with its state (``done``, ``failed`` or ``running``)."""
    from dagster import DagsterEventType, DagsterInstance
    from dagster._core.instance.ref import InstanceRef

    with DagsterInstance.from_ref(InstanceRef.from_dir(str(work / "dagster_home"))) as instance:
        runs = instance.get_runs(limit=1)
        if not runs:
            return []
        state: dict[str, str] = {}
        for entry in instance.all_logs(runs[0].run_id):
            event = entry.dagster_event
            if event is None or not entry.step_key:
                continue
            if event.event_type == DagsterEventType.STEP_START:
                state[entry.step_key] = "running"
            elif event.event_type == DagsterEventType.STEP_SUCCESS:
                state[entry.step_key] = "done"
            elif event.event_type == DagsterEventType.STEP_FAILURE:
                state[entry.step_key] = "failed"
    return [f"{step} {what}" for step, what in state.items()]


def _sample_memory(
    pid: int, samples: list, stop: threading.Event, max_mb: float | None, cpu_samples: list | None = None
) -> None:
    status = Path(f"/proc/{pid}/status")
    stat = Path(f"/proc/{pid}/stat")
    ticks = os.sysconf("SC_CLK_TCK")
    while not stop.is_set():
        try:
            if cpu_samples is not None:
                # Fields 14 and 15 (utime, stime) counted after the command name, which may hold spaces.
                fields = stat.read_text().rsplit(")", 1)[1].split()
                cpu_samples.append((time.time(), (int(fields[11]) + int(fields[12])) / ticks))
            for line in status.read_text().splitlines():
                if line.startswith("VmRSS:"):
                    samples.append((time.time(), int(line.split()[1]) / 1024))
                    if max_mb is not None and samples[-1][1] > max_mb:
                        os.kill(pid, signal.SIGKILL)
                    break
        except (FileNotFoundError, ProcessLookupError):
            return
        time.sleep(SAMPLE_SECONDS)


# -- figures ----------------------------------------------------------------------------------------------------


def stage_figures(run: dict) -> dict[str, dict[str, float]]:
    """Seconds, CPU seconds and peak MB per stage, from the timed functions and the Dagster step intervals.

    CPU seconds (the process's user + system time over the stage, all threads) hardly move with the load of a
    shared machine, where wall seconds do: compare two versions by them when the machine is busy."""
    periods: dict[str, list[tuple[float, float]]] = {stage: [] for stage in STAGES}
    for stage, start, end in run["intervals"]:
        periods[stage].append((start, end))
    ingest = [(start, end) for key, (start, end) in run["steps"].items() if key.startswith("ingest_")]
    for key, (start, end) in run["steps"].items():
        if key in STEP_STAGES:
            periods[STEP_STAGES[key]].append((start, end))
    cpu_at = _cpu_clock(run.get("cpu_samples") or [])
    seconds = {stage: sum(end - start for start, end in spans) for stage, spans in periods.items()}
    cpu = {stage: sum(cpu_at(end) - cpu_at(start) for start, end in spans) for stage, spans in periods.items()}
    wall_length, cpu_length = (lambda start, end: end - start), (lambda start, end: cpu_at(end) - cpu_at(start))
    for measure, span_length in ((seconds, wall_length), (cpu, cpu_length)):
        measure["store sources"] = sum(span_length(start, end) for start, end in ingest) - sum(
            measure[stage] for stage in ("read", "validate", "standardise")
        )
        measure["publish"] -= measure["validate outputs"]
        total = span_length(run["run_started"], run["run_ended"])
        steps_total = sum(span_length(start, end) for start, end in run["steps"].values())
        measure["dagster"] = total - steps_total - measure["release memory"]
    periods["store sources"] = ingest
    step_spans = list(run["steps"].values())
    samples = run["samples"]
    in_run = [(when, rss) for when, rss in samples if run["run_started"] <= when <= run["run_ended"]]
    between_steps = [(when, rss) for when, rss in in_run if not any(start <= when <= end for start, end in step_spans)]
    figures = {}
    for stage in STAGES:
        if stage == "dagster":
            peaks = [rss for _, rss in between_steps]
        else:
            peaks = [rss for when, rss in in_run if any(start <= when <= end for start, end in periods[stage])]
        first = min((start for start, _ in periods[stage]), default=None)
        at_start = [rss for when, rss in in_run if first is not None and when >= first]
        figures[stage] = {
            "seconds": seconds[stage],
            "cpu_seconds": cpu[stage],
            "peak_mb": max(peaks) if peaks else float("nan"),
            # What the process held when the stage first started: the peak above it is the stage's own.
            "start_mb": at_start[0] if at_start and stage != "dagster" else float("nan"),
        }
    return figures


def _cpu_clock(cpu_samples: list[tuple[float, float]]):
    """The child's CPU seconds at any wall time, interpolated between samples (NaN without samples)."""
    if not cpu_samples:
        return lambda when: float("nan")
    import numpy as np

    times = np.array([when for when, _ in cpu_samples])
    used = np.array([seconds for _, seconds in cpu_samples])
    return lambda when: float(np.interp(when, times, used))


def output_figures(work: Path) -> dict:
    """Figures that must not move when the code gets faster, and a digest of every published table."""
    import pandas as pd

    from satupekerja.publishing.warehouse import ANALYTICS, RESTRICTED, Warehouse

    storage = work / "storage"
    partition = f"snapshot_date={AS_OF.isoformat()}"
    scored = (
        pd.read_parquet(storage / tables.SCORED_PAIRS / partition / "data.parquet", columns=["record_id_l"])
        if (storage / tables.SCORED_PAIRS).exists()
        else None
    )
    review = pd.read_parquet(storage / tables.MATCH_REVIEW_QUEUE / partition / "data.parquet")
    warehouse = Warehouse(work / "warehouse")
    links = warehouse.read(tables.WORKER_LINKS, AS_OF, RESTRICTED)
    unified = warehouse.read(tables.UNIFIED_WORKERS, AS_OF, RESTRICTED)
    multi_source = int((links.groupby("worker_id")["source"].nunique() > 1).sum())
    figures = {
        "source records linked": len(links),
        "workers": int(links["worker_id"].nunique()),
        "workers in several sources": multi_source,
        "pairs scored": None if scored is None else len(scored),
        "review queue": len(review),
        "informal": int((unified["employment_type"] == "informal").sum()) if "employment_type" in unified else None,
        "uncovered informal": int(unified["uncovered_informal"].sum()),
    }
    digests = {}
    for tier in (RESTRICTED, ANALYTICS):
        for table in warehouse.tables(tier):
            digests[f"{tier}/{table}"] = table_digest(warehouse.read(table, AS_OF, tier))
    return {"figures": figures, "digests": digests}


def table_digest(frame) -> str:
    """Order-independent digest of a table's values (columns by name, rows sorted)."""
    import pandas as pd

    frame = frame[sorted(frame.columns)]
    text = frame.astype(str) if len(frame.columns) else frame
    rows = pd.util.hash_pandas_object(text, index=False).sort_values().to_numpy()
    return hashlib.sha256(rows.tobytes() + ",".join(frame.columns).encode()).hexdigest()[:16]


def _mb(value: float) -> str:
    return f"{value:,.0f} MB"


def report(people: int, seed: int, generation: dict, run: dict, outputs: dict | None) -> dict:
    records = generation["records"]
    figures = stage_figures(run)
    total = run["run_ended"] - run["run_started"]
    print(f"\n== {people:,} people, seed {seed}: {records:,} source records ==")
    if generation.get("reused"):
        print("inbox: reused (already generated)")
    else:
        print(
            f"generate: draw {generation['draw_seconds']:.1f} s, write {generation['write_seconds']:.1f} s, "
            f"peak {_mb(generation['peak_mb'])}"
        )
    print(f"start-up (imports, definitions): {run['imported'] - run['started']:.1f} s")
    cpu_at = _cpu_clock(run.get("cpu_samples") or [])
    cpu_total = cpu_at(run["run_ended"]) - cpu_at(run["run_started"])
    print(f"{'stage':<18}{'seconds':>10}{'cpu s':>8}{'peak memory':>14}{'at start':>12}")
    for stage in STAGES:
        row = figures[stage]
        start = _mb(row["start_mb"]) if row["start_mb"] == row["start_mb"] else ""
        print(f"{stage:<18}{row['seconds']:>10.1f}{row['cpu_seconds']:>8.1f}{_mb(row['peak_mb']):>14}{start:>12}")
    print(
        f"{'total (run)':<18}{total:>10.1f}{cpu_total:>8.1f}{_mb(run['peak_mb']):>14}   (peak = max RSS of the process)"
    )
    print(f"records per second: {records / total:,.0f}")
    print(
        f"run succeeded: {run['success']}" + (f" (failed steps: {run['failed_steps']})" if run["failed_steps"] else "")
    )
    if outputs:
        for name, value in outputs["figures"].items():
            print(f"  {name}: {value:,}" if isinstance(value, int) else f"  {name}: {value}")
        print("  digests: " + ", ".join(f"{table} {digest}" for table, digest in sorted(outputs["digests"].items())))
    load = os.getloadavg()
    print(f"load average after the run: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} ({os.cpu_count()} cores)")
    return {
        "people": people,
        "seed": seed,
        "records": records,
        "total_seconds": total,
        "total_cpu_seconds": cpu_total,
        "peak_mb": run["peak_mb"],
        "records_per_second": records / total,
        "stages": figures,
        "success": run["success"],
        "generation": {k: v for k, v in generation.items() if k not in ("manifest", "samples")},
        "outputs": outputs,
        "load_average": load,
    }


def main(argv: list[str] | None = None) -> int:
    sys.stdout.reconfigure(line_buffering=True)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, nargs="+", default=[200_000], help="sizes (default 200000)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="generate the inbox here (a sub-folder per size) and keep it; reused when present",
    )
    parser.add_argument(
        "--keep-run",
        type=Path,
        default=None,
        help="copy the run's asset storage and warehouse here afterwards (for profiling a stage alone)",
    )
    parser.add_argument(
        "--max-memory-mb",
        type=float,
        default=None,
        help="kill the pipeline process when its resident memory exceeds this (shared machines)",
    )
    parser.add_argument("--no-outputs", action="store_true", help="skip the output figures and digests")
    parser.add_argument("--json", type=Path, default=None, help="also write every figure to this JSON file")
    args = parser.parse_args(argv)
    load = os.getloadavg()
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} ({os.cpu_count()} cores)")
    results = []
    for people in args.people:
        with tempfile.TemporaryDirectory(prefix="pipeline_bench_") as temporary:
            temporary = Path(temporary)
            inbox = (args.data_dir / f"people_{people}_seed_{args.seed}") if args.data_dir else temporary / "inbox"
            generation = ensure_inbox(people, args.seed, inbox)
            work = temporary / "run"
            work.mkdir()
            try:
                run = _run_child(_run_pipeline, (str(inbox), str(work)), sample=True, max_mb=args.max_memory_mb)
            except ChildDied as died:
                print(f"\n== {people:,} people, seed {args.seed}: {generation['records']:,} source records ==")
                print(f"pipeline NOT finished: {died}")
                print("steps reached: " + ", ".join(steps_reached(work)))
                results.append(
                    {
                        "people": people,
                        "seed": args.seed,
                        "records": generation["records"],
                        "success": False,
                        "died": str(died),
                    }
                )
                continue
            outputs = None if args.no_outputs or not run["success"] else output_figures(work)
            results.append(report(people, args.seed, generation, run, outputs))
            if args.keep_run:
                kept = args.keep_run / f"people_{people}_seed_{args.seed}"
                shutil.rmtree(kept, ignore_errors=True)
                shutil.copytree(work, kept, ignore=shutil.ignore_patterns("dagster_home"))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    return 0 if all(result["success"] for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
