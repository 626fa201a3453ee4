"""Fellegi–Sunter model: EM recovers known m/u, u cleaning, term-frequency adjustment, weights and table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from matching import DEFAULT_SETTINGS
from matching.comparisons import ExactComparison, NameComparison
from matching.model import (
    FellegiSunterModel,
    RandomPairProfile,
    expectation_maximisation,
    score,
    u_from_profile,
)

LEVELS = ("agree", "close", "else")
TRUE_M = {"a": [0.85, 0.10, 0.05], "b": [0.70, 0.20, 0.10], "c": [0.90, 0.05, 0.05], "d": [0.6, 0.3, 0.1]}
TRUE_U = {"a": [0.02, 0.08, 0.90], "b": [0.05, 0.15, 0.80], "c": [0.01, 0.04, 0.95], "d": [0.1, 0.2, 0.7]}
MATCH_SHARE = 0.3


def comparisons() -> tuple[ExactComparison, ...]:
    return tuple(ExactComparison(name=name, column=name, levels=LEVELS, m_prior=(0.5, 0.3, 0.2)) for name in TRUE_M)


def synthetic_levels(pairs: int, seed: int) -> pd.DataFrame:
    """Comparison levels drawn independently given the (hidden) match status."""
    rng = np.random.default_rng(seed)
    is_match = rng.random(pairs) < MATCH_SHARE
    columns = {}
    for name in TRUE_M:
        from_m = rng.choice(3, size=pairs, p=TRUE_M[name])
        from_u = rng.choice(3, size=pairs, p=TRUE_U[name])
        columns[name] = np.where(is_match, from_m, from_u).astype(np.int8)
    return pd.DataFrame(columns)


def test_em_recovers_known_m_u_and_match_share():
    pairs = 200_000
    levels = synthetic_levels(pairs, seed=1)
    # Here the "random pairs" are the candidate pairs themselves: their level shares mix m and u.
    shares = {name: np.bincount(levels[name], minlength=3) / pairs for name in TRUE_M}
    profile = RandomPairProfile(
        shares=shares,
        resolution={name: np.full(3, float(pairs)) for name in TRUE_M},
        available_share=dict.fromkeys(TRUE_M, 1.0),
    )
    m, u, share, iterations = expectation_maximisation(
        levels,
        comparisons(),
        profile,
        u_pseudo_count=1.0,
        total_pairs=pairs,
        initial_matches=0.1 * pairs,
        max_iterations=500,
        tolerance=1e-7,
    )
    assert iterations < 500
    assert share == pytest.approx(MATCH_SHARE, abs=0.01)
    for name in TRUE_M:
        np.testing.assert_allclose(m[name], TRUE_M[name], atol=0.02)
        np.testing.assert_allclose(u[name], TRUE_U[name], atol=0.02)


def test_u_removes_the_matches_expected_among_random_pairs():
    profile = RandomPairProfile(
        shares={"phone": np.array([0.001, 0.999])},
        resolution={"phone": np.array([1e6, 1e6])},
        available_share={"phone": 0.5},
    )
    # 400 of the 1,000 agreeing pairs (out of 1e6 available pairs = 0.5 · 2e6) are expected matches.
    u = u_from_profile(profile, {"phone": np.array([400.0, 10.0])}, total_pairs=2e6, pseudo_count=0.0)
    assert u["phone"][0] == pytest.approx(0.0006 / (0.0006 + 0.99899), rel=1e-6)


def name_model(tf: pd.Series) -> FellegiSunterModel:
    name = NameComparison()
    m = np.full(len(name.levels), 0.01)
    m[0] = 0.9
    u = np.full(len(name.levels), 0.1)
    u[0] = 1e-3
    return FellegiSunterModel(
        comparisons=(name,),
        m={"name": m / m.sum()},
        u={"name": u / u.sum()},
        match_share=1e-5,
        tf={"name": tf},
        tf_max_boost=2.0,
        em_iterations=1,
    )


def test_term_frequency_lowers_common_names_and_caps_the_boost_of_rare_ones():
    model = name_model(pd.Series({"SITI": 0.05, "ZULKARNAEN": 1e-6}))
    features = pd.DataFrame({"name_key": ["SITI", "ZULKARNAEN", "BUDI SANTOSO"]})
    levels = pd.DataFrame({"name": np.array([0, 0, 3], dtype=np.int8)})  # exact, exact, jaro_winkler_high
    weights = score(model, features, levels, left=np.array([0, 1, 2]))["w_name"].to_numpy()
    plain_exact = model.weights(model.comparisons[0])[0]
    assert weights[0] < plain_exact  # a common name agreeing is weaker evidence
    assert weights[1] == pytest.approx(plain_exact + 2.0)  # a rare one stronger, by at most tf_max_boost
    assert weights[2] == pytest.approx(model.weights(model.comparisons[0])[3])  # other levels untouched


def test_scores_add_up_and_missing_fields_are_neutral():
    model = name_model(pd.Series(dtype=float))
    features = pd.DataFrame({"name_key": ["A", "B"]})
    levels = pd.DataFrame({"name": np.array([-1, 10], dtype=np.int8)})  # missing, else
    scored = score(model, features, levels, left=np.array([0, 1]))
    assert scored["w_name"].iloc[0] == 0.0
    np.testing.assert_allclose(scored["match_weight"], model.prior_weight + scored["w_name"])
    np.testing.assert_allclose(scored["match_probability"], 1 / (1 + 2.0 ** -scored["match_weight"]))


def test_weight_caps_and_table():
    nik = ExactComparison(name="nik", column="nik", levels=LEVELS, m_prior=(0.5, 0.3, 0.2), max_weight={"close": 1.5})
    model = FellegiSunterModel(
        comparisons=(nik,),
        m={"nik": np.array([0.8, 0.15, 0.05])},
        u={"nik": np.array([1e-6, 1e-4, 0.9999])},
        match_share=1e-5,
        tf={},
        tf_max_boost=2.0,
        em_iterations=3,
    )
    table = model.table()
    assert table.columns.tolist() == ["comparison", "level", "m", "u", "weight"]
    assert table.loc[1, "weight"] == 1.5
    assert table.loc[0, "weight"] == pytest.approx(np.log2(0.8 / 1e-6))
    assert "| nik | close |" in model.table_markdown()


def test_default_near_nik_levels_are_capped_below_a_link_on_their_own():
    """Different people born the same day in the same kecamatan get NIKs one or two digits apart."""
    nik = next(c for c in DEFAULT_SETTINGS.comparisons if c.name == "nik")
    near = {"sex_offset", "transposition", "one_digit"}
    assert near <= set(nik.max_weight)
    assert max(nik.max_weight[level] for level in near) <= 3.0
