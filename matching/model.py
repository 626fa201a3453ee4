"""Fellegi–Sunter model: u from random pairs, m by EM on comparison-vector patterns, term-frequency adjustment.

* ``u`` (P(level | different people)) is estimated on a seeded random sample of record pairs: almost all
  random pairs are non-matches. Levels defined by equality of one column (exact NIK, phone, name, birth
  date) are too rare to count in a sample and are counted exactly from value frequencies over all records.
  The matches expected among random pairs (from EM) are subtracted, and a pseudo-count keeps a level never
  seen (exact NIK between different people) at a finite, large weight.
* ``m`` (P(level | same person)) and λ, the probability that two random records match, are estimated by EM,
  with ``u`` not fitted (as Splink does), starting from each comparison's ``m_prior``. EM runs on the counts of
  unique comparison-vector patterns (a few thousand), not on the pairs themselves, so it is fast.
* A level's weight is ``log2(m / u)``, capped by the comparison's ``max_weight`` (near-NIK levels, see
  ``NikComparison``); a missing field contributes 0. On the exact-name level the weight uses the name's own
  frequency instead of the average ``u``: agreeing on a common name (SITI, MUHAMMAD RIZKI) is weaker evidence
  than agreeing on a rare one. The boost for rare names is capped at ``tf_max_boost`` bits.
* A pair's match weight is ``log2(λ / (1 - λ)) + Σ weights``, its match probability ``2^w / (1 + 2^w)``
  (Splink's formulation: the prior is the chance that two random records match, as for u).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from matching.comparisons import NULL_LEVEL, Comparison

_FLOOR = 1e-9
M_PSEUDO_PAIRS = 1.0  # weight of each comparison's m_prior in the M-step, in pairs


@dataclass(frozen=True)
class FellegiSunterModel:
    """Learned parameters. ``m``/``u``: per comparison, one probability per level; ``match_share``: λ, the
    probability that two random records match; ``tf``: per comparison, value → relative frequency."""

    comparisons: tuple[Comparison, ...]
    m: dict[str, np.ndarray]
    u: dict[str, np.ndarray]
    match_share: float
    tf: dict[str, pd.Series]
    tf_max_boost: float
    em_iterations: int

    def weights(self, comparison: Comparison) -> np.ndarray:
        """Match weight (bits) of each level of ``comparison``, capped where the comparison says so."""
        return level_weights(comparison, self.m[comparison.name], self.u[comparison.name])

    @property
    def prior_weight(self) -> float:
        return float(np.log2(self.match_share / (1.0 - self.match_share)))

    def table(self) -> pd.DataFrame:
        """The m/u table: one row per (comparison, level) with m, u and weight."""
        rows = [
            {"comparison": comparison.name, "level": level, "m": m, "u": u, "weight": weight}
            for comparison in self.comparisons
            for level, m, u, weight in zip(
                comparison.levels,
                self.m[comparison.name],
                self.u[comparison.name],
                self.weights(comparison),
                strict=True,
            )
        ]
        return pd.DataFrame(rows, columns=["comparison", "level", "m", "u", "weight"])

    def table_markdown(self) -> str:
        """The m/u table as a markdown table (no extra dependency)."""
        table = self.table()
        lines = ["| comparison | level | m | u | weight |", "|---|---|---:|---:|---:|"]
        lines += [
            f"| {row.comparison} | {row.level} | {row.m:.4f} | {row.u:.2e} | {row.weight:+.2f} |"
            for row in table.itertuples()
        ]
        lines.append(
            f"\nλ (two random records match): {self.match_share:.3e}, prior weight {self.prior_weight:+.2f}"
            f" (EM iterations: {self.em_iterations})"
        )
        return "\n".join(lines)


def level_weights(comparison: Comparison, m: np.ndarray, u: np.ndarray) -> np.ndarray:
    """``log2(m/u)`` per level, capped by the comparison's ``max_weight``."""
    raw = np.log2(np.maximum(m, _FLOOR) / np.maximum(u, _FLOOR))
    caps = np.array([comparison.max_weight.get(level, np.inf) for level in comparison.levels])
    return np.minimum(raw, caps)


def comparison_levels(
    features: pd.DataFrame, left: np.ndarray, right: np.ndarray, comparisons: tuple[Comparison, ...]
) -> pd.DataFrame:
    """Level index (int8, -1 = missing) of every comparison for every pair."""
    return pd.DataFrame({c.name: c.compute(features, left, right) for c in comparisons})


