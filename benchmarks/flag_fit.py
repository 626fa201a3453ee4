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

Rules declaring ``weights_by`` (sex, age_band) get one more column per key and cell: the piece present and the
person in the cell (sex ``L``/``P`` by the model's age bands). Those columns carry a heavier ridge
(``--cell-ridge``) than the rule's own weight, so a cell's weight is shrunk towards the rule's overall weight (a
small cell stays near it); ``--cell-ridge`` may be given several times: each value is scored on a two-fold split
of the workers (held-out log-loss) and the best is fitted on all. ``--write`` puts the fitted numbers into the
contracts (``weights``, ``stale_weights``, ``dependant_weights``, ``separate_weights`` and the ``*cell_weights``
of every fitted rule, comments and everything else left as they are) and the prior into the settings file.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flag_bench import worker_owners
from match_bench import AS_OF, prepare


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
                    cell_weights=(),
                    half_life_months=half_life,
                )
            )
        out[source] = dataclasses.replace(source_roles, employment_evidence=tuple(rules))
    return RoleBook(out) if out else RoleBook({s: SourceRoles() for s in roles.roles})


def fit_logistic(
    x: np.ndarray,
    y: np.ndarray,
    ridge: float | np.ndarray = 1.0,
    steps: int = 100,
    centre: np.ndarray | None = None,
) -> np.ndarray:
    """Newton-Raphson logistic regression with a ridge penalty (no intercept: the age bands are one-hot); steps
    capped at 2 log-odds so pieces that separate the classes (PPU in the generator) do not diverge. The ridge
    pulls each weight towards ``centre`` (default 0), per column when ``ridge`` is an array."""
    beta = np.zeros(x.shape[1])
    penalty = np.broadcast_to(np.asarray(ridge, dtype="float64"), (x.shape[1],))
    mean = np.zeros(x.shape[1]) if centre is None else centre
    for _ in range(steps):
        p = 1 / (1 + np.exp(-np.clip(x @ beta, -30, 30)))
        gradient = x.T @ (y - p) - penalty * (beta - mean)
        hessian = (x * (p * (1 - p))[:, None]).T @ x + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        step *= min(1.0, 2.0 / max(np.abs(step).max(), 1e-12))
        beta += step
        if np.abs(step).max() < 1e-8:
            break
    return beta


#: How hard a rule's own weight is held at its value fitted without cells (its overall weight), so that its cell
#: weights are deviations from it, shrunk towards 0 by the cell ridge.
ANCHOR_RIDGE = 1000.0


def fit_with_cells(x: pd.DataFrame, y: np.ndarray, cell_ridge: float) -> np.ndarray:
    """Two steps: the weights without cell columns (each rule's overall weight), then with the cell columns,
    the weights of rules with cells held at their overall value (``ANCHOR_RIDGE``) and the cells' pulled to 0 by
    ``cell_ridge``: a cell seen little keeps the rule's overall weight, one seen often earns its own."""
    columns = x.columns.astype("str")
    is_cell = columns.str.contains("@", regex=False)
    values = x.to_numpy()
    overall = fit_logistic(values[:, ~is_cell], y)
    with_cells = {column.split("@")[0] for column in columns[is_cell]}
    anchored = ~is_cell & np.isin(columns.str.replace(":stale", "", regex=False), list(with_cells))
    centre = np.zeros(len(columns))
    centre[~is_cell] = overall
    penalty = np.where(is_cell, cell_ridge, np.where(anchored, ANCHOR_RIDGE, 1.0))
    return fit_logistic(values, y, penalty, centre=np.where(anchored, centre, 0.0))


