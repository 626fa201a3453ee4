"""How stable are worker ids from one night to the next?

Simulates two nights: night 1 is a clustering of a ground truth (the sample generator's record → person truth,
generated in memory or read from a ``truth/records.parquet``, else a synthetic population) with the errors a
real matcher makes (some people split over two clusters, some pairs merged). Night 2 changes 1% of the records (a third removed, a third edited, a
third added) and re-clusters with a deterministic perturbation model in which changed records sometimes split
their cluster (a removed or edited record was the link holding it together) or merge two clusters (an edited
or added record bridges them); cluster labels are then shuffled, as a real re-clustering would.

Reported: the share of people none of whose records changed who keep their worker id on every record (target
>= 99.9%), the id events, and the time ``assign_worker_ids`` takes.

    .venv/bin/python benchmarks/id_stability_bench.py --people 400000
    .venv/bin/python benchmarks/id_stability_bench.py --sample-persons 20000
    .venv/bin/python benchmarks/id_stability_bench.py --truth sample_data/demo/truth/records.parquet
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from matching.stable_ids import assign_worker_ids

NIGHT_1 = date(2026, 11, 20)
NIGHT_2 = date(2026, 11, 21)
TARGET = 0.999


@dataclass(frozen=True)
class PerturbationModel:
    """Rates of the simulated matcher's behaviour. Defaults: a matcher with ~1% split and ~0.5% merged people."""

    changed_fraction: float = 0.01
    matcher_split_rate: float = 0.01
    matcher_merge_rate: float = 0.005
    split_on_change: float = 0.05
    merge_on_change: float = 0.02


@dataclass(frozen=True)
class Nights:
    truth_1: pd.DataFrame
    links_1: pd.DataFrame
    truth_2: pd.DataFrame
    links_2: pd.DataFrame
    changed_people: np.ndarray


def synthetic_truth(people: int, rng: np.random.Generator) -> pd.DataFrame:
    """``record_id, person_id``: 1 + Poisson(1.3) records per person over a few sources."""
    per_person = 1 + rng.poisson(1.3, people)
    person = np.repeat(np.arange(people), per_person)
    source = rng.choice(np.array(["dukcapil", "bpjs_kesehatan", "umkm", "komunitas"]), len(person))
    order = rng.permutation(len(person))
    record_id = pd.Series(source[order]).str.cat(pd.Series(np.arange(len(person)).astype(str)), sep=":")
    return pd.DataFrame({"record_id": record_id.astype("str"), "person_id": person[order]})


def load_truth(path: Path) -> pd.DataFrame:
    return _numbered_people(pd.read_parquet(path, columns=["record_id", "person_id"]))


def sample_truth(persons: int, seed: int) -> pd.DataFrame:
    """The sample generator's ground truth (its ``truth/records.parquet``), generated in memory."""
    from sample_data.generate import generate_frames

    return _numbered_people(generate_frames(persons, seed, NIGHT_1).records[["record_id", "person_id"]])


def _numbered_people(records: pd.DataFrame) -> pd.DataFrame:
    return records.assign(person_id=pd.factorize(records["person_id"])[0]).reset_index(drop=True)


def matcher_clusters(truth: pd.DataFrame, model: PerturbationModel, rng: np.random.Generator) -> np.ndarray:
    """Night 1's cluster labels: the truth with some people split and some pairs of people merged."""
    cluster = truth["person_id"].to_numpy().copy()
    people = int(cluster.max()) + 1
    split_records = rng.random(len(cluster)) < model.matcher_split_rate / 2
    cluster[split_records] = people + np.flatnonzero(split_records)
    merged = rng.choice(people, size=(int(people * model.matcher_merge_rate), 2))
    return _merge_labels(cluster, merged)


def simulate(truth: pd.DataFrame, model: PerturbationModel, seed: int) -> Nights:
    rng = np.random.default_rng(seed)
    cluster_1 = matcher_clusters(truth, model, rng)
    links_1 = pd.DataFrame({"record_id": truth["record_id"], "cluster": cluster_1})

    changed = rng.random(len(truth)) < model.changed_fraction
    kind = rng.integers(0, 3, len(truth))
    removed = changed & (kind == 0)
    edited = changed & (kind == 1)
    added_count = int((changed & (kind == 2)).sum())
    cluster = cluster_1.copy()
    next_label = int(cluster.max()) + 1

    detach = edited & (rng.random(len(cluster)) < model.split_on_change)
    cluster[detach] = next_label + np.flatnonzero(detach)
    next_label += len(cluster)
    breaking = np.unique(cluster[removed & (rng.random(len(cluster)) < model.split_on_change)])
    cluster, next_label = _split_clusters(cluster, truth["person_id"].to_numpy(), breaking, next_label)

    added = _added_records(truth, cluster, added_count, rng, next_label)
    truth_2 = pd.concat([truth.loc[~removed], added[["record_id", "person_id"]]], ignore_index=True)
    cluster_2 = np.concatenate([cluster[~removed], added["cluster"].to_numpy()])
    bridging = np.concatenate([edited[~removed], np.ones(len(added), dtype=bool)])
    bridges = np.flatnonzero(bridging & (rng.random(len(cluster_2)) < model.merge_on_change))
    cluster_2 = _merge_labels(cluster_2, np.column_stack([cluster_2[bridges], rng.choice(cluster_2, len(bridges))]))
    shuffled = rng.permutation(int(cluster_2.max()) + 1)[cluster_2]

    changed_people = np.unique(
        np.concatenate([truth["person_id"].to_numpy()[removed | edited], added["person_id"].to_numpy()])
    )
    links_2 = pd.DataFrame({"record_id": truth_2["record_id"], "cluster": shuffled})
    return Nights(truth, links_1, truth_2, links_2, changed_people)