@dataclass(frozen=True)
class RandomPairProfile:
    """Per comparison: the share of random pairs (with the comparison available) in each level; the pair
    count each level's share rests on (the sample, or all pairs for equality levels counted exactly); and
    the share of all pairs where the comparison is available."""

    shares: dict[str, np.ndarray]
    resolution: dict[str, np.ndarray]
    available_share: dict[str, float]


def random_pair_profile(
    features: pd.DataFrame, comparisons: tuple[Comparison, ...], sample_pairs: int, seed: int
) -> RandomPairProfile:
    """Level shares among a seeded random sample of distinct record pairs.

    Levels a comparison defines by equality of one column (``frequency_levels``: exact NIK, phone, name,
    birth date) are far too rare among random pairs to be counted reliably in any affordable sample; their
    share is computed exactly from the value frequencies over *all* records instead.
    """
    rng = np.random.default_rng(seed)
    n = len(features)
    left = rng.integers(0, n, size=sample_pairs)
    right = rng.integers(0, n, size=sample_pairs)
    distinct = left != right
    left, right = left[distinct], right[distinct]
    levels = comparison_levels(features, left, right, comparisons)
    total_pairs = n * (n - 1) / 2
    shares, resolution, available_share = {}, {}, {}
    for comparison in comparisons:
        level = levels[comparison.name].to_numpy()
        available = level != NULL_LEVEL
        counts = np.bincount(level[available], minlength=len(comparison.levels)).astype(float)
        share = counts / max(int(available.sum()), 1)
        available_share[comparison.name] = float(available.mean()) if len(level) else 0.0
        resolution[comparison.name] = np.full(len(comparison.levels), max(float(available.sum()), 1.0))
        if comparison.frequency_levels:
            share, counted = _with_exact_frequencies(share, comparison, features, left[available], right[available])
            exact_resolution = max(available_share[comparison.name] * total_pairs, 1.0)
            resolution[comparison.name][counted] = exact_resolution
        shares[comparison.name] = share
    return RandomPairProfile(shares=shares, resolution=resolution, available_share=available_share)