def features(
    evidence: pd.DataFrame,
    age: pd.Series,
    sex: pd.Series,
    n_workers: int,
    aged: set[str],
    by_cell: dict[str, tuple[str, ...]] | None = None,
    *,
    age_bands: tuple[int, ...],
) -> pd.DataFrame:
    """One column per key (its freshest piece's recency factor: the fresh weight's share) and, for rules with a
    half-life (``aged``: ``source#rule``), a ``:stale`` column (present at all: the stale weight); for rules with
    ``weights_by`` (``by_cell``: ``source#rule`` → dimensions), ``key@cell`` columns (present, and the person in
    the cell: ``'P 23'``, ``P`` or ``23`` as the contract names cells); the age bands and, per age band, the term
    of sex ``P`` (``prior_by_sex``). ``age_bands``: the model's band starts (``EmploymentModel.age_bands``)."""
    pieces = evidence[evidence["key"].ne("") & evidence["contribution"].gt(0)]
    grouped = pieces.groupby(["worker_index", "key"])["contribution"].max()
    wide = grouped.unstack(fill_value=0.0).reindex(range(n_workers), fill_value=0.0)
    for key in list(wide.columns):
        if key.split(":")[0] in aged:
            wide[f"{key}:stale"] = (wide[key] > 0).astype("float64")
    band = np.searchsorted(age_bands, age.fillna(30).to_numpy(dtype="float64"), side="right") - 1
    known_band = np.where(age.notna().to_numpy(), band, -1)
    stated = sex.reset_index(drop=True).astype("str").fillna("").to_numpy(dtype=object)
    cells: dict[str, np.ndarray] = {}
    for dimensions in set((by_cell or {}).values()):
        sexes = ("L", "P") if "sex" in dimensions else ("",)
        bands = range(len(age_bands)) if "age_band" in dimensions else (-1,)
        for cell_sex, cell_band in itertools.product(sexes, bands):
            name = " ".join(
                [*([cell_sex] if cell_sex else []), *([str(age_bands[cell_band])] if cell_band >= 0 else [])]
            )
            inside = np.ones(n_workers, dtype=bool)
            if cell_sex:
                inside &= stated == cell_sex
            if cell_band >= 0:
                inside &= known_band == cell_band
            cells[f"{dimensions}|{name}"] = inside
    cell_columns = {}
    for key in [k for k in wide.columns if not k.endswith(":stale")]:
        of_rule = (by_cell or {}).get(key.split(":")[0])
        if of_rule is None:
            continue
        present = wide[key].to_numpy() > 0
        for cell_key, inside in cells.items():
            if cell_key.startswith(f"{of_rule}|") and (present & inside).any():
                cell_columns[f"{key}@{cell_key.split('|', 1)[1]}"] = (present & inside).astype("float64")
    wide = pd.concat([wide, pd.DataFrame(cell_columns, index=wide.index)], axis=1)
    for n, start in enumerate(age_bands):
        wide[f"prior_age_{start}"] = (band == n).astype("float64")
    female = sex.eq("P").fillna(False).astype("float64").to_numpy() * age.notna().to_numpy()  # as the product
    for n, start in enumerate(age_bands):
        wide[f"prior_sex_P_{start}"] = (band == n) * female
    return wide


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--grid", action="append", default=[], help="source#rule[,source#rule]=months,months,...")
    parser.add_argument(
        "--cell-ridge",
        type=float,
        action="append",
        default=[],
        help="ridge of the cell columns (weights_by); several: chosen by two-fold held-out log-loss (default 20)",
    )
    parser.add_argument("--write", action="store_true", help="write the fitted weights into the contracts")
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
        by_cell = {
            f"{s}#{n}": rule.weights_by
            for s, r in unit.roles.items()
            for n, rule in enumerate(r.employment_evidence)
            if rule.weights_by
        }
        x = features(evidence, age, unified["sex"], n_workers, aged, by_cell, age_bands=model.age_bands)
        is_cell = np.array(["@" in column for column in x.columns])
        ridges = args.cell_ridge or [20.0]
        if len(ridges) > 1:
            fold = np.random.default_rng(args.seed).integers(0, 2, n_workers).astype(bool)
            scores = {}
            for cell_ridge in ridges:
                held_out = 0.0
                for train in (fold, ~fold):
                    b = fit_with_cells(x[train], y[train], cell_ridge / 2)
                    q = np.clip(1 / (1 + np.exp(-np.clip(x.to_numpy()[~train] @ b, -30, 30))), 1e-9, 1 - 1e-9)
                    held_out -= np.sum(y[~train] * np.log(q) + (1 - y[~train]) * np.log(1 - q)) / n_workers
                scores[cell_ridge] = held_out
                print(f"cell ridge {cell_ridge:g}: two-fold held-out log-loss {held_out:.5f}")
            ridges = [min(scores, key=lambda r: scores[r])]
        print(f"cell ridge {ridges[0]:g}; {int(is_cell.sum())} cell columns")
        beta = fit_with_cells(x, y, ridges[0])
        p = np.clip(1 / (1 + np.exp(-np.clip(x.to_numpy() @ beta, -30, 30))), 1e-9, 1 - 1e-9)
        log_loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
        print(f"half-lives {half_lives or 'as declared'}: log-loss {log_loss:.5f}, Brier {np.mean((p - y) ** 2):.5f}")
        if best is None or log_loss < best[0]:
            best = (log_loss, half_lives, pd.Series(beta, index=x.columns), np.mean((p - y) ** 2))
    assert best is not None  # at least one combination is fitted
    log_loss, half_lives, weights, brier = best
    print(f"\nbest: half-lives {half_lives or 'as declared'}, log-loss {log_loss:.5f}, Brier {brier:.5f}")
    print(f"{n_workers:,} workers, informal share {y.mean():.4f}")
    print("weights (log-odds of informal work; for a key with a :stale column, the fresh weight is the sum):")
    print(weights.round(2).to_string())
    if args.write:
        from data_contracts.contract import default_contracts_dir
        from data_contracts.roles import DEFAULT_EMPLOYMENT_MODEL_PATH

        for path in write_weights(weights, default_contracts_dir()):
            print(f"written: {path}")
        write_prior(weights, DEFAULT_EMPLOYMENT_MODEL_PATH, model.age_bands)
        print(f"written: {DEFAULT_EMPLOYMENT_MODEL_PATH}")