def stability(nights: Nights, ids_1: pd.DataFrame, ids_2: pd.DataFrame) -> tuple[float, int]:
    """Share of unchanged people whose every record keeps its night-1 id; and how many people that is."""
    both = nights.truth_1.merge(ids_1, on="record_id").merge(ids_2, on="record_id", suffixes=("_1", "_2"))
    unchanged = both.loc[~both["person_id"].isin(nights.changed_people)]
    kept = (unchanged["worker_id_1"] == unchanged["worker_id_2"]).groupby(unchanged["person_id"]).all()
    return float(kept.mean()), len(kept)


def run(truth: pd.DataFrame, model: PerturbationModel, seed: int) -> dict[str, object]:
    nights = simulate(truth, model, seed)
    ids_1, history_1 = assign_worker_ids(nights.links_1, None, None, NIGHT_1)
    started_wall, started_cpu = time.perf_counter(), time.process_time()
    ids_2, history_2 = assign_worker_ids(nights.links_2, ids_1, history_1, NIGHT_2)
    wall, cpu = time.perf_counter() - started_wall, time.process_time() - started_cpu
    kept_share, unchanged_people = stability(nights, ids_1, ids_2)
    events = history_2.loc[history_2["snapshot_date"] == pd.Timestamp(NIGHT_2), "event"].value_counts()
    return {
        "records night 1": len(nights.links_1),
        "records night 2": len(nights.links_2),
        "unchanged people": unchanged_people,
        "unchanged people keeping their id": kept_share,
        "events night 2": events.to_dict(),
        "assign_worker_ids night 2 (wall / CPU)": f"{wall:.2f} s / {cpu:.2f} s",
    }


def _merge_labels(cluster: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """Relabel so that every pair of labels ends up in one cluster (connected components)."""
    size = int(max(cluster.max(), pairs.max(initial=0))) + 1
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(size, size))
    _, component = connected_components(graph, directed=False)
    return component[cluster]


def _split_clusters(
    cluster: np.ndarray, person: np.ndarray, breaking: np.ndarray, next_label: int
) -> tuple[np.ndarray, int]:
    """Split each cluster in ``breaking`` by person, or in halves when it holds one person."""
    affected = np.isin(cluster, breaking)
    people_in_cluster = pd.Series(person[affected]).groupby(cluster[affected]).transform("nunique").to_numpy()
    rank = pd.Series(cluster[affected]).groupby(cluster[affected]).cumcount().to_numpy()
    part = np.where(people_in_cluster > 1, person[affected], rank % 2)
    codes, uniques = pd.factorize(pd.MultiIndex.from_arrays([cluster[affected], part]))
    result = cluster.copy()
    result[affected] = next_label + codes
    return result, next_label + len(uniques)


def _added_records(
    truth: pd.DataFrame, cluster: np.ndarray, count: int, rng: np.random.Generator, next_label: int
) -> pd.DataFrame:
    """Half the new records belong to known people (joining one of their clusters), half to new people."""
    existing = rng.random(count) < 0.5
    joined_record = rng.choice(len(truth), int(existing.sum()))
    new_people = int((~existing).sum())
    person = np.empty(count, dtype=np.int64)
    person[existing] = truth["person_id"].to_numpy()[joined_record]
    person[~existing] = truth["person_id"].max() + 1 + np.arange(new_people)
    labels = np.empty(count, dtype=np.int64)
    labels[existing] = cluster[joined_record]
    labels[~existing] = next_label + np.arange(new_people)
    record_id = pd.Series(np.arange(count).astype(str)).radd("added:")
    return pd.DataFrame({"record_id": record_id.astype("str"), "person_id": person, "cluster": labels})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=400_000, help="synthetic population size (without --truth)")
    parser.add_argument(
        "--sample-persons", type=int, help="generate the sample generator's truth for this many persons"
    )
    parser.add_argument("--truth", type=Path, help="truth/records.parquet written by the sample generator")
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args()
    if arguments.truth:
        truth = load_truth(arguments.truth)
    elif arguments.sample_persons:
        truth = sample_truth(arguments.sample_persons, arguments.seed)
    else:
        truth = synthetic_truth(arguments.people, np.random.default_rng(arguments.seed))
    result = run(truth, PerturbationModel(), arguments.seed)
    for name, value in result.items():
        print(f"{name:40s} {value:.4%}" if isinstance(value, float) else f"{name:40s} {value}")
    print(
        f"{'target':40s} >= {TARGET:.1%}: {'met' if result['unchanged people keeping their id'] >= TARGET else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
