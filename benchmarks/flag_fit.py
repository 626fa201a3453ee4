"""Fit the employment model's weights (log-odds) on generated data, for the contracts and the settings file.

Usage::

    python benchmarks/flag_fit.py --persons 50000 --seed 11 --workdir /tmp/flag-wt

The data are prepared as ``benchmarks/match_bench.py`` prepares them, linked with the matching settings, and each
worker's evidence taken as the pipeline takes it (``satupekerja.registry.coverage.employment_evidence``) with
every declared weight set to 1, so a piece's value is its recency factor (``0.5 ** (age / half-life)``). A
logistic regression of "the person behind the worker works informally" (the generator's truth) on the age
bands, the sex per age band (``prior_by_sex``) and one column per rule, category and holder (own, ``:tanggungan``
a dependant's, ``:kartu_sendiri`` own beside the family's card of another kind: ``separate_weights``, only for
rules that declare it) then gives the weights; the half-lives are chosen
on a small grid by log-likelihood. Printed: the fitted prior, each rule's weights (paste them into the contracts'
``roles.employment_evidence`` and ``data_contracts/employment/depok.yaml``), log-loss and Brier score.
The product never runs this: it reads the declared numbers. Fit on another seed than the benchmark's.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flag_bench import worker_owners
from match_bench import AS_OF, prepare

AGE_BANDS = (0, 15, 17, 23, 56, 65)


def unit_roles(roles, half_lives: dict[str, float]):
    """The role book with every weight 1 (own and dependant) and the given half-lives (by ``source#rule``)."""
    from data_contracts.roles import CATEGORIES, RoleBook, SourceRoles

    out = {}
    for source, source_roles in roles.roles.items():
        rules = []
        for number, rule in enumerate(source_roles.employment_evidence):
            ones = tuple((c, 1.0) for c in CATEGORIES)
            half_life = half_lives.get(f"{source}#{number}", rule.half_life_months)
            rules.append(
                dataclasses.replace(
                    rule,
                    weights=ones,
                    dependant_weights=ones,
                    separate_weights=ones if rule.separate_weights else (),
                    stale_weights=(),
                    half_life_months=half_life,
                )
            )
        out[source] = dataclasses.replace(source_roles, employment_evidence=tuple(rules))
    return RoleBook(out) if out else RoleBook({s: SourceRoles() for s in roles.roles})


def fit_logistic(x: np.ndarray, y: np.ndarray, ridge: float = 1.0, steps: int = 100) -> np.ndarray:
    """Newton-Raphson logistic regression with a ridge penalty (no intercept: the age bands are one-hot); steps
    capped at 2 log-odds so pieces that separate the classes (PPU in the generator) do not diverge."""
    beta = np.zeros(x.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-np.clip(x @ beta, -30, 30)))
        gradient = x.T @ (y - p) - ridge * beta
        hessian = (x * (p * (1 - p))[:, None]).T @ x + ridge * np.eye(x.shape[1])
        step = np.linalg.solve(hessian, gradient)
        step *= min(1.0, 2.0 / max(np.abs(step).max(), 1e-12))
        beta += step
        if np.abs(step).max() < 1e-8:
            break
    return beta