#: The rule keys flag_fit writes (each followed by its nested lines, if any): rewritten as fitted.
WEIGHT_KEYS = (
    "weights",
    "dependant_weights",
    "separate_weights",
    "stale_weights",
    "cell_weights",
    "dependant_cell_weights",
    "separate_cell_weights",
)
_HOLDER_KEYS = {"": "", ":tanggungan": "dependant_", ":kartu_sendiri": "separate_"}


def rule_weights(weights: pd.Series) -> dict[tuple[str, int], dict[str, dict]]:
    """The fitted weights by ``(source, rule number)``: YAML key → ``{category: log-odds}`` (cell weights:
    ``{cell: {category: log-odds}}``), rounded to 0.1; cells that round to 0 are left out."""
    out: dict[tuple[str, int], dict[str, dict]] = {}
    pattern = re.compile(r"^([a-z0-9_]+)#(\d+):([a-z_]+)((?::tanggungan|:kartu_sendiri)?)(?:(:stale)|@(.+))?$")
    for column, value in weights.items():
        match = pattern.match(str(column))
        if match is None:
            continue
        source, number, category, holder, stale, cell = match.groups()
        rule = out.setdefault((source, int(number)), {})
        prefix = _HOLDER_KEYS[holder]
        if cell is not None:
            if round(float(value), 1) != 0:
                rule.setdefault(f"{prefix}cell_weights", {}).setdefault(cell, {})[category] = round(float(value), 1)
        elif stale:
            if not holder:  # the product ages only the person's own pieces
                rule.setdefault("stale_weights", {})[category] = round(float(value), 1)
        else:
            fresh = float(value) + float(weights.get(f"{column}:stale", 0.0))
            rule.setdefault(f"{prefix}weights", {})[category] = round(fresh, 1)
    return out