def _with_exact_frequencies(
    share: np.ndarray, comparison: Comparison, features: pd.DataFrame, left: np.ndarray, right: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Replace the sampled share of equality-defined levels by exact shares; rescale the other levels.

    ``frequency_levels`` maps a level to the column whose equal values define it *or a stronger level*
    (strongest first), so each level's share is its column's agreement share minus the stronger ones'.
    The agreement share among pairs having the column is scaled by how often both sides have it when the
    comparison is available (measured on the sample: a frequent event).
    """
    exact = np.zeros(len(comparison.levels))
    fixed = np.zeros(len(comparison.levels), dtype=bool)
    stronger = 0.0
    for level, column in comparison.frequency_levels.items():
        values = features[column].to_numpy()
        coverage = float(((values[left] >= 0) & (values[right] >= 0)).mean()) if len(left) else 0.0
        cumulative = _agreeing_pair_share(values) * coverage
        k = comparison.levels.index(level)
        exact[k] = max(cumulative - stronger, 0.0)
        fixed[k] = True
        stronger += exact[k]
    rest = np.where(fixed, 0.0, share)
    if rest.sum() > 0:
        rest *= (1.0 - stronger) / rest.sum()
    return np.where(fixed, exact, rest), fixed


def _agreeing_pair_share(values: np.ndarray) -> float:
    """Share of pairs of records having a value (≥ 0) that have the same value."""
    present = values[values >= 0]
    if len(present) < 2:
        return 0.0
    counts = np.unique(present, return_counts=True)[1].astype(float)
    return float((counts * (counts - 1)).sum() / (len(present) * (len(present) - 1.0)))


def u_from_profile(
    profile: RandomPairProfile, expected_matches: dict[str, np.ndarray], total_pairs: float, pseudo_count: float
) -> dict[str, np.ndarray]:
    """u per level: random-pair shares minus the matching pairs expected in each level, plus a pseudo-count.

    ``expected_matches`` are EM's expected matching pairs per level (from the candidates; blocking keeps
    nearly all matches). Random pairs hold a share of true matches that matters on small data and for the
    rarest agreements (exact NIK, phone): left in, they would cap those weights near ``-prior``. The
    pseudo-count is spread over the pairs each share rests on.
    """
    u = {}
    for name, share in profile.shares.items():
        available_pairs = max(profile.available_share[name] * total_pairs, 1.0)
        cleaned = np.maximum(share - expected_matches[name] / available_pairs, 0.0)
        cleaned += pseudo_count / profile.resolution[name]
        u[name] = cleaned / cleaned.sum()
    return u


def term_frequencies(features: pd.DataFrame, comparisons: tuple[Comparison, ...]) -> dict[str, pd.Series]:
    """Relative frequency of each value of each comparison's ``tf_column``, keyed by the value's string."""
    frequencies = {}
    for comparison in comparisons:
        if comparison.tf_column is None:
            continue
        values = features[comparison.tf_column.removesuffix("_code")].dropna()
        frequencies[comparison.name] = values.value_counts(normalize=True)
    return frequencies


def train(
    features: pd.DataFrame,
    levels: pd.DataFrame,
    comparisons: tuple[Comparison, ...],
    *,
    u_sample_pairs: int,
    u_pseudo_count: float,
    initial_matches_per_record: float,
    max_iterations: int,
    tolerance: float,
    tf_max_boost: float,
    seed: int,
    start: FellegiSunterModel | None = None,
) -> FellegiSunterModel:
    """Estimate u on random pairs, then m and λ by EM on the candidate pairs' ``levels``.

    ``start``: a previous model (last night's) whose m and expected matches per record start EM instead of
    the comparisons' ``m_prior``; comparisons whose levels differ keep their prior.
    """
    profile = random_pair_profile(features, comparisons, u_sample_pairs, seed)
    n = len(features)
    initial_matches = initial_matches_per_record * n / 2
    start_m = None
    if start is not None:
        start_m = {
            c.name: start.m[c.name]
            for c in comparisons
            if c.name in start.m
            and len(start.m[c.name]) == len(c.levels)
            and any(s.name == c.name and s.levels == c.levels for s in start.comparisons)
        }
    m, u, match_share, iterations = expectation_maximisation(
        levels,
        comparisons,
        profile,
        u_pseudo_count,
        n * (n - 1) / 2,
        initial_matches,
        max_iterations,
        tolerance,
        start_m=start_m,
    )
    return FellegiSunterModel(
        comparisons=comparisons,
        m=m,
        u=u,
        match_share=match_share,
        tf=term_frequencies(features, comparisons),
        tf_max_boost=tf_max_boost,
        em_iterations=iterations,
    )


#: Pattern codes up to this many (the product of the comparisons' level counts) are counted with ``bincount``
#: (one pass over the pairs) instead of a sort; a few thousand patterns occur, out of about a million possible.
_COUNTED_PATTERN_CODES = 1 << 24


def comparison_patterns(levels: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Unique rows of the level matrix and how many pairs share each, in the order of their mixed-radix code
    (each column's level + 1, the first column most significant).

    Each pair's row is packed into one integer code, column by column (no pairs × comparisons matrix); the
    codes are counted by ``bincount`` when their range is small (always, for the settings' comparisons), else
    by a sort (``np.unique``), and the patterns read back from the codes."""
    columns = [levels[name].to_numpy() for name in levels.columns]
    radix = [int(column.max(initial=-1)) + 2 for column in columns]  # levels from -1 (missing): level + 1 < radix
    codes = np.zeros(len(levels), dtype=np.int64)
    for column, base in zip(columns, radix, strict=True):
        codes *= base
        codes += column.astype(np.int64) + 1
    if math.prod(radix) <= _COUNTED_PATTERN_CODES:
        all_counts = np.bincount(codes, minlength=1)
        present = np.flatnonzero(all_counts)
        counts = all_counts[present]
    else:
        present, counts = np.unique(codes, return_counts=True)
    patterns = np.empty((len(present), len(columns)), dtype=np.int64)
    rest = present.astype(np.int64)
    for k in range(len(columns) - 1, -1, -1):
        rest, patterns[:, k] = np.divmod(rest, radix[k])
    return patterns - 1, counts


def expectation_maximisation(
    levels: pd.DataFrame,
    comparisons: tuple[Comparison, ...],
    profile: RandomPairProfile,
    u_pseudo_count: float,
    total_pairs: float,
    initial_matches: float,
    max_iterations: int,
    tolerance: float,
    start_m: dict[str, np.ndarray] | None = None,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], float, int]:
    """EM for m and the expected number of matching pairs; returns (m, u, λ, iterations run).

    u is not fitted: it is the random-pair level distribution, only cleaned of the matches the sample is
    expected to hold under the current m and λ (``u_from_profile``).

    ``λ`` is the probability that two *random* records match (expected matches / ``total_pairs``), not the
    match share among candidates: u comes from random pairs, so the Bayes factors ``m/u`` compare a pair with
    random pairs and the prior must too. Blocking only has to keep (almost) every true match.
    """
    patterns, counts = comparison_patterns(levels[[c.name for c in comparisons]])
    priors = {c.name: np.asarray(c.m_prior, dtype=float) / np.sum(c.m_prior) for c in comparisons}
    m = {**priors, **(start_m or {})}
    share = _clip_probability(initial_matches / total_pairs)
    expected = {name: m[name] * initial_matches * profile.available_share[name] for name in m}
    u = u_from_profile(profile, expected, total_pairs, u_pseudo_count)
    iteration = 0
    for iteration in range(1, max_iterations + 1):  # noqa: B007 (returned: the iterations used)
        weighted = counts * _match_posterior(patterns, comparisons, m, u, share)
        new_m = {}
        for k, comparison in enumerate(comparisons):
            observed = patterns[:, k] != NULL_LEVEL
            sums = np.bincount(patterns[observed, k], weights=weighted[observed], minlength=len(comparison.levels))
            expected[comparison.name] = sums
            # Dirichlet smoothing towards the prior: a level unseen among matches keeps a small m.
            smoothed = sums + M_PSEUDO_PAIRS * priors[comparison.name]
            new_m[comparison.name] = smoothed / smoothed.sum()
        change = max(np.abs(new_m[name] - m[name]).max() for name in m)
        m, share = new_m, _clip_probability(weighted.sum() / total_pairs)
        u = u_from_profile(profile, expected, total_pairs, u_pseudo_count)
        if change < tolerance:
            break
    return m, u, share, iteration


