"""``make run``: materialise every asset for one snapshot date on the local instance, then print a summary.

On a fresh clone the demo inbox (``sample_data/demo``, 5,000 synthetic people, seed 42) is generated first.
The run goes through the persistent instance in ``$DAGSTER_HOME`` (``.dagster_home/`` by default), so
``make dev`` shows it, its checks and its metadata afterwards. The summary is built from the run's own
metadata (counts only) and never from the records themselves.

    python -m pipelines.run_local [--snapshot-date YYYY-MM-DD] [--log-level INFO]

Any day up to today (Asia/Jakarta) can be run: a feed extracted on 2025-06-30 runs as the 2025-06-30 partition.
A date before the first snapshot (``SATUPEKERJA_FIRST_SNAPSHOT_DATE``, default 2026-01-01) moves the first
snapshot to that date for this run. The settings are read once from the environment
(:meth:`Settings.from_env <satupekerja.settings.Settings.from_env>`) and the code location is built from them
(:func:`pipelines.definitions.build_definitions`): nothing here edits the environment.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

from satupekerja.settings import DATA_DIR_ENV, DEFAULT_DAGSTER_HOME, FIRST_SNAPSHOT_ENV, REPO_ROOT, Settings

DEMO_DIR = REPO_ROOT / "sample_data" / "demo"
DEMO_PERSONS = 5000
DEMO_SEED = 42
SNAPSHOT_TIMEZONE = "Asia/Jakarta"


def main(argv: Sequence[str] | None = None) -> int:
    import dagster as dg

    from pipelines.definitions import build_definitions
    from pipelines.jobs import NIGHTLY_JOB_NAME
    from pipelines.summary import RunSummary
    from satupekerja.privacy.pseudonyms import PrivacyConfigError, load_pseudonymisation_key

    settings = Settings.from_env()
    args = _parse_args(argv)
    settings = settings_for_run(settings, args.snapshot_date)
    home = _local_dagster_home(settings)
    if not settings.is_given(DATA_DIR_ENV):
        _ensure_demo_sample(args.snapshot_date)
        settings = settings.replace(data_dir=DEMO_DIR)
    try:
        key_is_demo = load_pseudonymisation_key(settings.mode, settings.hmac_key).is_demo
    except PrivacyConfigError:
        key_is_demo = False

    defs = build_definitions(settings)
    partition_key = args.snapshot_date.isoformat()
    print(f"Materialising every asset for snapshot {partition_key} (Dagster home: {home}) ...")
    started = time.monotonic()
    with dg.DagsterInstance.from_config(str(home)) as instance:
        result = defs.resolve_job_def(NIGHTLY_JOB_NAME).execute_in_process(
            instance=instance,
            partition_key=partition_key,
            run_config={"loggers": {"console": {"config": {"log_level": args.log_level}}}},
            raise_on_error=False,
        )
    summary = RunSummary.from_result(result, elapsed_seconds=time.monotonic() - started, key_is_demo=key_is_demo)
    print(summary.render())
    return 0 if result.success else 1


def settings_for_run(settings: Settings, snapshot_date: dt.date) -> Settings:
    """``settings`` with the first snapshot moved to ``snapshot_date`` when that day is earlier (for this run)."""
    if snapshot_date >= settings.first_snapshot_date:
        return settings
    print(f"First snapshot for this run: {snapshot_date.isoformat()} ({FIRST_SNAPSHOT_ENV})", file=sys.stderr)
    return settings.replace(first_snapshot_date=snapshot_date)


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
    """A snapshot date: any day up to today in Asia/Jakarta (an earlier first snapshot is set for the run)."""
    try:
        date = dt.date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date in the form YYYY-MM-DD") from error
    if date > _today():
        raise argparse.ArgumentTypeError(f"no snapshot partition {text}: it is after today ({_today().isoformat()})")
    return date


def _local_dagster_home(settings: Settings) -> Path:
    """``$DAGSTER_HOME``, else ``.dagster_home/`` (Dagster would keep runs in a temporary folder), with the
    repository's ``dagster.yaml`` when it has none."""
    home = settings.dagster_home or DEFAULT_DAGSTER_HOME
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists():
        shutil.copyfile(REPO_ROOT / "dagster.yaml", home / "dagster.yaml")
    return home


def _ensure_demo_sample(snapshot_date: dt.date) -> None:
    if (DEMO_DIR / "manifest.json").exists():
        return
    from sample_data.generate import generate

    print(f"Generating the demo sample ({DEMO_PERSONS:,} synthetic people, seed {DEMO_SEED}) into {DEMO_DIR} ...")
    generate(persons=DEMO_PERSONS, seed=DEMO_SEED, out_dir=DEMO_DIR, as_of=snapshot_date)


if __name__ == "__main__":
    sys.exit(main())
