"""Shortcuts of the comparisons that must not change a level: the Jaro–Winkler bound and the near-NIK screen."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import JaroWinkler

from matching.comparisons import _jaro_winkler_at_least, _near_nik_kind

NAMES = st.lists(st.text(alphabet="ABDIKNRSUY É", min_size=1, max_size=14), min_size=2, max_size=12)


@settings(max_examples=150, deadline=None)
@given(NAMES, st.floats(0.5, 0.99), st.randoms(use_true_random=False))
def test_jaro_winkler_at_least_is_the_similarity_where_it_reaches_the_cutoff(names, cutoff, random):
    left = np.array([random.randrange(len(names)) for _ in range(30)])
    right = np.array([random.randrange(len(names)) for _ in range(30)])
    features = pd.DataFrame({"name_key": pd.Series(names, dtype="str")})
    got = _jaro_winkler_at_least(features, np.array(names, dtype=object), left, right, cutoff)
    for a, b, similarity in zip(left, right, got, strict=True):
        expected = JaroWinkler.normalized_similarity(names[a], names[b])
        assert similarity == (np.float32(expected) if expected >= cutoff else 0.0)  # rapidfuzz's cpdist: float32


def _digits_apart(nik: int, rng: np.random.Generator) -> int:
    digits = list(f"{nik:016d}")
    kind = rng.integers(3)
    at = int(rng.integers(15))
    if kind == 0:
        digits[at] = str((int(digits[at]) + int(rng.integers(1, 10))) % 10)
    elif kind == 1:
        digits[at], digits[at + 1] = digits[at + 1], digits[at]
    else:
        for place in rng.choice(16, size=2, replace=False):
            digits[place] = str((int(digits[place]) + int(rng.integers(1, 10))) % 10)
    return int("".join(digits))


@settings(max_examples=60, deadline=None)
@given(st.integers(1_000_000_000_000_000, 9_999_999_999_999_999), st.integers(0, 2**32 - 1))
def test_the_near_nik_screen_lets_every_near_nik_through(nik, seed):
    from matching.comparisons import NikComparison

    rng = np.random.default_rng(seed)
    others = [_digits_apart(nik, rng) for _ in range(20)]
    features = pd.DataFrame(
        {"nik_num": np.array([nik, *others], dtype=np.int64), "nik_trusted": np.ones(21, dtype=bool)}
    )
    left, right = np.zeros(20, dtype=np.int64), np.arange(1, 21)
    levels = NikComparison().compute(features, left, right)
    # Every pair checked digit by digit, without the screen, gives the same near level.
    kinds = _near_nik_kind(np.full(20, nik, dtype=np.int64), np.array(others, dtype=np.int64))
    comparison = NikComparison()
    for level, kind, other in zip(levels, kinds, others, strict=True):
        name = comparison.levels[level]
        if other == nik:
            assert name == "exact"
        else:
            assert name == {0: "sex_offset", 1: "transposition", 2: "one_digit", -1: "else"}[int(kind)]
