"""Seeded synthetic Depok: every source in its real format, with the ground truth of who is who.

Usage::

    python -m sample_data.generate --persons 5000 --seed 42 --out sample_data/demo [--as-of 2026-11-21]

The same persons, seed and as-of date always give identical data: all randomness comes from one
``numpy.random.default_rng(seed)`` consumed in a fixed order, and nothing reads the clock (except the CLI's
default as-of date).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sample_data import writers
from sample_data.config import CorruptionRates, MembershipRates
from sample_data.population import build_population
from sample_data.sources import SOURCE_ORDER, SourceBuilder

GENERATOR_VERSION = 3
TRUTH_PERSON_COLUMNS = (
    "person_id",
    "nik",
    "nik_alt",
    "name",
    "nickname",
    "birth_date",
    "birth_place",
    "sex",
    "kk",
    "household_id",
    "kelurahan_code",
    "kecamatan_code",
    "employment_type",
    "sector",
    "tk_covered",
    "tk_segment",
    "jkn_segment",
    "nik_issued_outside_depok",
    "nik_ganda",
    "twin",
    "same_name_as_parent",
    "namesake_same_birth_date",
    "twin_group",
    "ktp_occupation",
    "ktp_occupation_stale",
    "old_lapsed_pu",
    "jkn_relation",
    "jkn_dependant",
)
HARD_CASE_TAGS = (
    "nik_ganda",
    "twin",
    "same_name_as_parent",
    "namesake_same_birth_date",
    "ktp_occupation_stale",
    "old_lapsed_pu",
    "jkn_dependant",
)


@dataclass
class GeneratedData:
    """Everything one generation produced.

    ``sources`` maps each source id to its table exactly as written (column names, order and cell values; Excel
    sheets hold Python ``datetime``/``int``/``str`` cells in object columns). ``sources["komunitas"]`` is the
    exception: a dict from file name (``ojol_beji_2026.xlsx``) to that file's table.
    """

    sources: dict[str, pd.DataFrame | dict[str, pd.DataFrame]]
    persons: pd.DataFrame
    records: pd.DataFrame
    manifest: dict


def generate_frames(
    persons: int,
    seed: int,
    as_of: dt.date,
    *,
    noise: CorruptionRates | None = None,
    membership: MembershipRates | None = None,
) -> GeneratedData:
    """Draw the population and every source table in memory."""
    if persons < 1:
        raise ValueError("persons must be at least 1")
    noise = noise or CorruptionRates()
    membership = membership or MembershipRates()
    rng = np.random.default_rng(seed)
    population = build_population(persons, rng, as_of, membership)
    builder = SourceBuilder(population, rng, as_of, noise, membership)
    built = {source: getattr(builder, source)() for source in SOURCE_ORDER}
    sources = {source: b.table for source, b in built.items()}
    records = pd.concat([b.records for b in built.values()], ignore_index=True)
    truth = population.people[list(TRUTH_PERSON_COLUMNS)].copy()
    group = truth["twin_group"].to_numpy()
    truth["twin_group"] = pd.Series(
        np.where(group >= 0, truth["person_id"].to_numpy()[np.maximum(group, 0)], None), dtype="str"
    )
    truth["birth_date"] = truth["birth_date"].astype("datetime64[s]")
    manifest = _manifest(persons, seed, as_of, sources, records, truth, noise, membership)
    return GeneratedData(sources=sources, persons=truth, records=records, manifest=manifest)


def _manifest(
    persons: int,
    seed: int,
    as_of: dt.date,
    sources: dict,
    records: pd.DataFrame,
    truth: pd.DataFrame,
    noise: CorruptionRates,
    membership: MembershipRates,
) -> dict:
    rows = {source: int((records["source"] == source).sum()) for source in SOURCE_ORDER}
    komunitas_rows = {name: len(table) for name, table in sources["komunitas"].items()}
    return {
        "generator": "sample_data.generate",
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "persons": persons,
        "as_of": as_of.isoformat(),
        "rows": rows,
        "komunitas_files": komunitas_rows,
        "records_total": len(records),
        "records_per_person": round(len(records) / persons, 3),
        "paths": dict(writers.SOURCE_PATHS),
        "dukcapil_table": writers.DUKCAPIL_TABLE,
        "disnaker_sheets": dict(writers.DISNAKER_SHEETS),
        "truth": {"persons": "truth/persons.parquet", "records": "truth/records.parquet"},
        "hard_cases": {
            **{tag: int(truth[tag].sum()) for tag in HARD_CASE_TAGS},
            "twin_groups": int(truth["twin_group"].nunique()),
            "triplet_groups": int((truth["twin_group"].value_counts() == 3).sum()),
        },
        "record_cases": {
            str(k): int(v) for k, v in records.loc[records["case"] != "", "case"].value_counts().sort_index().items()
        },
        "tk_covered_persons": int(truth["tk_covered"].sum()),
        "corruption_rates": noise.as_dict(),
        "membership_rates": dataclasses.asdict(membership),
    }


def write_sources(data: GeneratedData, out_dir: Path) -> dict:
    """Write every source in its real format, the truth Parquet files and ``manifest.json``; return the manifest."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    as_of = dt.date.fromisoformat(data.manifest["as_of"])
    writers.write_dukcapil(data.sources["dukcapil"], out_dir / writers.SOURCE_PATHS["dukcapil"])
    for source, (separator, encoding, line_terminator) in writers.CSV_FORMATS.items():
        writers.write_csv(
            data.sources[source], out_dir / writers.SOURCE_PATHS[source], separator, encoding, line_terminator
        )
    writers.write_disnaker(
        {s: data.sources[s] for s in writers.DISNAKER_SHEETS},
        out_dir / writers.SOURCE_PATHS["disnaker_pencari_kerja"],
        as_of,
    )
    writers.write_komunitas(data.sources["komunitas"], out_dir / writers.SOURCE_PATHS["komunitas"], as_of)
    writers.write_parquet(data.persons, out_dir / "truth" / "persons.parquet", date_columns=("birth_date",))
    writers.write_parquet(data.records, out_dir / "truth" / "records.parquet")
    writers.write_manifest(data.manifest, out_dir / "manifest.json")
    return data.manifest


def generate(persons: int, seed: int, out_dir: Path, as_of: dt.date) -> dict:
    """Generate and write; return the manifest."""
    return write_sources(generate_frames(persons, seed, as_of), Path(out_dir))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sample_data.generate", description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, required=True, help="number of synthetic residents")
    parser.add_argument("--seed", type=int, required=True, help="random seed (same seed, same data)")
    parser.add_argument("--out", type=Path, required=True, help="output folder (the pipeline's data dir)")
    parser.add_argument(
        "--as-of",
        type=dt.date.fromisoformat,
        default=None,
        help="reference date YYYY-MM-DD for ages and BPJS arrears (default: today)",
    )
    args = parser.parse_args(argv)
    as_of = args.as_of or dt.date.today()
    started = time.perf_counter()
    data = generate_frames(args.persons, args.seed, as_of)
    generated = time.perf_counter()
    write_sources(data, args.out)
    written = time.perf_counter()
    print(
        f"{args.persons} persons, {data.manifest['records_total']} source records "
        f"({data.manifest['records_per_person']} per person), as of {as_of.isoformat()}: "
        f"generated in {generated - started:.1f}s, written to {args.out} in {written - generated:.1f}s"
    )


if __name__ == "__main__":
    main()