def _clip_probability(p: float) -> float:
    return float(np.clip(p, _FLOOR, 1 - _FLOOR))


def _match_posterior(
    patterns: np.ndarray,
    comparisons: tuple[Comparison, ...],
    m: dict[str, np.ndarray],
    u: dict[str, np.ndarray],
    share: float,
) -> np.ndarray:
    log_odds = np.full(len(patterns), np.log2(share / (1 - share)))
    for k, comparison in enumerate(comparisons):
        weights = level_weights(comparison, m[comparison.name], u[comparison.name])
        observed = patterns[:, k] != NULL_LEVEL
        log_odds[observed] += weights[patterns[observed, k]]
    return 1.0 / (1.0 + np.exp2(-log_odds))


def score(model: FellegiSunterModel, features: pd.DataFrame, levels: pd.DataFrame, left: np.ndarray) -> pd.DataFrame:
    """Per pair: ``w_<comparison>`` contributions, ``match_weight`` and ``match_probability``.

    ``left`` gives the left record of each pair (positions into ``features``) for the term-frequency lookup.
    """
    scored = pd.DataFrame(index=levels.index)
    total = np.full(len(levels), model.prior_weight)
    for comparison in model.comparisons:
        level = levels[comparison.name].to_numpy()
        weights = np.append(model.weights(comparison), 0.0)  # index -1 (missing) → 0
        contribution = weights[level]
        if comparison.tf_level is not None and comparison.name in model.tf:
            contribution = _tf_adjusted(model, comparison, features, level, left, contribution)
        scored[f"w_{comparison.name}"] = contribution
        total += contribution
    scored["match_weight"] = total
    scored["match_probability"] = 1.0 / (1.0 + np.exp2(-total))
    return scored


def _tf_adjusted(
    model: FellegiSunterModel,
    comparison: Comparison,
    features: pd.DataFrame,
    level: np.ndarray,
    left: np.ndarray,
    contribution: np.ndarray,
) -> np.ndarray:
    """Exact-level weight ``log2(m / tf(value))`` instead of ``log2(m / u)``, boost capped at ``tf_max_boost``."""
    level_index = comparison.levels.index(comparison.tf_level)
    exact = level == level_index
    if not exact.any():
        return contribution
    frequencies = model.tf[comparison.name]
    assert comparison.tf_column is not None, "a comparison with a term-frequency level names its column"
    column = features[comparison.tf_column.removesuffix("_code")]
    positions = left[exact]
    floor = float(frequencies.min()) if frequencies.size else 1.0
    # Each distinct value is looked up once: the records' values (when more pairs agree than there are records,
    # as in the night) or the agreeing pairs' values are coded, and the frequencies spread by code.
    per_record = len(positions) > len(column)
    values = column.reset_index(drop=True) if per_record else column.iloc[positions].reset_index(drop=True)
    codes, distinct = pd.factorize(values)
    looked_up = pd.Series(distinct).map(frequencies).to_numpy(dtype=float)
    frequency = np.append(looked_up, np.nan)[codes]  # code -1 (a missing value) picks NaN
    value_frequency = np.where(np.isnan(frequency), floor, frequency)
    if per_record:
        value_frequency = value_frequency[positions]
    u_level = model.u[comparison.name][level_index]
    adjustment = np.minimum(np.log2(u_level / value_frequency), model.tf_max_boost)
    adjusted = contribution.copy()
    adjusted[exact] = contribution[exact] + adjustment
    return adjusted


