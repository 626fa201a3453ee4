"""The ceiling of the uncovered-informal flag: the best precision any rule on the observable evidence can reach.

Usage::

    python benchmarks/flag_ceiling.py --persons 200000 --seed 7 --workdir /tmp/mb200k   # prepared by flag_bench
    python benchmarks/flag_ceiling.py --workdir /tmp/mb200k --train-workdir /tmp/ceiling-train --train-seeds 11 13

Issue 11 asks for precision >= 0.95 at recall >= 0.90 over both tiers. This measures whether that is within reach
of *any* rule that sees only what the pipeline observes per worker, on a workdir prepared by
``benchmarks/flag_bench.py`` (read only; the truth is in ``truth/``):

- **Observable features** of each worker, taken from its linked records as the pipeline takes them (only
  records known on the snapshot date): age (the model's bands, and two-year bands) and sex (the golden values),
  the model's evidence keys (rule, category, holder: own, a dependant's, own beside the family's card), the KTP label,
  every JKN card (segment, holder relation, status), every BPJS TK membership (segment, status, months in
  arrears in bands), the other registers the worker is on (Disnaker's three sheets, UMKM, market traders,
  community lists), whether the pipeline sees TK cover, and the household through the family card (KK): how many
  workers share it, the worker's place among them by age, the segments of family members' dependant cards.
- **Ceiling**: the workers are grouped by identical features and the groups ranked by their *true* rate of
  uncovered informal work (the person most of the worker's records belong to); the list is taken down that
  ranking until recall reaches the target (the last group in part: a rule that picks at random inside a group).
  Ranked on the same data it scores, this is an optimistic upper bound for a lookup on those features (and
  meaningless for fine groups: a group of one target worker has rate 1).
  A **learnt** figure ranks the workers by rates learnt on other persons (the other half of the people, and with
  ``--train-workdir`` other seeds' workdirs prepared the same way), shrunk towards the model-input groups and then
  the model's probability: what a lookup learnt from data, not told the answer, reaches (a lower estimate).
- Two matchings: the **pipeline's** (the engine's links, as flag_bench) and **perfect** matching (every record
  grouped by its true person), so that what matching loses and what the evidence cannot tell are told apart.
- Compared with the model: its published list (both tiers at its threshold) and its ranking
  (``informal_probability`` among the workers the pipeline sees uncovered; *pasti* first as the list orders),
  precision at the same recall.
- Which groups (of model inputs) hold the false positives at the ceiling's cut: the people who carry the same evidence as
  uncovered informal workers, with what they are in truth.

Recall follows flag_bench: uncovered informal persons with a record found at least once; precision per listed
worker (a person listed twice counts twice).
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

RECALL_TARGET = 0.90
#: Months in arrears of a BPJS TK membership, in bands: the generator's and the rules' break points (3 months of
#: BPU arrears lapse; former wage jobs left 1-10 years ago).
ARREARS_EDGES = (0, 2, 4, 12, 37, 61, 121)
#: Shrinkage (in workers) of a fine group's rate towards its coarse group's, for the cross-fitted ranking.
SHRINK = 10.0


def precision_at_recall(
    frame: pd.DataFrame, score: str, reachable: int, recall_target: float = RECALL_TARGET
) -> dict[str, float]:
    """Precision of the list that takes ``frame``'s rows by ``score`` (highest first) until the recall target.

    ``frame``: one row per worker with ``score``, ``target`` (the worker's person is an uncovered informal worker)
    and ``person`` (that person's id; recall counts a person once). Rows of equal score are one block: the list
    takes a block whole or, at the cut, a share of it at random, so true positives and persons found grow in
    proportion (the expected value of a random pick inside the block). ``reachable``: the persons recall is
    counted over. Returns ``precision``, ``recall`` (the target, or the best reachable when the target cannot be
    reached: then precision is NaN), ``listed`` (expected rows) and ``cut`` (the score of the block at the cut).
    """
    if reachable <= 0 or frame.empty:
        return {"precision": float("nan"), "recall": float("nan"), "listed": 0.0, "cut": float("nan")}
    ordered = frame[[score, "target", "person"]].sort_values(score, ascending=False, kind="stable")
    block = (ordered[score] != ordered[score].shift()).cumsum().to_numpy() - 1
    target = ordered["target"].to_numpy(dtype=bool)
    # A person is found in the first block holding one of their target workers.
    first = target & ~pd.Series(ordered["person"].to_numpy()).where(target).duplicated().to_numpy()
    blocks = pd.DataFrame({"block": block, "n": 1, "tp": target.astype(int), "found": first.astype(int)})
    per_block = blocks.groupby("block").sum()
    scores = ordered[score].to_numpy()[np.r_[0, np.flatnonzero(np.diff(block)) + 1]]
    cum = per_block.cumsum()
    need = recall_target * reachable
    reached = np.flatnonzero(cum["found"].to_numpy() >= need - 1e-9)
    if len(reached) == 0:
        return {
            "precision": float("nan"),
            "recall": float(cum["found"].iloc[-1] / reachable),
            "listed": float(cum["n"].iloc[-1]),
            "cut": float("nan"),
        }
    k = int(reached[0])
    before = cum.iloc[k - 1] if k > 0 else pd.Series({"n": 0, "tp": 0, "found": 0})
    at = per_block.iloc[k]
    share = (need - before["found"]) / at["found"] if at["found"] else 1.0
    listed = before["n"] + share * at["n"]
    true = before["tp"] + share * at["tp"]
    return {
        "precision": float(true / listed),
        "recall": float(recall_target),
        "listed": float(listed),
        "cut": float(scores[k]),
    }


def feature_keys(frame: pd.DataFrame, features: list[str]) -> pd.Series:
    """One text key per row of the ``features`` values (missing as ``-``): rows of equal key form a group."""
    keys = frame[features[0]].astype("str").fillna("-")
    for column in features[1:]:
        keys = keys + " | " + frame[column].astype("str").fillna("-")
    return keys


def group_rates(frame: pd.DataFrame, features: list[str]) -> pd.Series:
    """Each row's group rate of ``target`` (groups of identical ``features``)."""
    return frame["target"].astype(float).groupby(feature_keys(frame, features), sort=False).transform("mean")


def ceiling(frame: pd.DataFrame, features: list[str], reachable: int, recall_target: float = RECALL_TARGET) -> dict:
    """In-sample ceiling: rows ranked by their group's true rate (groups of identical ``features``); the best
    precision at the recall target of any rule (deterministic or random within groups) on those features, as
    ranking groups by rate is optimal for that fractional choice. Optimistic: the rates are those of the very rows
    scored (a group of one target worker has rate 1)."""
    scored = frame.assign(_rate=group_rates(frame, features))
    out = precision_at_recall(scored, "_rate", reachable, recall_target)
    out["groups"] = int(feature_keys(frame, features).nunique())
    return out


def learnt_scores(
    train: pd.DataFrame, test: pd.DataFrame, levels: list[list[str]], shrink: float = SHRINK
) -> pd.Series:
    """``test`` rows scored by group rates learnt on ``train`` (the truth of other persons), level by level from
    coarse to fine: a group's score is ``(targets + shrink * prior) / (workers + shrink)``, its prior the mean score
    of its training rows at the level before (at the first level their ``base``, e.g. the model's probability); a
    test row whose group has no training row keeps its score of the level before."""
    score_train, score_test = train["base"].astype(float), test["base"].astype(float)
    y = train["target"].astype(float)
    for features in levels:
        key_train, key_test = feature_keys(train, features), feature_keys(test, features)
        groups = (
            pd.DataFrame({"k": key_train, "y": y, "s": score_train})
            .groupby("k")
            .agg(tp=("y", "sum"), n=("y", "size"), s=("s", "mean"))
        )
        smoothed = (groups["tp"] + shrink * groups["s"]) / (groups["n"] + shrink)
        score_train = key_train.map(smoothed)
        score_test = key_test.map(smoothed).fillna(score_test)
    return score_test


def out_of_sample(
    frame: pd.DataFrame,
    levels: list[list[str]],
    reachable: int,
    train: pd.DataFrame | None = None,
    recall_target: float = RECALL_TARGET,
    folds: int = 2,
) -> float:
    """Precision at the recall target of the learnt lookup (:func:`learnt_scores`) on rows it did not learn from:
    with ``train`` (other seeds' workers), learnt there and scored on the whole ``frame``; without, ``folds``-fold
    over persons (recall over each fold's share of the ``reachable`` persons), averaged."""
    if train is not None:
        scored = frame.assign(_score=learnt_scores(train, frame, levels))
        return precision_at_recall(scored, "_score", reachable, recall_target)["precision"]
    fold = frame["person"].astype("str").map(lambda p: zlib.crc32(p.encode()) % folds)
    found = frame.loc[frame["target"], "person"]
    precisions = []
    for k in range(folds):
        test = frame[fold.eq(k)]
        scored = test.assign(_score=learnt_scores(frame[fold.ne(k)], test, levels))
        share = found[fold[found.index].eq(k)].nunique() / max(found.nunique(), 1)
        precisions.append(precision_at_recall(scored, "_score", round(reachable * share), recall_target)["precision"])
    return float(np.mean(precisions))


def _band(values: pd.Series, edges: tuple[int, ...]) -> pd.Series:
    """``a-b`` band labels of whole numbers (the last band open: ``a+``), NA stays NA."""
    labels = [f"{a}-{b - 1}" for a, b in itertools.pairwise(edges)] + [f"{edges[-1]}+"]
    position = np.searchsorted(np.asarray(edges), values.astype("float64").fillna(-1).to_numpy(), side="right") - 1
    out = pd.Series(np.asarray(labels, dtype=object)[np.clip(position, 0, len(labels) - 1)], index=values.index)
    return out.where(values.notna()).astype("str")


def _set_per_worker(worker: pd.Series, values: pd.Series, n_workers: int) -> pd.Series:
    """The sorted distinct ``values`` of each worker joined by ``+`` (``-`` when it has none)."""
    pairs = pd.DataFrame({"w": worker.to_numpy(), "v": values.astype("str").to_numpy()}).dropna().drop_duplicates()
    joined = pairs.sort_values(["w", "v"]).groupby("w")["v"].agg("+".join)
    return joined.reindex(range(n_workers)).fillna("-").astype("str")


def observable_features(
    linked: pd.DataFrame, unified: pd.DataFrame, snapshot: pd.Timestamp, roles, model
) -> pd.DataFrame:
    """One row per worker (by ``worker_index``) of what the pipeline observes about its work (see the module doc).

    ``linked``: the person records with ``worker_index`` (``satupekerja.registry.unify.link_records``);
    ``unified``: the unified workers in the same order (``build_unified_workers``).
    """
    from satupekerja.registry.coverage import WORKER_INDEX, age_on, employment_evidence, months_in_arrears

    n = len(unified)
    known = linked[linked["registered_date"].isna() | (linked["registered_date"] <= snapshot)]
    w = known[WORKER_INDEX]
    age = age_on(unified["birth_date"].reset_index(drop=True), snapshot)
    out = pd.DataFrame(index=pd.RangeIndex(n))
    out["age_band"] = _band(age, model.age_bands)  # the coarse (model-input) groups
    out["age_fine"] = _band(age, FINE_AGE_EDGES)
    out["sex"] = unified["sex"].reset_index(drop=True).astype("str")
    out["uncovered_seen"] = unified["bpjs_tk_status"].reset_index(drop=True).isin(["lapsed", "never_registered"])
    ktp = known["source"].isin(roles.identity_authorities) & known["occupation"].notna()
    out["ktp"] = _set_per_worker(w[ktp], known.loc[ktp, "occupation"].str.upper(), n)
    card = known["jkn_segment"].notna()
    jkn = (
        known.loc[card, "jkn_segment"].astype("str")
        + "/"
        + known.loc[card, "jkn_relation"].astype("str").fillna("?")
        + "/"
        + known.loc[card, "jkn_status"].astype("str").fillna("?")
    )
    out["jkn"] = _set_per_worker(w[card], jkn, n)
    tk = known["source"].isin(roles.membership_registers) & known["tk_segment"].notna()
    arrears = _band(months_in_arrears(known.loc[tk, "tk_last_paid_month"], snapshot), ARREARS_EDGES).fillna("?")
    tk_text = known.loc[tk, "tk_segment"] + "/" + known.loc[tk, "tk_status"].astype("str").fillna("?") + "/" + arrears
    out["tk"] = _set_per_worker(w[tk], tk_text, n)
    other = (
        ~known["source"].isin([*roles.identity_authorities, *roles.membership_registers]) & known["jkn_segment"].isna()
    )
    out["registers"] = _set_per_worker(w[other], known.loc[other, "source"], n)
    # The model's inputs: its evidence keys (rule, category, holder) present, by the model's age bands and sex.
    evidence = employment_evidence(known, roles, snapshot, model)
    keys = evidence[evidence["key"].ne("")]
    out["model_keys"] = _set_per_worker(keys[WORKER_INDEX], keys["key"], n)
    out = out.join(_household(known, age, unified, n))
    return out


def _household(known: pd.DataFrame, age: pd.Series, unified: pd.DataFrame, n: int) -> pd.DataFrame:
    """Household features through the family card (KK): workers sharing one, the worker's place by age among
    them (0 the eldest), the eldest's sex, and the segments of the cards family members are dependants on."""
    from satupekerja.registry.coverage import WORKER_INDEX

    members = known.loc[known["kk"].notna(), [WORKER_INDEX, "kk"]].drop_duplicates()
    # One family card per worker (the most frequent, then the smallest): a worker on two cards is in the first.
    kk = (
        members.groupby([WORKER_INDEX, "kk"])
        .size()
        .rename("c")
        .reset_index()
        .sort_values([WORKER_INDEX, "c", "kk"], ascending=[True, False, True])
        .drop_duplicates(WORKER_INDEX)
        .set_index(WORKER_INDEX)["kk"]
        .reindex(range(n))
    )
    frame = pd.DataFrame({"kk": kk, "age": age.astype("float64"), "sex": unified["sex"].reset_index(drop=True)})
    on_card = frame[frame["kk"].notna()].copy()
    on_card["size"] = on_card.groupby("kk")["kk"].transform("size")
    on_card["place"] = on_card.sort_values("age", ascending=False).groupby("kk").cumcount()
    eldest_sex = on_card.sort_values("age", ascending=False).drop_duplicates("kk").set_index("kk")["sex"]
    dependant = known["jkn_segment"].notna() & known["jkn_relation"].notna() & known["jkn_relation"].ne("PESERTA")
    cards = (
        known.loc[dependant, [WORKER_INDEX, "jkn_segment"]]
        .drop_duplicates()
        .merge(kk.rename("kk").dropna().reset_index().rename(columns={"index": WORKER_INDEX}), on=WORKER_INDEX)
    )
    # The dependants' card segments of the *other* members of each worker's family card.
    pairs = on_card.reset_index(names=WORKER_INDEX)[[WORKER_INDEX, "kk"]].merge(
        cards.rename(columns={WORKER_INDEX: "member"}), on="kk"
    )
    pairs = pairs[pairs["member"].ne(pairs[WORKER_INDEX])]
    family_cards = _set_per_worker(pairs[WORKER_INDEX], pairs["jkn_segment"], n)
    out = pd.DataFrame(index=pd.RangeIndex(n))
    out["hh_size"] = on_card["size"].clip(upper=7).reindex(range(n)).astype("Int64").astype("str").fillna("-")
    out["hh_place"] = on_card["place"].clip(upper=2).reindex(range(n)).astype("Int64").astype("str").fillna("-")
    out["hh_eldest_sex"] = frame["kk"].map(eldest_sex).astype("str").fillna("-")
    out["hh_family_cards"] = family_cards.where(frame["kk"].notna(), "no KK")
    return out


#: Age bands of the generator's and the registers' breaks (school, working age, the e-KTP recorded while young
#: up to about 38, job-seeker and training ages, retirement), two years wide in between.
FINE_AGE_EDGES = (
    0,
    15,
    17,
    18,
    19,
    20,
    21,
    22,
    23,
    24,
    26,
    28,
    30,
    32,
    34,
    36,
    38,
    40,
    41,
    43,
    46,
    50,
    56,
    60,
    65,
    70,
    75,
)
MODEL_INPUTS = ["model_keys", "age_band", "sex", "uncovered_seen"]
RECORD_FIELDS = ["ktp", "jkn", "tk", "registers", "age_fine", "sex", "uncovered_seen"]
HOUSEHOLD = ["hh_size", "hh_place", "hh_eldest_sex", "hh_family_cards"]
#: The feature sets measured, from the model's own inputs to everything observed; each is learnt out of sample
#: after the model inputs (its first level).
FEATURE_SETS: dict[str, list[str]] = {
    "model inputs: evidence keys (rule, category, holder), model age band, sex, cover seen": MODEL_INPUTS,
    "+ finer age bands": ["model_keys", "age_fine", "sex", "uncovered_seen"],
    "every record field (KTP label; JKN segment/relation/status; TK segment/status/arrears; registers), finer age, "
    "sex, cover seen": RECORD_FIELDS,
    "+ household through KK (workers on the card, place by age, eldest's sex, members' dependant cards)": [
        *RECORD_FIELDS,
        *HOUSEHOLD,
    ],
    "all of the above": [*MODEL_INPUTS, "age_fine", *RECORD_FIELDS[:4], *HOUSEHOLD],
}


def false_positive_groups(
    frame: pd.DataFrame, features: list[str], reachable: int, top: int = 12, recall_target: float = RECALL_TARGET
) -> tuple[pd.DataFrame, pd.Series]:
    """The groups the ceiling's list takes (wholly or at its cut) holding the most workers who are not uncovered
    informal workers: workers, targets, rate, the model's mean probability, what the others are in truth
    (``true_kind``); and all those others counted by what they are."""
    scored = frame.assign(_rate=group_rates(frame, features))
    cut = precision_at_recall(scored, "_rate", reachable, recall_target)["cut"]
    taken = scored[scored["_rate"] >= cut]
    keys = feature_keys(taken, features)
    grouped = taken.groupby(keys).agg(
        workers=("target", "size"), targets=("target", "sum"), rate=("_rate", "first"), model_p=("probability", "mean")
    )
    grouped["others"] = grouped["workers"] - grouped["targets"]
    others = taken[~taken["target"]]
    grouped["others_in_truth"] = others.groupby(keys[~taken["target"]])["true_kind"].agg(
        lambda v: ", ".join(f"{k} {c}" for k, c in v.value_counts().head(3).items())
    )
    return grouped.sort_values("others", ascending=False).head(top), others["true_kind"].value_counts()


def worker_frame(unified, linked, links_truth, persons, snapshot, roles, model) -> tuple[pd.DataFrame, int]:
    """Features, target, owner and the model's score per worker; the persons recall is counted over."""
    from flag_bench import worker_owners

    features = observable_features(linked, unified, snapshot, roles, model)
    owner = worker_owners(links_truth).set_index("worker_id")["person_id"]
    person = unified["worker_id"].map(owner).reset_index(drop=True)
    truth = persons.set_index("person_id")
    target_of = truth["employment_type"].eq("informal") & ~truth["tk_covered"]
    probability = unified["informal_probability"].reset_index(drop=True).to_numpy()
    frame = features.assign(
        person=person.astype("str"),
        target=person.map(target_of).fillna(False).astype(bool).to_numpy(),
        true_kind=(
            person.map(truth["tk_covered"].map({True: "covered "})).fillna("")
            + person.map(truth["employment_type"]).astype("str")
            + ":"
            + person.map(truth["sector"]).astype("str")
        ).to_numpy(),
        probability=probability,
        base=np.where(features["uncovered_seen"], probability, 0.0),
        listed=unified["uncovered_informal"].reset_index(drop=True).to_numpy(dtype=bool),
        pasti=unified["outreach_tier"].reset_index(drop=True).eq("pasti").to_numpy(),
    )
    reachable = int(target_of.reindex(links_truth["person_id"].unique()).fillna(False).sum())
    return frame, reachable


def load_frame(folder: Path, persons_n: int, seed: int, matching: str) -> tuple[pd.DataFrame, int]:
    """The worker frame of a prepared workdir folder, by the pipeline's matching or by perfect matching."""
    from match_bench import AS_OF

    from data_contracts.contract import default_role_book
    from data_contracts.matching_settings import load_matching_settings
    from data_contracts.roles import load_employment_model
    from matching import link_records
    from satupekerja.registry import unify
    from satupekerja.registry.coverage import uncovered_informal_workers

    stamp = folder / "prepared.txt"
    if not stamp.exists() or stamp.read_text() != f"{persons_n} {seed}":
        raise SystemExit(f"{folder} is not prepared: run benchmarks/flag_bench.py --workdir <its parent> first")
    records = pd.read_parquet(folder / "person_records.parquet")
    truth = pd.read_parquet(folder / "truth" / "records.parquet")
    persons = pd.read_parquet(folder / "truth" / "persons.parquet")
    truth = truth[truth["record_id"].isin(records["record_id"])]
    roles, model = default_role_book(), load_employment_model()
    if matching == "perfect":
        links = truth.assign(worker_id=truth["person_id"])[["record_id", "worker_id"]]
    else:
        links = link_records(records, load_matching_settings(), seed=seed).links.rename(
            columns={"cluster": "worker_id"}
        )
        links = links[["record_id", "worker_id"]]
    unified = unify.build_unified_workers(records, links, AS_OF, roles, model)
    linked, _ = unify.link_records(records, links, roles)
    links_truth = links.merge(truth[["record_id", "person_id"]], on="record_id")
    frame, reachable = worker_frame(unified, linked, links_truth, persons, pd.Timestamp(AS_OF), roles, model)
    if len(uncovered_informal_workers(unified)) != int(frame["listed"].sum()):
        raise AssertionError("the frame's listed workers are not the outreach list")
    return frame.assign(person=f"{seed}:" + frame["person"]), reachable


def report(
    name: str, frame: pd.DataFrame, reachable: int, recall_target: float, train: pd.DataFrame | None, train_label: str
) -> None:
    """Print the model's figures, the ceilings and the out-of-sample lookups of one matching."""
    listed = frame[frame["listed"]]
    found = listed.loc[listed["target"], "person"].nunique()
    print(f"\n=== {name}: {len(frame):,} workers; uncovered informal persons with a record: {reachable:,} ===")
    print(
        f"model, published list (both tiers, its threshold): P {listed['target'].mean():.4f} / "
        f"R {found / reachable:.4f} ({len(listed):,} listed)"
    )
    ranking = frame.assign(_pasti_first=np.where(frame["uncovered_seen"], frame["base"] + 2.0 * frame["pasti"], -1.0))
    for label, column in (("informal_probability", "base"), ("pasti first, then informal_probability", "_pasti_first")):
        at = precision_at_recall(ranking, column, reachable, recall_target)
        cut = at["cut"] - 2.0 if at["cut"] > 1 else at["cut"]
        print(
            f"model ranked by {label} (workers the pipeline sees uncovered): P {at['precision']:.4f} at R "
            f"{recall_target:.2f} (kemungkinan from p {cut:.3f}; {at['listed']:,.0f} listed)"
        )
    rows = []
    for label, features in FEATURE_SETS.items():
        top = ceiling(frame, features, reachable, recall_target)
        levels = [MODEL_INPUTS] if features == MODEL_INPUTS else [MODEL_INPUTS, features]
        row = {
            "features": label,
            "groups": top["groups"],
            "in-sample ceiling": top["precision"],
            "learnt on the other half": out_of_sample(frame, levels, reachable, recall_target=recall_target),
        }
        if train is not None:
            row[f"learnt on {train_label}"] = out_of_sample(frame, levels, reachable, train, recall_target)
        rows.append(row)
    print(
        f"precision at recall {recall_target:.2f} of a lookup on the observable features (groups ranked by their "
        "rate of uncovered informal workers; in sample: optimistic; learnt: rates of other persons, shrunk "
        "towards the model-input groups, then the model's probability):\n"
        + pd.DataFrame(rows).set_index("features").to_string(float_format="{:.4f}".format)
    )
    groups, kinds = false_positive_groups(frame, MODEL_INPUTS, reachable, recall_target=recall_target)
    print(
        f"the ceiling's list on the model inputs: {int(kinds.sum()):,} workers not uncovered informal, in truth:\n"
        + kinds.head(12).to_string()
    )
    print(
        "its groups holding the most of them (evidence keys | age band | sex | cover seen):\n"
        + groups.to_string(float_format="{:.3f}".format)
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, required=True, help="prepared by flag_bench.py (read only)")
    parser.add_argument("--recall", type=float, default=RECALL_TARGET)
    parser.add_argument("--perfect-only", action="store_true", help="skip the engine (perfect matching only)")
    parser.add_argument(
        "--train-workdir", type=Path, default=None, help="workdir prepared for other seeds (--train-seeds), read only"
    )
    parser.add_argument("--train-seeds", type=int, nargs="*", default=[])
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from match_bench import AS_OF

    print(f"=== {args.persons:,} persons, seed {args.seed}, as of {AS_OF} ===")
    matchings = [("perfect", "perfect matching (records grouped by their true person)")]
    if not args.perfect_only:
        matchings.insert(0, ("pipeline", "the pipeline's matching"))
    for matching, name in matchings:
        start = time.process_time()
        frame, reachable = load_frame(
            args.workdir / f"persons_{args.persons}_seed_{args.seed}", args.persons, args.seed, matching
        )
        train = None
        if args.train_workdir and args.train_seeds:
            train = pd.concat(
                [
                    load_frame(args.train_workdir / f"persons_{args.persons}_seed_{s}", args.persons, s, matching)[0]
                    for s in args.train_seeds
                ],
                ignore_index=True,
            )
        label = "seeds " + ", ".join(map(str, args.train_seeds))
        report(name, frame, reachable, args.recall, train, label)
        print(f"({time.process_time() - start:.0f} CPU s)")


if __name__ == "__main__":
    main()
