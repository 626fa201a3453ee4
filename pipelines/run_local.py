"""``make run``: materialise every asset for one snapshot date on the local instance, then print a summary.

On a fresh clone the demo inbox (``sample_data/demo``, 5,000 synthetic people, seed 42) is generated first.
The run goes through the persistent instance in ``$DAGSTER_HOME`` (``.dagster_home/`` by default), so
``make dev`` shows it, its checks and its metadata afterwards. The summary is built from the run's own
metadata (counts only) and never from the records themselves.

    python -m pipelines.run_local [--snapshot-date YYYY-MM-DD] [--log-level INFO]

Any day up to today (Asia/Jakarta) can be run: a feed extracted on 2025-06-30 runs as the 2025-06-30 partition.
A date before the first snapshot (``SATUPEKERJA_FIRST_SNAPSHOT_DATE``, default 2026-01-01) moves the first
snapshot to that date for this run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

REPO_ROOT = Path(__file__).resolve().parents[1]
DEMO_DIR = REPO_ROOT / "sample_data" / "demo"
DEMO_PERSONS = 5000
DEMO_SEED = 42
DATA_DIR_ENV = "SATUPEKERJA_DATA_DIR"
FIRST_SNAPSHOT_ENV = "SATUPEKERJA_FIRST_SNAPSHOT_DATE"
SNAPSHOT_TIMEZONE = "Asia/Jakarta"
DEFAULT_FIRST_SNAPSHOT_DATE = "2026-01-01"  # as in assets.partitions (imported late, after the setting is made)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(argv)
    _use_local_dagster_home()
    if not os.environ.get(DATA_DIR_ENV):
        _ensure_demo_sample(args.snapshot_date)
        os.environ[DATA_DIR_ENV] = str(DEMO_DIR)

    # Imported late: the code location reads the environment prepared above.
    from dagster import DagsterInstance

    from pipelines.definitions import defs
    from pipelines.jobs import NIGHTLY_JOB_NAME
    from pipelines.summary import RunSummary

    partition_key = args.snapshot_date.isoformat()
    print(f"Materialising every asset for snapshot {partition_key} (Dagster home: {os.environ['DAGSTER_HOME']}) ...")
    started = time.monotonic()
    with DagsterInstance.get() as instance:
        result = defs.resolve_job_def(NIGHTLY_JOB_NAME).execute_in_process(
            instance=instance,
            partition_key=partition_key,
            run_config={"loggers": {"console": {"config": {"log_level": args.log_level}}}},
            raise_on_error=False,
        )
    summary = RunSummary.from_result(result, elapsed_seconds=time.monotonic() - started)
    print(summary.render())
    return 0 if result.success else 1


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m pipelines.run_local", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--snapshot-date",
        type=_snapshot_date,
        default=_today(),
        help="snapshot date (partition) to materialise, YYYY-MM-DD; default: today in Asia/Jakarta",
    )
    parser.add_argument(
        "--log-level",
        choices=["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"],
        default="CRITICAL",
        help="Dagster console log level (default CRITICAL: the summary says what failed, the UI has every event)",
    )
    return parser.parse_args(argv)


def _today() -> dt.date:
    return dt.datetime.now(ZoneInfo(SNAPSHOT_TIMEZONE)).date()


def _snapshot_date(text: str) -> dt.date:
    """A snapshot date: any day up to today in Asia/Jakarta. A day before the first snapshot partition moves the
    first snapshot (``SATUPEKERJA_FIRST_SNAPSHOT_DATE``) to it, for this run, when the code location is not yet
    loaded."""
    try:
        date = dt.date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date in the form YYYY-MM-DD") from error
    if date > _today():
        raise argparse.ArgumentTypeError(f"no snapshot partition {text}: it is after today ({_today().isoformat()})")
    if "assets.partitions" not in sys.modules:  # the partitions read the setting when first imported
        first = os.environ.get(FIRST_SNAPSHOT_ENV) or DEFAULT_FIRST_SNAPSHOT_DATE
        if date < dt.date.fromisoformat(first):
            os.environ[FIRST_SNAPSHOT_ENV] = date.isoformat()
            print(f"First snapshot for this run: {date.isoformat()} ({FIRST_SNAPSHOT_ENV})", file=sys.stderr)
    from assets.partitions import snapshot_partitions

    if not snapshot_partitions.has_partition_key(date.isoformat()):
        first, last = snapshot_partitions.get_first_partition_key(), snapshot_partitions.get_last_partition_key()
        raise argparse.ArgumentTypeError(
            f"no snapshot partition {text}: snapshots run from {first} to {last} "
            f"(set {FIRST_SNAPSHOT_ENV} to run an older extract)"
        )
    return date


def _use_local_dagster_home() -> None:
    """Without ``DAGSTER_HOME`` Dagster keeps runs in a temporary folder: default to ``.dagster_home/``."""
    home = Path(os.environ.setdefault("DAGSTER_HOME", str(REPO_ROOT / ".dagster_home")))
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists():
        shutil.copyfile(REPO_ROOT / "dagster.yaml", home / "dagster.yaml")


def _ensure_demo_sample(snapshot_date: dt.date) -> None:
    if (DEMO_DIR / "manifest.json").exists():
        return
    from sample_data.generate import generate

    print(f"Generating the demo sample ({DEMO_PERSONS:,} synthetic people, seed {DEMO_SEED}) into {DEMO_DIR} ...")
    generate(persons=DEMO_PERSONS, seed=DEMO_SEED, out_dir=DEMO_DIR, as_of=snapshot_date)


if __name__ == "__main__":
    sys.exit(main())