def _number(value: float) -> str:
    """One decimal, without a negative zero."""
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


def _yaml_map(values: dict) -> str:
    return "{" + ", ".join(f"{name}: {_number(number)}" for name, number in values.items()) + "}"


def _evidence_items(lines: list[str]) -> list[tuple[int, int]]:
    """Line ranges ``[start, end)`` of the list items under ``employment_evidence:``, in order."""
    start = next(n for n, line in enumerate(lines) if line.strip().startswith("employment_evidence:"))
    base = len(lines[start]) - len(lines[start].lstrip())
    items: list[tuple[int, int]] = []
    item_indent, first, end = None, None, len(lines)
    for n in range(start + 1, len(lines)):
        text = lines[n].strip()
        indent = len(lines[n]) - len(lines[n].lstrip())
        if not text or text.startswith("#"):
            continue
        if indent <= base:
            end = n
            break
        if text.startswith("- ") and (item_indent is None or indent == item_indent):
            item_indent = indent
            if first is not None:
                items.append((first, n))
            first = n
    if first is not None:
        items.append((first, end))
    return items


def write_weights(weights: pd.Series, contracts_dir: Path) -> list[Path]:
    """Rewrite the weight keys of every fitted rule in its contract (``<source>.yaml``), in place."""
    written = []
    by_source: dict[str, dict[int, dict[str, dict]]] = {}
    for (source, number), fitted in rule_weights(weights).items():
        by_source.setdefault(source, {})[number] = fitted
    for source, rules in sorted(by_source.items()):
        path = contracts_dir / f"{source}.yaml"
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        items = _evidence_items(lines)
        for number in sorted(rules, reverse=True):  # from the end: earlier line numbers stay valid
            first, end = items[number]
            indent = " " * (len(lines[first]) - len(lines[first].lstrip()) + 2)
            kept: list[str] = []
            removing, at = False, None
            for line in lines[first:end]:
                own_indent = len(line) - len(line.lstrip())
                key = line.strip().split(":")[0]
                if line.startswith(indent) and own_indent == len(indent) and key in WEIGHT_KEYS:
                    removing, at = True, len(kept) if at is None else at
                    continue
                if removing and line.strip() and own_indent > len(indent):
                    continue
                removing = False
                kept.append(line)
            if at is None:  # after the item's last line that is not a comment or blank
                at = max(n for n, line in enumerate(kept) if line.strip() and not line.strip().startswith("#")) + 1
            new = []
            for key in WEIGHT_KEYS:
                value = rules[number].get(key)
                if not value:
                    continue
                if key.endswith("cell_weights"):
                    new.append(f"{indent}{key}:\n")
                    new += [f"{indent}  '{cell}': {_yaml_map(cell_value)}\n" for cell, cell_value in value.items()]
                else:
                    new.append(f"{indent}{key}: {_yaml_map(value)}\n")
            lines[first:end] = kept[:at] + new + kept[at:]
        path.write_text("".join(lines), encoding="utf-8")
        written.append(path)
    return written


def write_prior(weights: pd.Series, path: Path, age_bands: tuple[int, ...]) -> None:
    """Rewrite ``prior_by_age`` (its band lines) and ``prior_by_sex`` P of the settings file with the fit's."""
    text = path.read_text(encoding="utf-8")
    for start in age_bands:
        text = re.sub(rf"(?m)^(  {start}: )-?[0-9.]+", rf"\g<1>{_number(weights[f'prior_age_{start}'])}", text, count=1)
    sex = ", ".join(f"{start}: {_number(weights[f'prior_sex_P_{start}'])}" for start in age_bands)
    text = re.sub(r"(?m)^  P: \{.*\}$", f"  P: {{{sex}}}", text, count=1)
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
