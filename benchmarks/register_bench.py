"""The whole pipeline on a register nobody here shaped for Depok: the English-language register, YAML only.

Generates the register (``python -m sample_data.english_register``), runs the whole nightly (``run_local``) in a
fresh Dagster instance and warehouse with that register's contracts and matching settings, reads the published
``worker_links`` (restricted tier) and scores them against the generator's truth. Both variants: one file to
deduplicate (``register``) and two files to link (``linkage``).

    .venv/bin/python benchmarks/register_bench.py [--records 5000] [--seed 11] [--min-f1 0.99]

Exits 1 when a variant's pairwise F1 is below ``--min-f1`` (the test suite runs it that way).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from matching.evaluate import evaluate_links
from sample_data.english_register.generate import write
from satupekerja.publishing.tables import WORKER_LINKS
from satupekerja.settings import (
    ASSET_STORAGE_ENV,
    CONTRACTS_DIR_ENV,
    DAGSTER_HOME_ENV,
    DATA_DIR_ENV,
    FIRST_SNAPSHOT_ENV,
    MATCHING_SETTINGS_ENV,
    REPO_ROOT,
    WAREHOUSE_DIR_ENV,
    child_environment,
)

REGISTER = REPO_ROOT / "sample_data" / "english_register"
VARIANTS = ("register", "linkage")
SNAPSHOT = "2025-06-30"


def run_variant(variant: str, inbox: Path, workdir: Path) -> tuple[pd.DataFrame, float]:
    """Run the nightly on one variant; return the published links (``record_id``, ``worker_id``) and seconds."""
    env = child_environment(
        {
            CONTRACTS_DIR_ENV: str(REGISTER / "contracts" / variant),
            MATCHING_SETTINGS_ENV: str(REGISTER / "matching.yaml"),
            DATA_DIR_ENV: str(inbox),
            DAGSTER_HOME_ENV: str(workdir / "dagster_home"),
            WAREHOUSE_DIR_ENV: str(workdir / "warehouse"),
            ASSET_STORAGE_ENV: str(workdir / "assets"),
            FIRST_SNAPSHOT_ENV: None,
        }
    )
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "pipelines.run_local", "--snapshot-date", SNAPSHOT],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    seconds = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"{variant}: the pipeline failed (exit {done.returncode})\n{done.stdout[-3000:]}")
    links_dir = workdir / "warehouse" / "restricted" / WORKER_LINKS / f"snapshot_date={SNAPSHOT}"
    return pd.read_parquet(links_dir, columns=["record_id", "worker_id"]), seconds


def truth_of(inbox: Path, variant: str) -> pd.DataFrame:
    """The generator's truth keyed like the pipeline's record ids (``<source>:<rec_id>``)."""
    truth = pd.read_csv(inbox / "truth.csv", dtype=str)
    files = {"register": {"people.csv": "people"}, "linkage": {"file_a.csv": "file_a", "file_b.csv": "file_b"}}[variant]
    truth = truth[truth["file"].map(lambda name: Path(name).name in files)].copy()
    truth["source"] = truth["file"].map(lambda name: files[Path(name).name])
    truth["record_id"] = truth["source"] + ":" + truth["rec_id"]
    return truth[["source", "record_id", "person_id"]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--min-f1", type=float, default=0.0, help="exit 1 when a variant's F1 is below this")
    args = parser.parse_args(argv)
    failed = False
    with tempfile.TemporaryDirectory(prefix="register_bench_") as tmp:
        inbox = Path(tmp) / "inbox"
        write(inbox, args.records, args.seed)
        print(f"English-language register, {args.records} records per file, seed {args.seed}")
        print(f"{'variant':<10} {'records':>8} {'workers':>8} {'seconds':>8} {'precision':>10} {'recall':>8} {'F1':>8}")
        for variant in VARIANTS:
            links, seconds = run_variant(variant, inbox, Path(tmp) / variant)
            truth = truth_of(inbox, variant)
            overall = evaluate_links(links.rename(columns={"worker_id": "cluster"}), truth).overall.iloc[0]
            print(
                f"{variant:<10} {len(links):>8,} {links['worker_id'].nunique():>8,} {seconds:>8.1f} "
                f"{overall['precision']:>10.4f} {overall['recall']:>8.4f} {overall['f1']:>8.4f}"
            )
            failed |= bool(overall["f1"] < args.min_f1)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