MODEL_FORMAT = 1


class ModelMismatchError(ValueError):
    """A persisted model does not fit the settings in force (other comparisons or levels)."""


def model_to_dict(model: FellegiSunterModel, settings_hash: str) -> dict[str, Any]:
    """The model as a JSON-able mapping: settings hash, per comparison its levels with m, u and weight, λ, the
    term-frequency tables (value → relative frequency: names, so the document is personal data) and the cap."""
    return {
        "format": MODEL_FORMAT,
        "settings_hash": settings_hash,
        "match_share": model.match_share,
        "prior_weight": model.prior_weight,
        "em_iterations": model.em_iterations,
        "tf_max_boost": model.tf_max_boost,
        "comparisons": [
            {
                "name": comparison.name,
                "levels": list(comparison.levels),
                "m": [float(value) for value in model.m[comparison.name]],
                "u": [float(value) for value in model.u[comparison.name]],
                "weight": [float(value) for value in model.weights(comparison)],
            }
            for comparison in model.comparisons
        ],
        "tf": {name: {str(value): float(share) for value, share in table.items()} for name, table in model.tf.items()},
    }


def model_from_dict(
    document: dict[str, Any], comparisons: tuple[Comparison, ...], settings_hash: str | None = None
) -> FellegiSunterModel:
    """The model of :func:`model_to_dict`, for ``comparisons`` (those of the settings in force).

    :class:`ModelMismatchError` when the document was trained under other settings (``settings_hash`` given
    and different) or its comparisons or levels differ: scoring with it would misread the levels.
    """
    if document.get("format") != MODEL_FORMAT:
        raise ModelMismatchError(f"model format {document.get('format')!r}; this code reads format {MODEL_FORMAT}")
    if settings_hash is not None and document.get("settings_hash") != settings_hash:
        raise ModelMismatchError("the model was trained under other matching settings (settings hash differs)")
    stored = {entry["name"]: entry for entry in document["comparisons"]}
    if [c.name for c in comparisons] != [entry["name"] for entry in document["comparisons"]]:
        raise ModelMismatchError(
            f"model comparisons {list(stored)} differ from the settings' {[c.name for c in comparisons]}"
        )
    for comparison in comparisons:
        if tuple(stored[comparison.name]["levels"]) != comparison.levels:
            raise ModelMismatchError(f"comparison {comparison.name!r}: the model's levels differ from the settings'")
    return FellegiSunterModel(
        comparisons=comparisons,
        m={c.name: np.asarray(stored[c.name]["m"], dtype=float) for c in comparisons},
        u={c.name: np.asarray(stored[c.name]["u"], dtype=float) for c in comparisons},
        match_share=float(document["match_share"]),
        tf={name: pd.Series(table, dtype=float) for name, table in document.get("tf", {}).items()},
        tf_max_boost=float(document["tf_max_boost"]),
        em_iterations=int(document["em_iterations"]),
    )


def model_changes(previous: dict[str, Any], current: dict[str, Any]) -> pd.DataFrame:
    """What moved between two persisted models: per (comparison, level), the weights before and after and the
    change in bits, largest moves first; λ as a row of its own (``prior``). Levels new or gone show NaN."""

    def weights(document: dict[str, Any]) -> dict[tuple[str, str], float]:
        rows = {
            (c["name"], level): weight
            for c in document["comparisons"]
            for level, weight in zip(c["levels"], c["weight"], strict=True)
        }
        rows[("prior", "log2 λ/(1-λ)")] = document["prior_weight"]
        return rows

    before, after = weights(previous), weights(current)
    keys = list(dict.fromkeys([*after, *before]))
    frame = pd.DataFrame(
        {
            "comparison": [key[0] for key in keys],
            "level": [key[1] for key in keys],
            "weight_before": [before.get(key, np.nan) for key in keys],
            "weight_after": [after.get(key, np.nan) for key in keys],
        }
    )
    frame["change"] = frame["weight_after"] - frame["weight_before"]
    order = frame["change"].abs().fillna(np.inf).sort_values(ascending=False, kind="stable").index
    return frame.loc[order].reset_index(drop=True)