def features(evidence: pd.DataFrame, age: pd.Series, sex: pd.Series, n_workers: int, aged: set[str]) -> pd.DataFrame:
    """One column per key (its freshest piece's recency factor: the fresh weight's share) and, for rules with a
    half-life (``aged``: ``source#rule``), a ``:stale`` column (present at all: the stale weight); the age bands
    and, per age band, the term of sex ``P`` (``prior_by_sex``)."""
    pieces = evidence[evidence["key"].ne("") & evidence["contribution"].gt(0)]
    grouped = pieces.groupby(["worker_index", "key"])["contribution"].max()
    wide = grouped.unstack(fill_value=0.0).reindex(range(n_workers), fill_value=0.0)
    for key in list(wide.columns):
        if key.split(":")[0] in aged:
            wide[f"{key}:stale"] = (wide[key] > 0).astype("float64")
    band = np.searchsorted(AGE_BANDS, age.fillna(30).to_numpy(dtype="float64"), side="right") - 1
    for n, start in enumerate(AGE_BANDS):
        wide[f"prior_age_{start}"] = (band == n).astype("float64")
    female = sex.eq("P").fillna(False).astype("float64").to_numpy() * age.notna().to_numpy()  # as the product
    for n, start in enumerate(AGE_BANDS):
        wide[f"prior_sex_P_{start}"] = (band == n) * female
    return wide


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--grid", action="append", default=[], help="source#rule[,source#rule]=months,months,...")
    args = parser.parse_args(argv)
    from data_contracts.contract import default_role_book
    from data_contracts.matching_settings import load_matching_settings
    from data_contracts.roles import load_employment_model
    from matching import link_records
    from satupekerja.registry import unify
    from satupekerja.registry.coverage import age_on, employment_evidence

    folder = args.workdir / f"persons_{args.persons}_seed_{args.seed}"
    folder.mkdir(parents=True, exist_ok=True)
    records_path, truth_path, _ = prepare(args.persons, args.seed, folder)
    records = pd.read_parquet(records_path)
    truth = pd.read_parquet(truth_path)
    persons = pd.read_parquet(truth_path.parent / "persons.parquet")
    links = link_records(records, load_matching_settings(), seed=args.seed).links.rename(
        columns={"cluster": "worker_id"}
    )
    roles = default_role_book()
    model = load_employment_model()
    unified = unify.build_unified_workers(records, links, AS_OF, roles, model)
    linked, worker_ids = unify.link_records(records, links, roles)
    snapshot = pd.Timestamp(AS_OF)
    known = linked[linked["registered_date"].isna() | (linked["registered_date"] <= snapshot)]
    n_workers = len(worker_ids)
    age = age_on(unified["birth_date"], snapshot)
    owner = (
        worker_owners(links[["record_id", "worker_id"]].merge(truth[["record_id", "person_id"]], on="record_id"))
        .merge(persons[["person_id", "employment_type"]], on="person_id")
        .set_index("worker_id")
    )
    y = owner["employment_type"].reindex(pd.Index(worker_ids)).eq("informal").to_numpy(dtype="float64")

    grid_axes = []
    for entry in args.grid:
        names, months = entry.split("=")
        grid_axes.append([(names.split(","), float(m)) for m in months.split(",")])
    best = None
    for combination in itertools.product(*grid_axes) if grid_axes else [()]:
        half_lives = {name: months for names, months in combination for name in names}
        evidence = employment_evidence(known, unit_roles(roles, half_lives), snapshot, model)
        unit = unit_roles(roles, half_lives)
        aged = {
            f"{s}#{n}"
            for s, r in unit.roles.items()
            for n, rule in enumerate(r.employment_evidence)
            if rule.half_life_months
        }
        x = features(evidence, age, unified["sex"], n_workers, aged)
        beta = fit_logistic(x.to_numpy(), y)
        p = np.clip(1 / (1 + np.exp(-np.clip(x.to_numpy() @ beta, -30, 30))), 1e-9, 1 - 1e-9)
        log_loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
        print(f"half-lives {half_lives or 'as declared'}: log-loss {log_loss:.5f}, Brier {np.mean((p - y) ** 2):.5f}")
        if best is None or log_loss < best[0]:
            best = (log_loss, half_lives, pd.Series(beta, index=x.columns), np.mean((p - y) ** 2))
    log_loss, half_lives, weights, brier = best
    print(f"\nbest: half-lives {half_lives or 'as declared'}, log-loss {log_loss:.5f}, Brier {brier:.5f}")
    print(f"{n_workers:,} workers, informal share {y.mean():.4f}")
    print("weights (log-odds of informal work; for a key with a :stale column, the fresh weight is the sum):")
    print(weights.round(2).to_string())


if __name__ == "__main__":
    main()
