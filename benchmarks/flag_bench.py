"""Benchmark of the uncovered-informal flag (the outreach list) against the generator's truth.

Usage::

    python benchmarks/flag_bench.py --persons 200000 --workdir /tmp/bench200k   # issue 11's size; data kept

The data are prepared as ``benchmarks/match_bench.py`` prepares them (same ``--workdir`` layout, so one
preparation serves both); the records are linked with the matching settings YAML, the unified workers and
their flags built as the pipeline builds them (``satupekerja.registry.unify.build_unified_workers``, worker
id = cluster),
and the outreach list (``satupekerja.registry.coverage.uncovered_informal_workers``) compared with the truth.

A listed worker is the person most of its records belong to. Truth: a person is an *uncovered informal worker*
when ``employment_type == "informal"`` and not ``tk_covered`` on the as-of date. Printed: precision (listed
workers who are such a person), recall (such persons with a record who are listed at least once), people
listed more than once (listings beyond the first, as a share of the list; a review group of workers joined by
an open double-registration review pair is shown once and counts as one listing, the per-row figures are printed
too), per tier when the list has a
``outreach_tier`` column (``pasti`` / ``kemungkinan``), and what the false positives and misses are in truth.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from match_bench import AS_OF, prepare


def worker_owners(linked_truth: pd.DataFrame) -> pd.DataFrame:
    """Each worker's owner: the true person most of its records belong to (ties: the smallest ``person_id``);
    columns ``worker_id``, ``person_id``, ``n`` (the owner's records in the worker)."""
    return (
        linked_truth.groupby(["worker_id", "person_id"])
        .size()
        .rename("n")
        .reset_index()
        .sort_values(["worker_id", "n", "person_id"], ascending=[True, False, True])
        .drop_duplicates("worker_id")
    )


def evaluate_flags(listed: pd.DataFrame, linked_truth: pd.DataFrame, persons: pd.DataFrame) -> dict:
    """Precision/recall of ``listed`` workers (``worker_id``, optional ``outreach_tier``) against the truth.

    ``linked_truth``: ``record_id``, ``worker_id``, ``person_id`` for every linked record; ``persons``: the truth
    persons (``person_id``, ``employment_type``, ``tk_covered``, ``sector``).
    """
    target = persons.assign(target=persons["employment_type"].eq("informal") & ~persons["tk_covered"])
    owner = worker_owners(linked_truth)
    truth_columns = target[["person_id", "target", "employment_type", "sector", "tk_covered"]].rename(
        columns={"employment_type": "true_employment", "sector": "true_sector", "tk_covered": "true_covered"}
    )
    listed = (
        listed[[c for c in listed.columns if c not in ("person_id",)]]
        .merge(owner[["worker_id", "person_id"]], on="worker_id", how="left")
        .merge(truth_columns, on="person_id", how="left")
    )
    reachable = target[target["person_id"].isin(linked_truth["person_id"]) & target["target"]]
    rows = {}
    tiers = [("both tiers", listed)]
    if "outreach_tier" in listed.columns:
        tiers += [(f"tier {name}", part) for name, part in listed.groupby("outreach_tier")]
    for name, part in tiers:
        found = reachable["person_id"].isin(part["person_id"]).sum()
        rows[name] = {
            "listed": len(part),
            "true": int(part["target"].sum()),
            "precision": part["target"].mean() if len(part) else float("nan"),
            "recall": found / len(reachable) if len(reachable) else float("nan"),
        }
    twice = int(listed["person_id"].duplicated().sum())
    false_positive = listed[~listed["target"]]
    fp_kind = (
        false_positive["true_covered"].map({True: "covered "}).fillna("")
        + false_positive["true_employment"]
        + ":"
        + false_positive["true_sector"]
    )
    missed = reachable[~reachable["person_id"].isin(listed["person_id"])]
    return {
        "metrics": pd.DataFrame(rows).T,
        "listed_twice": twice,
        "listed_twice_share": twice / len(listed) if len(listed) else float("nan"),
        "false_positives": fp_kind.value_counts().head(12),
        "missed": missed["sector"].value_counts().head(12),
        "reachable": len(reachable),
    }


def threshold_table(
    listed: pd.DataFrame,
    linked_truth: pd.DataFrame,
    persons: pd.DataFrame,
    model_threshold: float,
    thresholds: tuple[float, ...] = (0.5, 0.55, 0.6, 0.65, 0.7, 0.8),
) -> pd.DataFrame:
    """The tier lever: *kemungkinan* listed only from each probability on (every *pasti* stays: own registered
    informal work), from the model's threshold up. Precision and recall of both tiers, and the list's length."""
    rows = {}
    for threshold in thresholds:
        if threshold < model_threshold:
            continue
        kept = listed[listed["outreach_tier"].eq("pasti") | listed["informal_probability"].ge(threshold)]
        figures = evaluate_flags(kept, linked_truth, persons)["metrics"]
        rows[f"kemungkinan from p >= {threshold:.2f}"] = {
            "listed": len(kept),
            "precision": figures.loc["both tiers", "precision"],
            "recall": figures.loc["both tiers", "recall"],
        }
    table = pd.DataFrame(rows).T
    table.index.name = "both tiers, pasti kept whole"
    return table


def reshaped_roles(roles, evidence_only: list[str] | None, renamed: dict[str, str]):
    """The contracts' roles for a feed shaped differently: sources renamed, evidence kept for some sources only."""
    import dataclasses

    from data_contracts.roles import RoleBook

    out = {}
    for source, source_roles in roles.roles.items():
        if evidence_only is not None and source not in evidence_only:
            source_roles = dataclasses.replace(source_roles, employment_evidence=())
        out[renamed.get(source, source)] = source_roles
    return RoleBook(out)


def calibration(unified: pd.DataFrame, linked_truth: pd.DataFrame, persons: pd.DataFrame) -> dict:
    """Reliability of ``informal_probability`` against the truth (the person most of a worker's records belong to
    works informally): per probability band, workers, mean predicted, observed share; Brier score and log-loss."""
    owner = worker_owners(linked_truth).merge(persons[["person_id", "employment_type"]], on="person_id")
    frame = unified[["worker_id", "informal_probability"]].merge(owner, on="worker_id")
    p = frame["informal_probability"].clip(1e-9, 1 - 1e-9)
    y = frame["employment_type"].eq("informal").astype(float)
    band = pd.cut(p, [0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0], include_lowest=True)
    table = (
        pd.DataFrame({"band": band, "p": p, "y": y})
        .groupby("band", observed=True)
        .agg(workers=("y", "size"), predicted=("p", "mean"), observed=("y", "mean"))
    )
    return {
        "table": table,
        "brier": float(((p - y) ** 2).mean()),
        "log_loss": float(-(y * np.log(p) + (1 - y) * np.log(1 - p)).mean()),
        "expected_calibration_error": float(
            (table["workers"] * (table["predicted"] - table["observed"]).abs()).sum() / len(frame)
        ),
    }


def split_pairs(listed: pd.DataFrame, linked_truth: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
    """Why people listed twice are split: for each extra listing, the sources of its worker and whether it shares
    a NIK, a phone or a birth date with the person's first listed worker (the kinds of pairs)."""
    main = worker_owners(linked_truth.merge(listed[["worker_id"]], on="worker_id"))
    twice = main[main["person_id"].duplicated(keep=False)].sort_values(["person_id", "worker_id"])
    if twice.empty:
        return pd.DataFrame(columns=["kind", "known_only_from_lists", "shares"])
    facts = records[["record_id", "source", "nik", "phone", "birth_date"]].merge(
        linked_truth[["record_id", "worker_id"]], on="record_id"
    )
    per_worker = (
        facts[facts["worker_id"].isin(twice["worker_id"])]
        .groupby("worker_id")
        .agg(
            sources=("source", lambda v: ",".join(sorted(set(v)))),
            niks=("nik", lambda v: set(v.dropna())),
            phones=("phone", lambda v: set(v.dropna())),
            births=("birth_date", lambda v: set(v.dropna())),
        )
    )
    only_lists = (
        set(listed.loc[listed["known_only_from_lists"], "worker_id"]) if "known_only_from_lists" in listed else set()
    )
    rows = []
    for _, group in twice.groupby("person_id"):
        first, *others = group["worker_id"].tolist()
        for other in others:
            a, b = per_worker.loc[first], per_worker.loc[other]
            shared = [name for name in ("niks", "phones", "births") if a[name] & b[name]]
            rows.append(
                {
                    "kind": f"{a['sources']} | {b['sources']} | shares: {'+'.join(shared) or 'nothing'}",
                    "known_only_from_lists": bool({first, other} & only_lists),
                    "shares": "+".join(shared) or "nothing",
                }
            )
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--workdir", type=Path, default=None, help="folder to prepare the data in and keep (shared with match_bench.py)"
    )
    parser.add_argument(
        "--thresholds",
        nargs="+",
        type=float,
        default=[0.5, 0.55, 0.6, 0.65, 0.7, 0.8],
        help="kemungkinan thresholds of the tier table (pasti kept whole)",
    )
    parser.add_argument(
        "--evidence-only",
        nargs="+",
        default=None,
        help="a feed shaped differently: only these sources keep their employment evidence (cover is still read)",
    )
    parser.add_argument(
        "--rename",
        nargs="+",
        default=[],
        help="a feed shaped differently: OLD=NEW renames a source (records and roles)",
    )
    args = parser.parse_args(argv)
    from data_contracts.contract import default_role_book
    from data_contracts.matching_settings import load_matching_settings
    from data_contracts.roles import load_employment_model
    from matching import link_records
    from satupekerja.registry.coverage import shown_once, uncovered_informal_workers
    from satupekerja.registry.unify import build_unified_workers

    with tempfile.TemporaryDirectory(prefix="flag_bench_") as scratch:
        folder = args.workdir / f"persons_{args.persons}_seed_{args.seed}" if args.workdir else Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        records_path, truth_path, prepared = prepare(args.persons, args.seed, folder)
        records = pd.read_parquet(records_path)
        truth = pd.read_parquet(truth_path)
        persons = pd.read_parquet(truth_path.parent / "persons.parquet")
    roles = reshaped_roles(default_role_book(), args.evidence_only, dict(pair.split("=") for pair in args.rename))
    records["source"] = records["source"].replace(dict(pair.split("=") for pair in args.rename))
    start = time.perf_counter()
    result = link_records(records, load_matching_settings(), seed=args.seed)
    links = result.links.rename(columns={"cluster": "worker_id"})
    model = load_employment_model()
    unified = build_unified_workers(records, links, AS_OF, roles, model)
    review_pairs = result.review_queue.rename(columns={"cluster_l": "worker_id_l", "cluster_r": "worker_id_r"})
    rows = uncovered_informal_workers(unified, review_pairs)
    listed = shown_once(rows)  # a review group (probably one person, pair in review) counts as one listing
    seconds = time.perf_counter() - start
    linked_truth = links[["record_id", "worker_id"]].merge(truth[["record_id", "person_id"]], on="record_id")
    figures = evaluate_flags(listed, linked_truth, persons)
    per_row = evaluate_flags(rows, linked_truth, persons)
    print(
        f"=== {args.persons:,} persons, seed {args.seed}, as of {AS_OF}: {len(records):,} records, "
        f"{len(unified):,} workers; link + unify + flags {seconds:.1f}s ==="
    )
    print("preparation: " + ", ".join(f"{k} {v:.1f}s" for k, v in prepared.items()))
    print(f"uncovered informal persons with a record (truth): {figures['reachable']:,}")
    print(
        "uncovered-informal flag (targets: both tiers P >= 0.95 at R >= 0.90; pasti P >= 0.98):\n"
        + figures["metrics"].to_string(float_format="{:.4f}".format)
    )
    grouped = rows["review_group"].notna() if "review_group" in rows else pd.Series(False, index=rows.index)
    print(
        f"review groups (listed workers joined by open double-registration review pairs, shown once): "
        f"{rows.loc[grouped, 'review_group'].nunique():,} groups of {int(grouped.sum()):,} rows; "
        f"list {len(rows):,} rows -> {len(listed):,} listings"
    )
    print(
        "the same figures per row (before groups are shown once):\n"
        + per_row["metrics"].to_string(float_format="{:.4f}".format)
    )
    print(
        f"people listed more than once: {figures['listed_twice']:,} extra listings, "
        f"{figures['listed_twice_share']:.2%} of the list (target <= 0.5 %); per row (old figure): "
        f"{per_row['listed_twice']:,}, {per_row['listed_twice_share']:.2%}"
    )
    print("false positives by truth (employment:sector):\n" + figures["false_positives"].to_string())
    print("missed uncovered informal workers by sector:\n" + figures["missed"].to_string())
    if "outreach_tier" in listed.columns and "informal_probability" in listed.columns:
        print(
            threshold_table(listed, linked_truth, persons, model.threshold, tuple(args.thresholds)).to_string(
                float_format="{:.4f}".format
            )
        )
    if "informal_probability" in unified.columns:
        calibrated = calibration(unified, linked_truth, persons)
        print(
            f"calibration of informal_probability over all {len(unified):,} workers: Brier {calibrated['brier']:.4f}, "
            f"log-loss {calibrated['log_loss']:.4f}, expected calibration error "
            f"{calibrated['expected_calibration_error']:.4f}\n"
            + calibrated["table"].to_string(float_format="{:.3f}".format)
        )
    pairs = split_pairs(listed, linked_truth, records)
    if len(pairs):
        summary = pairs.groupby(["known_only_from_lists", "shares"]).size().rename("extra listings")
        print("extra listings by whether one of the two workers is known only from lists, and what they share:")
        print(summary.to_string())
        rest = int((~pairs["known_only_from_lists"]).sum())
        print(
            f"listed twice apart from workers known only from lists (marked on the list): {rest:,} extra listings, "
            f"{rest / len(listed):.2%} of the list"
        )
        kept_apart = int((pairs["known_only_from_lists"] & pairs["shares"].eq("nothing")).sum())
        print(
            f"people listed more than once: raw {len(pairs):,} extra listings ({len(pairs) / len(listed):.2%}); "
            f"excluding the {kept_apart:,} pairs issue 11's decision (a) keeps apart on purpose (one worker known "
            f"only from lists, sharing no phone, NIK or birth date with the other): {len(pairs) - kept_apart:,} "
            f"extra listings, {(len(pairs) - kept_apart) / len(listed):.2%} of the list (target <= 0.5 %)"
        )
        old = split_pairs(rows, linked_truth, records)
        old_apart = int((old["known_only_from_lists"] & old["shares"].eq("nothing")).sum()) if len(old) else 0
        print(
            f"per row (old figure, review groups not shown once): raw {len(old):,} ({len(old) / len(rows):.2%}); "
            f"excluding decision (a): {len(old) - old_apart:,} ({(len(old) - old_apart) / len(rows):.2%})"
        )
        print("the most frequent kinds (sources of the two workers | shared evidence):")
        print(pairs["kind"].value_counts().head(12).to_string())


if __name__ == "__main__":
    main()
